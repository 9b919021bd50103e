"""Load a department profile file: strictly decoded, validated as a whole.

A bad profile changes nothing: it is refused with every problem at once, and
the previous one stays in force.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

from inspector_app.profile.model import Profile
from inspector_protocol.errors import EnvironmentProblem
from inspector_protocol.shapes import parse_document
from inspector_protocol.text import Text

MAX_PROFILE_BYTES = 16 * 1024 * 1024


def parse_profile(raw: bytes, source: str = "profile") -> Profile:
    """Validate profile bytes and build the typed :class:`Profile`."""
    profile, _ = parse_document(Profile, raw, source, MAX_PROFILE_BYTES)
    profile._content_hash = hashlib.sha256(raw).hexdigest()
    return profile


def load_profile(path: Path) -> Profile:
    return parse_profile(read_profile_bytes(path), path.name)


def read_profile_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise EnvironmentProblem(
            Text("找不到部门配置文件：{path}", "Department profile not found: {path}").format(
                path=path
            ),
            Text("请检查路径，或不带 --profile 使用演示配置。",
                 "Check the path, or omit --profile to use the demo profile."),
            code="profile.missing",
        ) from None
    except OSError as exc:
        raise EnvironmentProblem(
            Text("无法读取部门配置文件 {path}：{err}", "Cannot read the profile {path}: {err}")
            .format(path=path, err=exc.strerror),
            Text("请检查文件权限。", "Check the file's permissions."),
            code="profile.unreadable",
        ) from None


def demo_profile_path() -> Path:
    """The bundled demo profile (a fictional 陵城区市场监督管理局)."""
    return Path(str(resources.files("inspector_app.resources").joinpath("demo-profile.json")))
