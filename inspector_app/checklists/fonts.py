"""Finding a font that can print Chinese, on Linux and on Windows tablets.

PDF viewers do not substitute fonts for text drawn by the document, so the
report embeds a CJK font; which files exist differs per machine.  Fontconfig is
asked first (it knows fonts installed anywhere); a search of the usual font
folders is the fallback for machines without it (Windows).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.text import Text

#: Simplified-Chinese faces first: Japanese glyph forms of the same characters
#: look wrong to a Chinese reader (the JP face is index 0 of the Noto collection).
PREFERRED_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "SimSun",
)
_KNOWN_FILES = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "SourceHanSansSC-Regular.otf",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "msyh.ttc",
    "simhei.ttf",
    "simsun.ttc",
)


@dataclass(frozen=True)
class FontFile:
    path: Path
    #: Face number inside a font collection (.ttc); 0 for a single font.
    index: int
    family: str
    #: A bold face (fontconfig lists the bold file under the same family name).
    bold: bool = False


def find_cjk_font() -> FontFile:
    """A regular-weight font with Simplified Chinese glyphs, or an :class:`EnvironmentProblem`.

    Regular, not bold: the bold file of a family sorts first by name (``NotoSansCJK-Bold``)
    and would set a whole report in bold."""
    found = _from_fontconfig() or _from_font_folders()
    if found is None:
        raise EnvironmentProblem(
            Text("找不到可显示中文的字体，无法生成 PDF。",
                 "No font that can show Chinese was found; the PDF cannot be made."),
            Text("请安装 Noto Sans CJK SC（Debian/Ubuntu：apt install fonts-noto-cjk）。",
                 "Install Noto Sans CJK SC (Debian/Ubuntu: apt install fonts-noto-cjk)."),
            code="env.no_cjk_font",
        )
    return found


def find_cjk_bold_font(regular: FontFile) -> FontFile | None:
    """The bold face of ``regular``'s family, for headings; None when there is none (the
    headings are then set in the regular face)."""
    listing = _fc_listing()
    if listing is None:
        return None
    return next((c for c in _parse_fc_list(listing)
                 if c.bold and c.family == regular.family and c.path.is_file()), None)


def _fc_listing() -> str | None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        return subprocess.run(
            [fc_list, "--format", "%{file}|%{index}|%{family}|%{style}\n", ":lang=zh-cn"],
            capture_output=True, text=True, timeout=20, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None  # a broken fontconfig is not fatal: the folder search follows


def _from_fontconfig() -> FontFile | None:
    listing = _fc_listing()
    return None if listing is None else _best(_parse_fc_list(listing))


def _parse_fc_list(listing: str) -> Iterator[FontFile]:
    for line in listing.splitlines():
        path, _, rest = line.partition("|")
        index, _, rest = rest.partition("|")
        families, _, styles = rest.partition("|")
        bold = any(s.strip() in BOLD_STYLES for s in styles.split(","))
        if path and index.isdigit():
            for family in families.split(","):
                yield FontFile(Path(path), int(index), family.strip(), bold)


#: Styles fontconfig names a heavy face by (a body set in one of them reads as all bold).
BOLD_STYLES = frozenset({"Bold", "Black", "Heavy", "ExtraBold", "SemiBold", "DemiBold"})


def _best(candidates: Iterator[FontFile]) -> FontFile | None:
    ranked = [(PREFERRED_FAMILIES.index(c.family), c) for c in candidates
              if c.family in PREFERRED_FAMILIES and c.path.is_file() and not c.bold]
    return min(ranked, key=lambda pair: (pair[0], str(pair[1].path)))[1] if ranked else None


def _from_font_folders() -> FontFile | None:
    for folder in _font_folders():
        for name in _KNOWN_FILES:
            path = folder / name
            if path.is_file():
                found = _best(_faces(path))
                if found is not None:
                    return found
    return None


def _font_folders() -> Iterator[Path]:
    windir = os.environ.get("WINDIR")
    if windir:
        yield Path(windir) / "Fonts"
    home = Path.home()
    for base in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                 home / ".local/share/fonts", home / ".fonts", Path("/Library/Fonts"),
                 Path("/System/Library/Fonts")):
        if base.is_dir():
            yield base
            yield from (p for p in sorted(base.rglob("*")) if p.is_dir())


def _faces(path: Path) -> Iterator[FontFile]:
    """The faces of a font file with their family names (read, not guessed)."""
    from fontTools.ttLib import (  # type: ignore[import-untyped]  # lazy: fallback only
        TTCollection,
        TTFont,
        TTLibError,
    )

    try:
        opened = (TTCollection(str(path), lazy=True) if path.suffix.lower() == ".ttc"
                  else TTFont(str(path), lazy=True))
    except (OSError, TTLibError):
        return
    try:
        fonts = opened.fonts if isinstance(opened, TTCollection) else [opened]
        names = [str(font["name"].getDebugName(1)) for font in fonts]
    except (OSError, TTLibError, KeyError):
        names = []
    finally:
        opened.close()
    yield from (FontFile(path, index, name) for index, name in enumerate(names))
