"""``inspector scan``: decode QR codes in photos and video files, and say what they are."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector_app.profile import Profile
from inspector_protocol.errors import InspectorError
from inspector_protocol.text import Text, current_lang


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="decode QR codes in photos or video files (扫码识别)",
        description="Decode the QR codes in still images and video files and classify each "
        "payload (signed enterprise code, legacy code, or foreign). Exits non-zero only when "
        "a file cannot be read.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per file, one per line")
    parser.add_argument("--try-harder", action="store_true",
                        help="run the full decoder cascade (slower; for difficult photos)")
    parser.add_argument("--frames", type=int, default=3, metavar="K",
                        help="video: accept a code after K consecutive frames (default 3)")
    parser.set_defaults(handler=run_scan)


Corners = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class FileScan:
    file: Path
    texts: tuple[str, ...]
    ms: float
    #: Where each code is in the image (four corners, pixels), parallel to ``texts``;
    #: empty for codes accepted from a video.
    corners: tuple[Corners, ...] = ()
    note: Text | None = None
    error: InspectorError | None = None


def run_scan(args: argparse.Namespace) -> int:
    from inspector_app.cli.exit_codes import ExitCode, exit_code_for
    from inspector_app.platform.settings import resolve_data_dir
    from inspector_app.services.code_trust import trusted_profile_for

    profile = trusted_profile_for(resolve_data_dir(args.data_dir))
    exit_code = ExitCode.OK
    for scan in _scans(args.files, try_harder=args.try_harder, frames=args.frames):
        if args.json:
            print(json.dumps(_as_json(scan, profile), ensure_ascii=False), flush=True)
        else:
            _print_human(scan, profile)
        if scan.error is not None and exit_code == ExitCode.OK:
            exit_code = exit_code_for(scan.error)
    return int(exit_code)


def _scans(files: list[Path], *, try_harder: bool, frames: int) -> Iterator[FileScan]:
    for path in files:
        started = time.perf_counter()
        try:
            texts, corners, note = _decode_file(path, try_harder=try_harder, frames=frames)
        except InspectorError as exc:
            yield FileScan(path, (), _ms(started), error=exc)
            continue
        yield FileScan(path, texts, _ms(started), corners, note)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _decode_file(path: Path, *, try_harder: bool, frames: int
                 ) -> tuple[tuple[str, ...], tuple[Corners, ...], Text | None]:
    from inspector_app.scanning.sources import VIDEO_SUFFIXES

    if path.suffix.lower() in VIDEO_SUFFIXES:
        return _decode_video(path, frames, try_harder=try_harder), (), None
    from inspector_app.platform.settings import MAX_IMAGE_PIXELS, STILL_BUDGET
    from inspector_app.scanning.cascade import decode_still
    from inspector_app.scanning.imageio import read_image

    image = read_image(path, max_pixels=MAX_IMAGE_PIXELS.from_env() or MAX_IMAGE_PIXELS.default)
    result = decode_still(image, try_harder=try_harder,
                          budget_s=STILL_BUDGET.from_env() or STILL_BUDGET.default)
    return (tuple(d.text for d in result.detections),
            tuple(tuple((round(x, 1), round(y, 1)) for x, y in d.corners)
                  for d in result.detections),
            result.note)


def _decode_video(path: Path, required: int, *, try_harder: bool) -> tuple[str, ...]:
    """Codes accepted the way the camera accepts them: on ``required`` consecutive frames.

    Frames go through the live path, as from a camera; ``try_harder`` runs the whole
    still-photo cascade on every frame instead (slow, for footage that matters).
    """
    from inspector_app.scanning.cascade import decode_still
    from inspector_app.scanning.confirm import ConsecutiveFrameValidator
    from inspector_app.scanning.live import LiveDecoder
    from inspector_app.scanning.sources import VideoFileSource, frames

    decode = decode_still if try_harder else LiveDecoder().decode
    validator = ConsecutiveFrameValidator(required=required)
    accepted: list[str] = []
    for frame in frames(VideoFileSource(path)):
        chosen = decode(frame.image).chosen
        text = validator.feed(chosen.text if chosen else None)
        if text is not None:
            accepted.append(text)
    return tuple(accepted)


def _as_json(scan: FileScan, profile: Profile) -> dict[str, Any]:
    from inspector_app.scanning.classify import classify

    now = datetime.now(UTC)
    line: dict[str, Any] = {
        "file": str(scan.file),
        "codes": [
            {"text": text, "payload": classify(text, profile, now).to_json(),
             **({"corners": [list(p) for p in scan.corners[i]]} if scan.corners else {})}
            for i, text in enumerate(scan.texts)
        ],
        "ms": scan.ms,
    }
    if scan.error is not None:
        line["error"] = {"code": scan.error.code, "zh": scan.error.render("zh"),
                         "en": scan.error.render("en")}
    return line


def _print_human(scan: FileScan, profile: Profile) -> None:
    from inspector_app.scanning.classify import classify

    lang = current_lang()
    if scan.error is not None:
        print(f"{scan.file}: {scan.error.render(lang)}", file=sys.stderr)
        return
    if not scan.texts:
        print(f"{scan.file}: " + Text("未找到二维码", "no QR code found").render(lang))
        return
    if scan.note is not None:
        print(f"{scan.file}: {scan.note.render(lang)}")
    now = datetime.now(UTC)
    for text in scan.texts:
        verdict = classify(text, profile, now)
        who = " ".join(x for x in (verdict.name, verdict.uscc) if x)
        print(f"{scan.file}: [{verdict.kind}/{verdict.status}] {who} — "
              f"{verdict.reason.text.render(lang)}\n    {text}")
