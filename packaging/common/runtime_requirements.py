"""Print the project's runtime requirements (dependencies and the bundled extras), one a line.

The bundles hold the tablet app and the central endpoint, so they need the core
dependencies and the extras below, at the versions pinned in requirements.lock.

    python packaging/common/runtime_requirements.py [pyproject.toml]
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

BUNDLED_EXTRAS = ("scanning", "gui", "reports", "central")


def runtime_requirements(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    found = list(project.get("dependencies", []))
    for name in BUNDLED_EXTRAS:
        found += extras.get(name, [])
    return found


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    print("\n".join(runtime_requirements(Path(sys.argv[1]) if len(sys.argv) > 1
                                         else root / "pyproject.toml")))
