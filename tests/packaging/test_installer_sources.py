"""The Windows installer sources and the Linux desktop files: well formed, and naming the
files the bundle really has.  Compiling needs makensis and wixl (the test command installs
them); building the real bundle is left to packaging/check-windows."""

from __future__ import annotations

import configparser
import importlib.util
import io
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

from tests.conftest import missing_locally

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = ROOT / "packaging" / "windows"


def load_assemble() -> Any:
    """packaging/windows/assemble.py is a build script, not a package: load it by path."""
    spec = importlib.util.spec_from_file_location("assemble", WINDOWS / "assemble.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["assemble"] = module
    spec.loader.exec_module(module)
    return module


assemble = load_assemble()

WIX = "{http://schemas.microsoft.com/wix/2006/wi}"


def fake_bundle(folder: Path) -> Path:
    """The top level of an assembled bundle, with tiny stand-ins for its files."""
    bundle = folder / "Inspector"
    for name in [*assemble.LAUNCHERS, "BUILD-INFO", "python/python.exe", "app/inspector_app/__init__.py"]:
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_text("stand-in")
    shutil.copy2(ROOT / "packaging/icons/inspector.ico", bundle / "inspector.ico")
    return bundle


def test_the_nsis_script_installs_per_machine_and_registers_a_quiet_uninstall() -> None:
    script = (WINDOWS / "inspector.nsi").read_text(encoding="utf-8")
    assert "Target amd64-unicode" in script and "RequestExecutionLevel admin" in script
    assert 'InstallDir "$PROGRAMFILES64\\${PRODUCT}"' in script
    assert "SetShellVarContext all" in script
    assert '"QuietUninstallString" \'"$INSTDIR\\uninstall.exe" /S\'' in script
    registry = [line.split() for line in script.splitlines()
                if line.strip().startswith(("WriteReg", "DeleteReg", "ReadReg"))]
    assert registry and all("HKLM" in words for words in registry)
    assert "HKCU" not in script
    # The uninstaller removes by name exactly what the bundle holds at its top level.
    removed = {line.split('"$INSTDIR\\')[1].rstrip('"') for line in script.splitlines()
               if line.strip().startswith(("RMDir /r \"$INSTDIR\\", "Delete \"$INSTDIR\\"))}
    assert removed == {*assemble.LAUNCHERS, "python", "app", "inspector.ico", "BUILD-INFO",
                       "uninstall.exe"}
    assert "RMDir /r \"$INSTDIR\"" not in script  # never the whole (possibly shared) folder


def test_the_nsis_script_compiles_into_an_installer(tmp_path: Path) -> None:
    if shutil.which("makensis") is None:
        missing_locally("makensis (Debian package nsis)")
    bundle = fake_bundle(tmp_path)
    setup = tmp_path / "setup.exe"
    result = subprocess.run(["makensis", "-V2", "-DVERSION=0.1.0", f"-DBUNDLE={bundle}",
                             f"-DOUTFILE={setup}", str(WINDOWS / "inspector.nsi")],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert setup.read_bytes()[:2] == b"MZ"


def test_the_wix_source_is_a_per_machine_product_under_program_files() -> None:
    tree = ET.parse(WINDOWS / "inspector.wxs")
    product = tree.find(f"{WIX}Product")
    assert product is not None and product.get("UpgradeCode")
    package = product.find(f"{WIX}Package")
    assert package is not None and package.get("InstallScope") == "perMachine"
    program_files = product.find(f".//{WIX}Directory[@Id='ProgramFiles64Folder']")
    assert program_files is not None
    assert program_files.find(f"{WIX}Directory[@Id='INSTALLDIR']") is not None
    shortcut = product.find(f".//{WIX}Shortcut")
    assert shortcut is not None
    assert shortcut.get("Target") == "[INSTALLDIR]inspector-gui.exe"
    assert "inspector-gui.exe" in assemble.LAUNCHERS
    assert product.find(f"{WIX}MajorUpgrade") is not None


def test_wixl_builds_an_msi_from_the_bundle_listing(tmp_path: Path) -> None:
    if shutil.which("wixl") is None or shutil.which("wixl-heat") is None:
        missing_locally("wixl and wixl-heat (Debian packages wixl, msitools)")
    bundle = fake_bundle(tmp_path)
    listing = "\n".join(sorted(str(p.relative_to(tmp_path)) for p in bundle.rglob("*") if p.is_file()))
    heat = subprocess.run(["wixl-heat", "--prefix", "Inspector/", "--directory-ref", "INSTALLDIR",
                           "--component-group", "BundleFiles", "--var", "var.BundleDir", "--win64"],
                          input=listing, capture_output=True, text=True, check=True, timeout=60)
    (tmp_path / "files.wxs").write_text(heat.stdout)
    result = subprocess.run(["wixl", "--arch", "x64", "-D", "Win64=yes", "-D", "Version=0.1.0",
                             "-D", "BundleDir=Inspector", "-o", "inspector.msi",
                             str(WINDOWS / "inspector.wxs"), "files.wxs"],
                            cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    files = subprocess.run(["msiinfo", "export", "inspector.msi", "File"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout
    assert "inspector.exe" in files and "python.exe" in files


def test_a_launcher_runs_the_bundled_python_with_the_app_entry_point(tmp_path: Path) -> None:
    wheel = tmp_path / "distlib-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("distlib/t64.exe", b"MZconsole-stub")
        archive.writestr("distlib/w64.exe", b"MZwindowed-stub")
    assemble.write_launchers(tmp_path, wheel)
    gui = (tmp_path / "inspector-gui.exe").read_bytes()
    assert gui.startswith(b"MZwindowed-stub#!\"<launcher_dir>\\python\\pythonw.exe\" -I\r\n")
    with zipfile.ZipFile(io.BytesIO(gui)) as archive:  # the zip after the stub and shebang
        main = archive.read("__main__.py").decode()
    module, function = assemble.console_scripts(ROOT / "pyproject.toml")["inspector"].split(":")
    assert f"from {module} import {function} as main" in main and "['gui', *sys.argv[1:]]" in main
    console = (tmp_path / "inspector.exe").read_bytes()
    assert b"<launcher_dir>\\python\\python.exe" in console


def test_pe_imports_reads_the_import_table_of_a_windows_program() -> None:
    import pip

    stub = Path(pip.__file__).parent / "_vendor" / "distlib" / "t64.exe"  # pip vendors it
    assert "kernel32.dll" in assemble.pe_imports(stub)


def test_windows_wheels_must_match_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("PySide6_Essentials==6.11.3\nzxing-cpp==3.1.1  # decoder\n")
    pins = assemble.lock_pins(lock)
    assert pins == {"pyside6-essentials": "6.11.3", "zxing-cpp": "3.1.1"}
    wheel = Path("pyside6_essentials-6.11.3-cp310-abi3-win_amd64.whl")
    assert pins[assemble.wheel_name_version(wheel)[0]] == assemble.wheel_name_version(wheel)[1]


def test_the_pyinstaller_spec_collects_the_three_packages() -> None:
    spec = (ROOT / "packaging/common/inspector.spec").read_text()
    assert 'PACKAGES = ("inspector_app", "inspector_central", "inspector_protocol")' in spec
    assert assemble.PACKAGES == ("inspector_app", "inspector_central", "inspector_protocol")


def test_the_menu_entry_starts_the_app_under_its_chinese_name() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(ROOT / "packaging/linux/inspector.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Name"] == "入企扫码" and desktop["Name[en]"]
    assert desktop["Exec"] == "/opt/inspector/inspector gui"
    assert desktop["Icon"] == "inspector"
    build = (ROOT / "packaging/linux/build-deb").read_text()
    assert "hicolor/${size}x${size}/apps/inspector.png" in build
    for size in (16, 32, 48, 256):
        assert (ROOT / f"packaging/icons/inspector-{size}.png").is_file()


def test_the_package_depends_on_what_the_bundle_loads_from_the_system() -> None:
    control = (ROOT / "packaging/linux/debian/inspector/control.in").read_text()
    depends = next(line for line in control.splitlines() if line.startswith("Depends:"))
    for package in ("fonts-noto-cjk", "libzbar0", "libxcb-cursor0", "libegl1"):
        assert package in depends
