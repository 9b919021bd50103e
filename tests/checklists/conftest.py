"""Fixtures for the checklist tests (helpers live in ``helpers.py``)."""

from __future__ import annotations

import pytest

from inspector_app.checklists import Template, TemplateRegistry, bundled_templates
from tests.checklists.helpers import EventLog, make_template


@pytest.fixture
def small() -> Template:
    return make_template()


@pytest.fixture(scope="session")
def bundled() -> tuple[Template, ...]:
    return bundled_templates()


@pytest.fixture
def registry(bundled: tuple[Template, ...], small: Template) -> TemplateRegistry:
    return TemplateRegistry([*bundled, small])


@pytest.fixture
def log() -> EventLog:
    return EventLog()
