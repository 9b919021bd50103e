"""The server's settings: declared once, documented from the declaration, all of them read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from inspector_central import cli, settings
from inspector_central.settings import Settings, env_name, markdown_table, option_name

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "central.md"


def generated_section(text: str) -> str:
    match = re.search(r"<!-- settings:begin -->\n(.*?)<!-- settings:end -->", text, re.S)
    assert match, "the settings markers are missing"
    return match.group(1)


def test_the_documented_table_is_generated_from_the_settings() -> None:
    assert generated_section(DOC.read_text(encoding="utf-8")) == markdown_table(), (
        "docs/central.md is stale: put the output of `python -m inspector_central.settings` "
        "between its settings markers")


def test_help_lists_every_setting_with_its_variable(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["serve", "--help"]):
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(argv)
    shown = re.sub(r"\s+", " ", capsys.readouterr().out)
    for name in Settings.model_fields:
        assert option_name(name) in shown and env_name(name) in shown


def test_command_line_over_environment_over_default(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    assert settings.load().port == 8765
    monkeypatch.setenv("INSPECTOR_CENTRAL_PORT", "9000")
    monkeypatch.setenv("INSPECTOR_CENTRAL_DATA_DIR", str(tmp_path / "env"))
    assert settings.load().port == 9000
    args = cli.build_parser().parse_args(["--data-dir", str(tmp_path / "cli"), "serve",
                                          "--port", "9100"])
    chosen = settings.load(args)
    assert (chosen.port, chosen.data_dir) == (9100, tmp_path / "cli")


def test_the_busy_timeout_reaches_the_database(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setenv("INSPECTOR_CENTRAL_SQLITE_BUSY_TIMEOUT_MS", "250")
    database = cli.open_database(cli.build_parser().parse_args(
        ["--data-dir", str(tmp_path), "visits"]))
    try:
        with database.transaction(write=False) as tx:
            assert tx.one("PRAGMA busy_timeout") == (250,)
    finally:
        database.close()


@pytest.mark.parametrize(("variable", "value"), [
    ("INSPECTOR_CENTRAL_PORT", "0"),
    ("INSPECTOR_CENTRAL_SQLITE_BUSY_TIMEOUT_MS", "soon"),
    ("INSPECTOR_CENTRAL_DATABASE_URL", "mysql://db/central"),
])
def test_a_bad_setting_stops_with_its_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str], variable: str,
                                           value: str) -> None:
    monkeypatch.setenv(variable, value)
    assert cli.main(["--data-dir", str(tmp_path), "visits"]) == 2
    assert variable in capsys.readouterr().err
    assert not (tmp_path / "central.sqlite3").exists()  # nothing was opened or created


def test_no_server_module_reads_the_environment_by_itself() -> None:
    readers = []
    for path in sorted((REPO / "inspector_central").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                readers.append(f"{path.name}:{node.lineno}")
    assert readers == [], "declare the setting in inspector_central/settings.py instead"
