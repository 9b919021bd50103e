"""What Wine 8 can run of the Windows bundle, run by packaging/check-windows with the
installed bundle's own python.exe.  Prints one JSON object; exits non-zero on a failure.

Wine 8 cannot load PySide6 (Qt6Core needs icuuc.dll), cryptography >= 50 and
pydantic-core (bcryptprimitives.dll) nor numpy 2 (ucrtbase's crealf is unimplemented),
hence neither the tablet app nor its self-test; those run on a real Windows runner
(.github/workflows/windows-installer.yml).  What does run here is checked for real:
the interpreter and its fixed module path, TLS, SQLite with the ledger's settings and the
backup API, the QR decoders on a generated code, China Standard Time from the bundled time
zone data, and the data folder location.
"""

import importlib
import json
import sqlite3
import ssl
import sys
import tempfile
from pathlib import Path

SAMPLE = "91371421EUHUXQEE8D"
#: Refused with an ImportError under Wine 8.  numpy (and so OpenCV) is not tried: it does
#: not fail cleanly but crashes the process on an unimplemented ucrtbase function.
EXPECTED_UNLOADABLE = ("PySide6.QtCore", "cryptography.hazmat.bindings._rust",
                       "pydantic_core._pydantic_core")


def main() -> int:
    report: dict[str, object] = {"python": sys.version.split()[0], "isolated": sys.flags.isolated}
    report["path_is_fixed"] = all("site-packages" in p or p.endswith(("python311.zip", "python", "app"))
                                  for p in sys.path)
    report["tls"] = ssl.OPENSSL_VERSION
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(Path(folder) / "ledger.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute("COMMIT")
        copy = sqlite3.connect(Path(folder) / "copy.sqlite3")
        conn.backup(copy)
        report["sqlite"] = [sqlite3.sqlite_version, copy.execute("SELECT x FROM t").fetchone()[0]]
        copy.close()
        conn.close()

    import segno
    import zxingcpp
    from PIL import Image
    from pyzbar import pyzbar

    qr = segno.make_qr(SAMPLE, error="m")
    image = Image.new("L", (1, 1))
    with tempfile.TemporaryDirectory() as folder:
        png = Path(folder) / "qr.png"
        qr.save(str(png), scale=6, border=4)
        image = Image.open(png).convert("L")
        image.load()
    report["zxing_cpp"] = [b.text for b in zxingcpp.read_barcodes(image)]
    report["pyzbar"] = [d.data.decode() for d in pyzbar.decode(image)]

    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo  # Windows has no tz database: the bundled tzdata package
    offset = datetime.now(ZoneInfo("Asia/Shanghai")).utcoffset()
    report["china_time_offset_h"] = None if offset is None else offset / timedelta(hours=1)

    import platformdirs
    report["data_dir"] = platformdirs.user_data_dir("inspector", appauthor=False)

    unloadable = {}
    for module in EXPECTED_UNLOADABLE:
        try:
            importlib.import_module(module)
            unloadable[module] = "loaded"
        except ImportError as exc:
            unloadable[module] = f"{type(exc).__name__}: {exc}"
    report["not_loadable_under_wine"] = unloadable
    print(json.dumps(report, ensure_ascii=False, indent=1))
    ok = (report["zxing_cpp"] == [SAMPLE] and report["pyzbar"] == [SAMPLE] and report["path_is_fixed"]
          and report["china_time_offset_h"] == 8)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
