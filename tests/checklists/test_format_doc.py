"""The documented format and the code agree: the example in the documentation is valid."""

from __future__ import annotations

import re
from pathlib import Path

from inspector_app.checklists import parse_template
from inspector_protocol.checklist_template import ANSWER_TYPES

DOC = Path(__file__).resolve().parents[2] / "docs" / "checklist-format.md"


def test_the_documented_example_is_a_valid_template() -> None:
    text = DOC.read_text(encoding="utf-8")
    example = text.split("## Example", 1)[1]
    block = re.search(r"```json\n(.*?)```", example, re.DOTALL)
    assert block is not None
    template = parse_template(block.group(1).encode("utf-8"), "docs example")
    assert template.ref.id == "forklift-basic"


def test_every_answer_type_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for answer_type in ANSWER_TYPES:
        assert f"| `{answer_type}` |" in text
