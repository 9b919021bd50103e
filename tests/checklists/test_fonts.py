"""Finding a CJK font for the PDF, and a clear message when there is none."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.checklists import fonts
from inspector_protocol.errors import EnvironmentProblem
from tests.conftest import missing_locally


def test_fontconfig_listing_prefers_simplified_chinese(tmp_path: Path) -> None:
    collection = tmp_path / "NotoSansCJK-Regular.ttc"
    collection.write_bytes(b"")
    listing = "".join(f"{collection}|{i}|Noto Sans CJK {r},Noto Sans CJK {r} Regular\n"
                      for i, r in enumerate(("JP", "KR", "SC", "TC")))
    best = fonts._best(fonts._parse_fc_list(listing))
    assert best == fonts.FontFile(collection, 2, "Noto Sans CJK SC")


def test_fonts_without_chinese_family_names_are_not_chosen(tmp_path: Path) -> None:
    font = tmp_path / "DejaVuSans.ttf"
    font.write_bytes(b"")
    assert fonts._best(fonts._parse_fc_list(f"{font}|0|DejaVu Sans\n")) is None


def test_no_font_anywhere_is_an_environment_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_from_fontconfig", lambda: None)
    monkeypatch.setattr(fonts, "_from_font_folders", lambda: None)
    with pytest.raises(EnvironmentProblem) as caught:
        fonts.find_cjk_font()
    assert "fonts-noto-cjk" in caught.value.render("en")
    assert caught.value.code == "env.no_cjk_font"


def test_folder_search_reads_the_family_from_the_file() -> None:
    """Where fontconfig is missing (Windows), the face is found by reading the file."""
    found = fonts._from_font_folders()
    if found is None:
        missing_locally("no known CJK font file in the usual font folders")
    assert found.family in fonts.PREFERRED_FAMILIES
