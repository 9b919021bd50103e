"""QR decoding benchmark: each decoder alone, the still-photo pipeline, and the live path.

Reads the qr-bench data set in place (``../shared/qr-bench`` next to the repository
by default; ``--bench-dir`` or ``$QR_BENCH_DIR`` to override) and prints, per
decoder: images fully decoded, the decode rate over labelled codes (strict and
charset-lenient), the rate per category, median and p95 milliseconds per image
and the number of wrong texts.  Then the live-frame cost on 1280x720 and
1920x1080 frames with and without a code.  See docs/scanning.md for results.

    .venv/bin/python bench/qr_bench.py [--json results.json] [--failures] [--composites]

Codes count with their multiplicity (two labels with one text are two codes), and
single-code and multi-code images are reported apart.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH_DIR = REPO_ROOT.parent / "shared" / "qr-bench"
#: Charsets a decoder may confuse; a text equal to the expected one read in another
#: of these is a charset misread: wrong under the strict rate, right under the lenient one.
CHARSETS = ("utf-8", "shift_jis", "latin-1", "cp1252", "gb18030")
LIVE_FRAMES_PER_CASE = 150

Texts = Callable[[Any], list[str]]


@dataclass(frozen=True)
class Case:
    file: str
    expected: tuple[str, ...]
    category: str


@dataclass
class Tally:
    images: int = 0
    full: int = 0
    codes: int = 0
    found: int = 0
    found_lenient: int = 0
    wrong: list[tuple[str, str]] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    by_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    """The comparison the data set's README prescribes."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    return text.replace("\u00a5", "\\")


def same_bytes_other_charset(found: str, expected: str) -> bool:
    for wrote in CHARSETS:
        try:
            raw = expected.encode(wrote)
        except UnicodeEncodeError:
            continue
        for read in CHARSETS:
            try:
                if read != wrote and normalise(raw.decode(read)) == normalise(found):
                    return True
            except UnicodeDecodeError:
                continue
    return False


def load_cases(bench_dir: Path) -> list[Case]:
    manifest = json.loads((bench_dir / "manifest.json").read_text(encoding="utf-8"))
    return [Case(e["file"], tuple(e["expected"]), e["category"]) for e in manifest]


def score(tally: Tally, case: Case, texts: list[str], ms: float) -> None:
    """Codes count with their multiplicity: two labels with one text are two codes to find."""
    got_counts = Counter(normalise(t) for t in texts)
    got = set(got_counts)
    expected = [normalise(e) for e in case.expected]
    hits = sum(min(n, got_counts[e]) for e, n in Counter(expected).items())
    lenient = sum(min(n, got_counts[e]) if e in got else
                  n * any(same_bytes_other_charset(t, e) for t in texts)
                  for e, n in Counter(expected).items())
    tally.images += 1
    tally.full += hits == len(expected)
    tally.codes += len(expected)
    tally.found += hits
    tally.found_lenient += lenient
    tally.ms.append(ms)
    tally.by_category[case.category][0] += hits
    tally.by_category[case.category][1] += len(expected)
    tally.wrong.extend((case.file, t) for t in got if t not in expected)
    if hits < len(expected):
        tally.misses.append(case.file)


def decoders() -> dict[str, Texts]:
    from inspector_app.scanning import backends
    from inspector_app.scanning.cascade import decode_still, to_gray

    def raw_zbar(image: Any) -> list[str]:
        from pyzbar import pyzbar

        results = pyzbar.decode(to_gray(image), symbols=[pyzbar.ZBarSymbol.QRCODE])
        return [r.data.decode("utf-8", "replace") for r in results]

    return {
        "zxing-cpp": lambda im: [d.text for d in backends.zxing_decode(to_gray(im), "zxing")],
        "pyzbar (as shipped)": raw_zbar,
        "pyzbar (charset fixed)": lambda im: [
            d.text for d in backends.zbar_decode(to_gray(im), "pyzbar")
        ],
        "opencv": lambda im: [d.text for d in backends.opencv_decode(to_gray(im), "opencv")],
        "pipeline (try harder)": lambda im: [d.text for d in decode_still(im).detections],
    }


