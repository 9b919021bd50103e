"""``inspector checklist validate | list | show``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector_app.cli import main
from tests.checklists.helpers import as_bytes, small_template_document


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def _run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), "--lang", "en", "checklist", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_validate_accepts_a_valid_file(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                       tmp_path: Path) -> None:
    path = tmp_path / "small.json"
    path.write_bytes(as_bytes(small_template_document()))
    code, out, _ = _run(capsys, data_dir, "validate", str(path))
    assert code == 0
    assert "valid — small@1" in out and "8 items" in out


def test_validate_fails_with_every_message(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                           tmp_path: Path) -> None:
    document = small_template_document()
    document["version"] = 0
    document["sections"][0]["items"][1]["severity"] = "critical"
    bad = tmp_path / "bad.json"
    bad.write_bytes(as_bytes(document))
    good = tmp_path / "good.json"
    good.write_bytes(as_bytes(small_template_document()))
    code, out, err = _run(capsys, data_dir, "validate", str(bad), str(good))
    assert code == 1
    assert "version: must be between 1" in err
    assert "sections[0].items[1].severity: must be one of info, general, major" in err
    assert "good.json: valid" in out


def test_validate_refuses_a_changed_bundled_template_with_the_same_version(
        capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    code, out, _ = _run(capsys, data_dir, "show", "fire-safety-workshop", "--json")
    document = json.loads(out)
    document["title"]["zh"] = "改过的标题"
    path = tmp_path / "fire.json"
    path.write_bytes(as_bytes(document))
    code, _, err = _run(capsys, data_dir, "validate", str(path))
    assert code == 1 and "needs a new version" in err


def test_validate_reports_a_broken_file(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                        tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_bytes(as_bytes(small_template_document())[:300])
    code, _, err = _run(capsys, data_dir, "validate", str(path))
    assert code == 1 and "truncated" in err


def test_list_json_names_every_bundled_template(capsys: pytest.CaptureFixture[str],
                                                data_dir: Path) -> None:
    code, out, _ = _run(capsys, data_dir, "list", "--json")
    assert code == 0
    listed = {t["id"]: t for t in json.loads(out)}
    assert set(listed) == {"special-equipment", "food-premises", "non-enforcement-visit",
                           "hazardous-chemicals", "dust-explosion", "fire-safety-workshop"}
    assert listed["food-premises"]["scored"] is True
    assert len(listed["dust-explosion"]["hash"]) == 64


def test_list_includes_templates_installed_in_the_data_folder(
        capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    (data_dir / "checklists").mkdir()
    (data_dir / "checklists" / "small.json").write_bytes(as_bytes(small_template_document()))
    code, out, _ = _run(capsys, data_dir, "list")
    assert code == 0
    assert any(line.startswith("small\tv1\t") for line in out.splitlines())


def test_show_prints_items_conditions_and_legal_basis(capsys: pytest.CaptureFixture[str],
                                                      data_dir: Path) -> None:
    code, out, _ = _run(capsys, data_dir, "show", "special-equipment")
    assert code == 0
    assert "[fl-operator-licence] Operator certificate" in out
    assert "shown only when se-equipment-types is forklift" in out
    assert "Special Equipment Safety Law of the PRC, Article 14" in out


def test_show_in_chinese(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code = main(["--data-dir", str(data_dir), "--lang", "zh", "checklist", "show",
                 "food-premises"])
    out = capsys.readouterr().out
    assert code == 0 and "食品经营场所监督检查表" in out and "依据：《中华人民共和国食品安全法》" in out


def test_show_unknown_template_or_version_is_refused(capsys: pytest.CaptureFixture[str],
                                                     data_dir: Path) -> None:
    code, _, err = _run(capsys, data_dir, "show", "no-such-template")
    assert code == 1 and "no checklist template 'no-such-template'" in err
    code, _, err = _run(capsys, data_dir, "show", "food-premises", "--version", "7")
    assert code == 1 and "has no version 7" in err


def test_validate_reports_a_missing_file_and_goes_on(capsys: pytest.CaptureFixture[str],
                                                     data_dir: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(as_bytes(small_template_document()))
    code, out, err = _run(capsys, data_dir, "validate", str(tmp_path / "missing.json"), str(good))
    assert code == 1
    assert "cannot read" in err and "missing.json" in err
    assert "good.json: valid" in out
