"""Enterprise search over the registry feed (by name or USCC, a page at a time) and exports
that a spreadsheet cannot turn into formulas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import load_workbook  # type: ignore[import-untyped]

from inspector_central.console.exports import safe_cell
from inspector_central.feed_documents import read_documents
from inspector_central.feeds import put_documents
from inspector_protocol.uscc import complete_uscc
from tests.central.harness import CentralServer
from tests.console.helpers import signed_in


def _registry(server: CentralServer, tmp_path: Path, count: int) -> list[str]:
    codes = [complete_uscc(f"91371421{i:08d}X").value for i in range(count)]
    names = [f"德州{'甲乙' [i % 2]}{i:03d}有限公司" for i in range(count)]
    names[0] = "=HYPERLINK(\"http://evil.example\")德州"
    file = tmp_path / "registry.json"
    file.write_text(json.dumps([{"uscc": c, "name": n} for c, n in zip(codes, names, strict=True)],
                               ensure_ascii=False), encoding="utf-8")
    put_documents(server.backend.database(), "registry", read_documents("registry", file))
    return codes


def test_search_by_name_or_code_in_pages(server: CentralServer, tmp_path: Path) -> None:
    codes = _registry(server, tmp_path, 130)
    office = signed_in(server, "jiwei", "oversight")
    first = office.get("/v1/oversight/enterprises?q=德州甲").json()
    assert len(first["items"]) == 50 and first["next_cursor"]
    assert all(e["name"].startswith("德州甲") for e in first["items"])
    second = office.get(f"/v1/oversight/enterprises?q=德州甲&cursor={first['next_cursor']}").json()
    assert len(second["items"]) == 14 and second["next_cursor"] is None  # 65, one renamed
    names = [e["name"] for e in first["items"] + second["items"]]
    assert names == sorted(names) and len(set(names)) == 64
    by_code = office.get(f"/v1/oversight/enterprises?q={codes[7][:16]}").json()["items"]
    assert codes[7] in [e["uscc"] for e in by_code]
    page = office.get("/console/enterprises?q=德州乙")
    assert page.status_code == 200 and "德州乙001有限公司" in page.text
    assert office.get("/console/enterprises?q=nothing-like-it").status_code == 200


def test_exports_are_whole_and_safe_for_spreadsheets(server: CentralServer, tmp_path: Path) -> None:
    _registry(server, tmp_path, 1234)  # more than one page of the export's reads
    office = signed_in(server, "jiwei", "oversight")
    exported = office.get("/console/enterprises?format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["uscc", "name"] and len(rows) == 1 + 1234
    assert len({r[0] for r in rows[1:]}) == 1234
    evil = next(r for r in rows if "HYPERLINK" in r[1])
    assert evil[1].startswith("'=")
    book = load_workbook(io.BytesIO(office.get("/console/enterprises?format=xlsx").content))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in cells)
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in cells)


def test_safe_cell() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("-2") == "'-2" and safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell(-2) == -2 and safe_cell(None) == "" and safe_cell(True) == 1
    assert safe_cell("德州") == "德州"


def test_period_report_pdf_embeds_a_chinese_font(sqlite_server: CentralServer) -> None:
    office = signed_in(sqlite_server, "jiwei", "oversight")
    report = office.get("/console/report.pdf?period=year&at=2026-06-01")
    assert report.status_code == 200
    assert report.headers["content-type"] == "application/pdf"
    assert report.content.startswith(b"%PDF") and b"NotoSansCJK" in report.content
    assert office.get("/console/report.pdf?period=decade").status_code == 422