def run_stills(bench_dir: Path, cases: Sequence[Case], names: Sequence[str]
               ) -> dict[str, dict[str, Tally]]:
    """Per decoder: tallies over all images, single-code images and multi-code images."""
    import cv2

    table = decoders()
    tallies = {name: {"all": Tally(), "single": Tally(), "multi": Tally()} for name in names}
    for case in cases:
        image = cv2.imread(str(bench_dir / case.file), cv2.IMREAD_COLOR)
        if image is None:
            raise SystemExit(f"cannot read {case.file}")
        run_case(table, tallies, case, image)
    return tallies


def run_case(table: dict[str, Texts], tallies: dict[str, dict[str, Tally]], case: Case,
             image: Any) -> None:
    kind = "single" if len(case.expected) == 1 else "multi"
    for name, by_kind in tallies.items():
        started = time.perf_counter()
        texts = table[name](image)
        ms = (time.perf_counter() - started) * 1000
        score(by_kind["all"], case, texts, ms)
        score(by_kind[kind], case, texts, ms)


def composites(bench_dir: Path, cases: Sequence[Case]) -> list[tuple[Case, Any]]:
    """Multi-code photos made from the dev set: neighbours side by side, and twins.

    The dev set has two multi-code images; these show how the pipeline treats several
    codes in one picture in general — distinct codes, and the same code twice (a sheet
    of labels) — without tuning on any single file.
    """
    import cv2
    import numpy as np

    def side_by_side(a: Any, b: Any) -> Any:
        height = max(a.shape[0], b.shape[0])
        pad = [cv2.copyMakeBorder(im, 0, height - im.shape[0], 0, 40, cv2.BORDER_CONSTANT,
                                  value=(255, 255, 255)) for im in (a, b)]
        return np.hstack(pad)

    singles = [c for c in cases if len(c.expected) == 1 and c.category != "artistic"]
    read: dict[str, Any] = {c.file: cv2.imread(str(bench_dir / c.file), cv2.IMREAD_COLOR)
                            for c in singles}
    made = []
    for first, second in zip(singles[0::2], singles[1::2], strict=False):
        a, b = read[first.file], read[second.file]
        if max(a.shape[1] + b.shape[1], a.shape[0]) > 4000:
            continue
        made.append((Case(f"{first.file}+{second.file}", first.expected + second.expected,
                          "composite-pair"), side_by_side(a, b)))
        if first.expected != second.expected:
            made.append((Case(f"{first.file}x2", first.expected * 2, "composite-twins"),
                         side_by_side(a, a)))
    return made


def run_composites(bench_dir: Path, cases: Sequence[Case]) -> dict[str, dict[str, Any]]:
    table = decoders()
    names = ("zxing-cpp", "pipeline (try harder)")
    tallies = {name: {"all": Tally(), "single": Tally(), "multi": Tally()} for name in names}
    for case, image in composites(bench_dir, cases):
        run_case(table, tallies, case, image)
    return {name: summary(by_kind["multi"]) for name, by_kind in tallies.items()}


