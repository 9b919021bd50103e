"""Checklists: the template format, the engine over answer events, the one-form report.

Qt-free.  The public surface, for the ledger, the CLI and the GUI:

* templates — :func:`parse_template`, :class:`TemplateRegistry`, :func:`default_registry`;
* check-in — :func:`check_in_templates` (the template refs a department's visit starts with);
* answers — :func:`answer_body` / :func:`visit_answer_body` (validated answer event bodies);
* state — :func:`derive_visit_checklists` over :class:`LedgerEvent` objects;
* meaning — :func:`outcomes`, :func:`visit_progress`, :func:`findings`;
* outputs — :func:`one_form`, :func:`one_form_csv`, :func:`one_form_pdf`.
"""

from inspector_app.checklists.answer_events import (
    CHECKLIST_ANSWER,
    VISIT_CHECKED_IN,
    VISIT_DEPARTMENT_ADDED,
    LedgerEvent,
)
from inspector_app.checklists.answers import InvalidAnswer, answer_body, answer_problem
from inspector_app.checklists.department_templates import (
    check_in_templates,
    profile_template_problems,
    templates_for_department,
)
from inspector_app.checklists.evaluation import ItemStatus, Progress
from inspector_app.checklists.findings import (
    Finding,
    TemplateOutcome,
    findings,
    outcomes,
    visit_progress,
)
from inspector_app.checklists.oneform import OneFormRow, one_form
from inspector_app.checklists.registry import (
    TemplateNotAvailable,
    TemplateRegistry,
    bundled_templates,
    default_registry,
)
from inspector_app.checklists.report_csv import one_form_csv
from inspector_app.checklists.report_pdf import VisitHeader, one_form_pdf
from inspector_app.checklists.scoring import Score
from inspector_app.checklists.state import (
    RecordedAnswer,
    VisitChecklists,
    derive_visit_checklists,
)
from inspector_app.checklists.visit_answers import visit_answer_body
from inspector_protocol.checklist_template import (
    Item,
    Template,
    TemplateRef,
    parse_template,
    template_from_document,
)
from inspector_protocol.china_time import CHINA_TZ

__all__ = [
    "CHECKLIST_ANSWER",
    "CHINA_TZ",
    "VISIT_CHECKED_IN",
    "VISIT_DEPARTMENT_ADDED",
    "Finding",
    "InvalidAnswer",
    "Item",
    "ItemStatus",
    "LedgerEvent",
    "OneFormRow",
    "Progress",
    "RecordedAnswer",
    "Score",
    "Template",
    "TemplateNotAvailable",
    "TemplateOutcome",
    "TemplateRef",
    "TemplateRegistry",
    "VisitChecklists",
    "VisitHeader",
    "answer_body",
    "answer_problem",
    "bundled_templates",
    "check_in_templates",
    "default_registry",
    "derive_visit_checklists",
    "findings",
    "one_form",
    "one_form_csv",
    "one_form_pdf",
    "outcomes",
    "parse_template",
    "profile_template_problems",
    "template_from_document",
    "templates_for_department",
    "visit_answer_body",
    "visit_progress",
]
