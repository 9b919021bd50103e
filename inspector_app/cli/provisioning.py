"""``inspector init --provision FILE``: set up and enrol this tablet from a package from IT."""

from __future__ import annotations

from pathlib import Path

from inspector_app.cli.common import say
from inspector_app.services.provisioning import provision, read_source
from inspector_protocol.text import Text


def run_provision(folder: Path, package: Path) -> int:
    result = provision(folder, read_source(package))
    say(Text("已按配置码完成设置：{dir}\n设备编号：{device}\n中心端登记名称：{name}\n部门：{dep}\n"
             "部门配置：{profile}\n中心端密钥 {key} 已固定。",
             "Set up from the provisioning package: {dir}\nDevice id: {device}\nEnrolled as: "
             "{name}\nDepartment: {dep}\nProfile: {profile}\nThe central endpoint's key {key} is "
             "pinned.").format(dir=folder, device=result.device_id, name=result.device_name,
                               dep=result.department, profile=result.profile_name,
                               key=result.server_key_id))
    return 0