def degradations() -> dict[str, Callable[[Any], Any]]:
    """Generic damage applied to every dev image: a proxy for harder photographs.

    The held-out set is not available; these show whether a cascade step helps in
    general or only on the dev files.  Each is one fixed, simple transformation.
    """
    import cv2

    def smaller(im: Any) -> Any:
        return cv2.resize(im, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)

    def jpeg(im: Any) -> Any:
        return cv2.imdecode(cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, 30])[1], 1)

    def darker(im: Any) -> Any:
        return cv2.convertScaleAbs(im, alpha=0.35, beta=10)

    def defocus(im: Any) -> Any:
        return cv2.GaussianBlur(im, (0, 0), 1.6)

    def far_away(im: Any) -> Any:
        half = cv2.resize(im, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        return cv2.copyMakeBorder(half, 300, 300, 500, 500, cv2.BORDER_REPLICATE)

    return {"smaller 0.6x": smaller, "jpeg q30": jpeg, "darker": darker,
            "defocus σ1.6": defocus, "far away": far_away}


def run_degraded(bench_dir: Path, cases: Sequence[Case]) -> dict[str, dict[str, float]]:
    import cv2

    table = decoders()
    names = ("zxing-cpp", "pipeline (try harder)")
    results = {}
    for label, degrade in degradations().items():
        tallies = {name: Tally() for name in names}
        for case in cases:
            image = degrade(cv2.imread(str(bench_dir / case.file), cv2.IMREAD_COLOR))
            for name in names:
                started = time.perf_counter()
                texts = table[name](image)
                score(tallies[name], case, texts, (time.perf_counter() - started) * 1000)
        results[label] = {name: t.found / t.codes for name, t in tallies.items()}
        results[label]["wrong_texts"] = sum(len(t.wrong) for t in tallies.values())
    return results


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def live_frames(bench_dir: Path) -> dict[str, Any]:
    """The four timing frames: 1080p and 720p (resized), each with the code and painted over."""
    import cv2
    import numpy as np

    from inspector_app.scanning.backends import zxing_decode
    from inspector_app.scanning.cascade import to_gray

    full = cv2.imread(str(bench_dir / "frames" / "frame-1920x1080.jpg"), cv2.IMREAD_COLOR)
    if full is None:
        raise SystemExit("cannot read frames/frame-1920x1080.jpg")
    found = zxing_decode(to_gray(full), "locate")
    if not found:
        raise SystemExit("the timing frame's code was not found")
    painted = full.copy()
    quad = np.array(found[0].corners, dtype=np.float32)
    centre = quad.mean(axis=0)
    # 20% larger than the code so no finder pattern fragment survives the paint.
    cover = ((quad - centre) * 1.2 + centre).astype(np.int32)
    colour = [int(c) for c in np.median(full.reshape(-1, 3), axis=0)]
    cv2.fillConvexPoly(painted, cover, colour)
    frames = {}
    for label, size in (("1920x1080", (1920, 1080)), ("1280x720", (1280, 720))):
        for has_code, image in (("code", full), ("no code", painted)):
            resized = image if image.shape[1] == size[0] else cv2.resize(
                image, size, interpolation=cv2.INTER_AREA
            )
            frames[f"{label} {has_code}"] = resized
    return frames


def run_live(bench_dir: Path) -> dict[str, dict[str, float]]:
    from inspector_app.scanning.live import LiveDecoder

    results = {}
    for label, frame in live_frames(bench_dir).items():
        decoder = LiveDecoder()
        ms, hits = [], 0
        for _ in range(LIVE_FRAMES_PER_CASE):
            result = decoder.decode(frame)
            ms.append(result.elapsed_ms)
            hits += result.chosen is not None
        results[label] = {
            "median_ms": statistics.median(ms),
            "p95_ms": percentile(ms, 0.95),
            "decoded_frames": hits / len(ms),
        }
    return results


def summary(tally: Tally) -> dict[str, Any]:
    return {
        "images": tally.images,
        "fully_decoded": tally.full,
        "codes": tally.codes,
        "rate": tally.found / tally.codes,
        "rate_lenient": tally.found_lenient / tally.codes,
        "wrong_texts": len(tally.wrong),
        "median_ms": statistics.median(tally.ms),
        "p95_ms": percentile(tally.ms, 0.95),
        "by_category": {c: hits / n for c, (hits, n) in sorted(tally.by_category.items())},
        "misses": tally.misses,
        "wrong": [{"file": f, "text": t[:80]} for f, t in tally.wrong],
    }


def print_table(stills: dict[str, dict[str, Any]]) -> None:
    print(f"{'decoder':24} {'full':>9} {'rate':>7} {'lenient':>7} {'wrong':>5} "
          f"{'med ms':>7} {'p95 ms':>7}")
    for name, s in stills.items():
        print(f"{name:24} {s['fully_decoded']:>4}/{s['images']:<4} {s['rate']:>7.1%} "
              f"{s['rate_lenient']:>7.1%} {s['wrong_texts']:>5} {s['median_ms']:>7.1f} "
              f"{s['p95_ms']:>7.1f}")


def print_report(stills: dict[str, dict[str, Any]], by_kind: dict[str, dict[str, Any]],
                 live: dict[str, dict[str, float]], show_failures: bool) -> None:
    print_table(stills)
    for kind in ("single", "multi"):
        part = {name: k[kind] for name, k in by_kind.items() if k[kind]["images"]}
        if part:
            print(f"\n{kind}-code images: images fully decoded and codes")
            print_table(part)
    categories = sorted({c for s in stills.values() for c in s["by_category"]})
    print("\nrate per category")
    print(f"{'category':14}" + "".join(f"{n[:12]:>13}" for n in stills))
    for category in categories:
        print(f"{category:14}" + "".join(
            f"{s['by_category'].get(category, 0):>13.1%}" for s in stills.values()))
    if live:
        print("\nlive frames (LiveDecoder)")
        for label, r in live.items():
            print(f"{label:20} median {r['median_ms']:6.2f} ms  p95 {r['p95_ms']:6.2f} ms  "
                  f"decoded {r['decoded_frames']:.0%}")
    if show_failures:
        for name, s in stills.items():
            print(f"\n{name}: missed {s['misses']}\n  wrong {s['wrong']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bench-dir", type=Path,
                        default=Path(os.environ.get("QR_BENCH_DIR", DEFAULT_BENCH_DIR)))
    parser.add_argument("--decoders", default=None,
                        help="comma-separated subset of: " + ", ".join(
                            ["zxing-cpp", "pyzbar (as shipped)", "pyzbar (charset fixed)",
                             "opencv", "pipeline (try harder)"]))
    parser.add_argument("--no-live", action="store_true", help="skip the live-frame timing")
    parser.add_argument("--failures", action="store_true", help="list misses and wrong texts")
    parser.add_argument("--degraded", action="store_true",
                        help="also rerun zxing-cpp and the pipeline on degraded copies (~1 min)")
    parser.add_argument("--composites", action="store_true",
                        help="also decode multi-code composites of the dev set (~1 min)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO_ROOT))
    names = args.decoders.split(",") if args.decoders else list(decoders())
    cases = load_cases(args.bench_dir)
    tallies = run_stills(args.bench_dir, cases, names)
    stills = {n: summary(t["all"]) for n, t in tallies.items()}
    by_kind = {n: {k: summary(t[k]) for k in ("single", "multi") if t[k].images}
               for n, t in tallies.items()}
    by_kind = {n: {k: by_kind[n].get(k, {"images": 0}) for k in ("single", "multi")}
               for n in by_kind}
    live = {} if args.no_live else run_live(args.bench_dir)
    print_report(stills, by_kind, live, args.failures)
    made = run_composites(args.bench_dir, cases) if args.composites else {}
    if made:
        print("\nmulti-code composites of the dev set (pairs side by side, and twins)")
        print_table(made)
    degraded = run_degraded(args.bench_dir, cases) if args.degraded else {}
    if degraded:
        print("\ndegraded copies of the dev set: codes decoded")
        for label, rates in degraded.items():
            print(f"{label:16} zxing-cpp {rates['zxing-cpp']:6.1%}   "
                  f"pipeline {rates['pipeline (try harder)']:6.1%}   "
                  f"wrong {int(rates['wrong_texts'])}")
    if args.json:
        report = {"stills": stills, "by_kind": by_kind, "composites": made, "live": live,
                  "degraded": degraded}
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
