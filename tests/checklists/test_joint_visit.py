"""A joint visit (联合检查): three departments' templates, two officers, one form."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from inspector_app.checklists import (
    OneFormRow,
    Template,
    TemplateRegistry,
    VisitHeader,
    derive_visit_checklists,
    one_form,
    one_form_csv,
    one_form_pdf,
)
from inspector_app.checklists.fonts import FontFile, find_cjk_font
from inspector_app.platform.spreadsheet import defuse_formula
from inspector_app.profile import demo_profile_path, load_profile
from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.text import Text
from tests.checklists.helpers import EventLog
from tests.conftest import missing_locally

ZHANG, ZHAO = "37142320001", "37142330001"
NAMES = {ZHANG: "张明", ZHAO: "赵磊"}


def _joint_visit(bundled: tuple[Template, ...]) -> tuple[tuple[OneFormRow, ...], dict[str, Template]]:
    by_id = {t.id: t for t in bundled}
    special, chemicals, fire = (by_id["special-equipment"], by_id["hazardous-chemicals"],
                                by_id["fire-safety-workshop"])
    log = EventLog()
    log.check_in(ZHANG, "lc-amr", special)
    log.join(ZHAO, "lc-em", chemicals)
    log.join(ZHAO, "lc-fire", fire)
    log.answer(ZHANG, special, "se-equipment-types", ["forklift"])
    log.answer(ZHANG, special, "fl-operator-licence", "no")
    log.answer(ZHANG, special, "fl-brakes", "yes")
    log.answer(ZHAO, chemicals, "hc-storage-type", "not_dedicated")
    log.answer(ZHAO, chemicals, "hc-keeper", "yes")
    log.answer(ZHANG, fire, "fs-exits", "no")
    log.answer(ZHAO, fire, "fs-exits", "yes")  # re-checked after the pallets were moved
    log.answer(ZHAO, fire, "fs-extinguisher-count", 12)
    visit = derive_visit_checklists(log.events, TemplateRegistry(bundled), log.visit)
    profile = load_profile(demo_profile_path())
    names = {d.id: d.name for d in profile.departments}
    return one_form(visit, names), by_id


def _row(rows: tuple[OneFormRow, ...], item_zh: str) -> OneFormRow:
    return next(r for r in rows if r.item.zh == item_zh and r.answered_on is not None)


def test_rows_are_grouped_by_department_in_joining_order(bundled: tuple[Template, ...]) -> None:
    rows, by_id = _joint_visit(bundled)
    departments = [r.department for r in rows]
    assert departments == sorted(departments, key=["lc-amr", "lc-em", "lc-fire"].index)
    assert rows[0].department_name == Text("陵城区市场监督管理局",
                                               "Lingcheng District Market Regulation Bureau")
    # Cranes, boilers and pressure vessels were not selected: their items are not on the form.
    special_items = {r.item.zh for r in rows if r.department == "lc-amr"}
    assert "吊钩和钢丝绳" not in special_items and "制动装置" in special_items
    assert sum(r.department == "lc-em" for r in rows) == len(
        [i for i in by_id["hazardous-chemicals"].items if i.show_if is None])


def test_each_answer_is_attributed_to_the_officer_who_gave_it(
        bundled: tuple[Template, ...]) -> None:
    rows, _ = _joint_visit(bundled)
    licence = _row(rows, "作业人员证")
    assert (licence.officer, licence.failing, licence.deadline) == (
        ZHANG, True, dt.date(2024, 4, 15))
    assert licence.result.render("zh") == "否（不合格）"
    assert licence.rectification is not None and "无证" in licence.rectification.zh
    storage = _row(rows, "储存方式")
    assert (storage.officer, storage.failing, storage.deadline) == (ZHAO, True,
                                                                    dt.date(2024, 4, 15))
    assert storage.result.render("en") == "Not a dedicated place (workshop, office ...) " \
                                          "(non-compliant)"
    exits = _row(rows, "疏散通道和安全出口")
    assert (exits.officer, exits.failing, exits.rectification) == (ZHAO, False, None)
    assert _row(rows, "灭火器数量").result.render("zh") == "12 具"


def test_unanswered_shown_items_are_listed_as_not_checked(bundled: tuple[Template, ...]) -> None:
    rows, _ = _joint_visit(bundled)
    unanswered = [r for r in rows if r.officer is None]
    assert unanswered and all(r.result.render("zh") == "未检查" for r in unanswered)
    assert all(r.deadline is None for r in unanswered)


def test_csv_opens_in_excel_as_utf8_with_the_one_form_columns(
        bundled: tuple[Template, ...]) -> None:
    rows, _ = _joint_visit(bundled)
    data = one_form_csv(rows, "zh", NAMES)
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert table[0] == ["部门", "检查事项", "检查内容", "检查结果", "整改要求", "整改期限",
                        "检查人员"]
    assert len(table) == len(rows) + 1
    licence = next(r for r in table if r[1].endswith("：作业人员证") and r[6])
    assert licence[0] == "陵城区市场监督管理局"
    assert licence[1] == "场（厂）内专用机动车辆（叉车）：作业人员证"
    assert licence[3:] == ["否（不合格）", licence[4], "2024-04-15", "张明（37142320001）"]
    assert licence[4].startswith("立即停止无证人员驾驶叉车")


def test_csv_in_english(bundled: tuple[Template, ...]) -> None:
    rows, _ = _joint_visit(bundled)
    table = list(csv.reader(io.StringIO(one_form_csv(rows, "en").decode("utf-8-sig"))))
    assert table[0][0] == "Department" and table[1][0].startswith("Lingcheng")


@pytest.mark.parametrize(("cell", "written"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1+1", "'+1+1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("-5 ℃", "-5 ℃"), ("-3.5", "-3.5"), ("正常", "正常"),
    # A number followed by a formula is a formula: Excel compares, and evaluates, the rest.
    ("-1 =WEBSERVICE(\"http://x/\")", "'-1 =WEBSERVICE(\"http://x/\")"),
    ("+1 =cmd|'/C calc'!A0", "'+1 =cmd|'/C calc'!A0"), ("\tx", "'\tx"), ("\r=1", "'\r=1"),
])
def test_csv_cells_cannot_become_formulas(cell: str, written: str) -> None:
    assert defuse_formula(cell) == written


def _font() -> FontFile:
    try:
        return find_cjk_font()
    except EnvironmentProblem as problem:
        missing_locally(f"no CJK font installed (fonts-noto-cjk): {problem.render('en')}")


def test_pdf_is_an_a4_document_with_the_font_embedded(bundled: tuple[Template, ...]) -> None:
    rows, _ = _joint_visit(bundled)
    header = VisitHeader("山东建通土工材料有限公司", "91371400MA3C4U2X1K", "visit-1",
                         "2024-04-08 09:30", "2024-04-08 10:17")
    pdf = one_form_pdf(rows, header, "zh", officer_names=NAMES, font=_font(),
                       created=dt.datetime(2024, 4, 8, 10, 20, tzinfo=dt.UTC))
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
    assert len(pages) >= 2  # ~60 rows do not fit on one landscape page
    assert re.search(rb"/MediaBox\s*\[0 0 841\.89 595\.28\]", pdf)  # A4 landscape, in points
    assert b"/FontFile" in pdf  # the CJK font is embedded (subset), not left to the viewer


def test_pdf_of_an_empty_form_still_renders(bundled: tuple[Template, ...]) -> None:
    header = VisitHeader("某企业", "91371400MA3C4U2X1K", "visit-2")
    pdf = one_form_pdf((), header, "en", font=_font())
    assert pdf.startswith(b"%PDF-")
