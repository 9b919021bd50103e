"""Every module of the tablet sits in a layer of the architecture contract (pyproject.toml).

import-linter checks only the modules a contract names; a module left at the top of the
package would escape the layers unnoticed.  Only the entry point and the package's own
``__init__``/``__main__`` stand outside them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_THE_LAYERS = {"__init__", "__main__", "launcher"}


def _layered_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    names = set()
    for layer in layers:
        for part in layer.replace("|", ":").split(":"):
            names.add(part.strip())
    return names


def _top_level_modules() -> set[str]:
    package = ROOT / "inspector_app"
    modules = {p.stem for p in package.glob("*.py")}
    modules |= {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    return modules


def test_every_module_of_the_tablet_is_in_a_layer() -> None:
    layered = _layered_packages()
    loose = sorted(m for m in _top_level_modules() - OUTSIDE_THE_LAYERS
                   if f"inspector_app.{m}" not in layered)
    assert loose == [], f"add these to a layer of the contract in pyproject.toml: {loose}"


def test_every_layer_names_a_real_package() -> None:
    modules = _top_level_modules()
    missing = sorted(name for name in _layered_packages()
                     if name.startswith("inspector_app.") and name.split(".")[1] not in modules)
    assert missing == []
