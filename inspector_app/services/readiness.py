"""A self-test a person can read: is this tablet ready to record visits?

Each check answers one question (is the database intact, are there keys, do
the decoders work, is there a camera, can Chinese be shown, is an endpoint
configured) with a plain sentence and, when it fails, what to do.  A check never raises: an unexpected
error becomes a failed line naming the error, since the self-test is what
people run when something is already wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

from inspector_app.services.workspace import Workspace
from inspector_protocol.errors import InspectorError
from inspector_protocol.text import Text

Outcome = Literal["ok", "warning", "failed"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    name: Text
    outcome: Outcome
    detail: Text
    #: A stable identifier for scripts (``inspector selftest --json``).
    key: str = ""


Check = Callable[[], tuple[Outcome, Text]]
NOT_SET_UP = Text("本设备尚未初始化，请先运行 inspector init。",
                  "This device is not set up yet; run inspector init first.")


def run_self_test(workspace: Workspace | None) -> list[CheckResult]:
    """Every check; those that need a ledger report a warning when there is none yet."""
    def on_ledger(check: Callable[[Workspace], tuple[Outcome, Text]]) -> Check | None:
        return None if workspace is None else partial(check, workspace)

    checks: list[tuple[str, Text, Check | None]] = [
        ("database", Text("记录数据库", "Ledger database"), on_ledger(_database)),
        ("keys", Text("密钥", "Keys"), on_ledger(_keys)),
        ("decoders", Text("二维码识别", "QR decoding"), _decoders),
        ("camera", Text("摄像头", "Camera"), _camera),
        ("fonts", Text("中文字体", "Chinese font"), _fonts),
        ("endpoint", Text("中心端", "Central endpoint"), on_ledger(_endpoint)),
        ("provisioning", Text("配置码核验", "Provisioning"), _provisioning),
        ("updates", Text("版本更新", "Updates"), on_ledger(_updates)),
    ]
    return [CheckResult(name, "warning", NOT_SET_UP, key) if check is None
            else _run(key, name, check) for key, name, check in checks]


def _run(key: str, name: Text, check: Check) -> CheckResult:
    try:
        outcome, detail = check()
    except InspectorError as exc:
        outcome, detail = "failed", exc.text
    except Exception as exc:
        log.warning("self-test check %s failed", name.en, exc_info=True)
        outcome, detail = "failed", Text("意外错误：{err}", "Unexpected error: {err}").format(
            err=f"{type(exc).__name__}: {exc}")
    return CheckResult(name, outcome, detail, key)


def _database(workspace: Workspace) -> tuple[Outcome, Text]:
    from inspector_app.ledger.verify import verify_ledger

    report = verify_ledger(workspace.ledger.conn)
    if report.intact:
        return "ok", Text("{n} 条记录全部验证通过。", "All {n} events verified.").format(
            n=report.events_checked)
    first = report.first_problem_seq()
    return "failed", Text("发现 {n} 处问题，第一处在第 {seq} 条记录。请联系管理员，不要删除数据。",
                          "{n} problem(s) found, the first at event {seq}. Contact IT; do not "
                          "delete anything.").format(n=len(report.problems), seq=first)


def _keys(workspace: Workspace) -> tuple[Outcome, Text]:
    officers = workspace.ledger.officer_keys()
    workspace.ledger.device_signer()  # raises if the device key is missing or unreadable
    if not officers:
        return "warning", Text("设备密钥正常；尚无执法人员在本设备登记。",
                               "Device key present; no officer is enrolled on this device yet.")
    return "ok", Text("设备密钥正常；已登记执法人员 {n} 名。",
                      "Device key present; {n} officer(s) enrolled.").format(n=len(officers))


def _decoders() -> tuple[Outcome, Text]:
    try:
        import numpy as np
        import segno

        from inspector_app.scanning.cascade import decode_still
    except ImportError as exc:
        return "failed", Text("识别组件未安装（{name}）；仍可手工输入代码。",
                              "A decoding component is missing ({name}); typed entry still "
                              "works.").format(name=exc.name)
    sample = "91371421EUHUXQEE8D"
    matrix = np.array(segno.make_qr(sample, error="m").matrix, dtype=np.uint8)
    image = np.kron(np.pad(1 - matrix, 4, constant_values=1), np.ones((6, 6), np.uint8)) * 255
    found = decode_still(image, try_harder=False)
    if found.chosen is not None and found.chosen.text == sample:
        return "ok", Text("识别正常（{ms:.0f} 毫秒）。", "Decoding works ({ms:.0f} ms).").format(
            ms=found.elapsed_ms)
    return "failed", Text("无法识别测试二维码。", "The test code could not be decoded.")


def _camera() -> tuple[Outcome, Text]:
    from inspector_app.scanning.sources import enumerate_cameras

    cameras = enumerate_cameras()
    if not cameras:
        return "warning", Text("未找到摄像头：可手工输入代码或使用演示视频。",
                               "No camera found: type codes or use the demo video.")
    return "ok", Text("找到摄像头：{names}", "Camera(s) found: {names}").format(
        names="、".join(c.name for c in cameras))


def _fonts() -> tuple[Outcome, Text]:
    from inspector_app.checklists.fonts import PREFERRED_FAMILIES, find_cjk_font

    font = find_cjk_font()  # raises an EnvironmentProblem naming what to install
    if font.family != PREFERRED_FAMILIES[0]:
        return "warning", Text("使用 {family}（{path}）；建议安装 Noto Sans CJK SC。",
                               "Using {family} ({path}); Noto Sans CJK SC is recommended.").format(
            family=font.family, path=font.path)
    return "ok", Text("{family}（{path}）", "{family} ({path})").format(
        family=font.family, path=font.path)


def _endpoint(workspace: Workspace) -> tuple[Outcome, Text]:
    endpoint = workspace.profile.endpoint
    if endpoint is None:
        return "warning", Text("部门配置未指定中心端地址。", "The profile names no central endpoint.")
    return "warning", Text("已配置 {url}；本版本尚未检测连通性。",
                           "Configured as {url}; this version does not test the connection "
                           "yet.").format(url=endpoint.url)


def _provisioning() -> tuple[Outcome, Text]:
    from inspector_app.platform.provisioning_keys import installed_keys_path
    from inspector_app.services.provisioning import trusted_keys

    found = trusted_keys()
    if not found:
        return "warning", Text("未安装部门配置公钥（{path}），无法用配置码设置平板。",
                               "No provisioning key installed ({path}): provisioning codes cannot "
                               "be checked.").format(path=installed_keys_path())
    return "ok", Text("信任的配置公钥：{ids}", "Trusted provisioning key(s): {ids}").format(
        ids=", ".join(sorted(found)))


def _updates(workspace: Workspace) -> tuple[Outcome, Text]:
    from inspector_app.services.updates import seen_manifest, update_notice

    notice = update_notice(workspace)
    if notice is not None:
        return "warning", notice.text
    seen = seen_manifest(workspace)
    if seen is None:
        return "ok", Text("尚未收到版本清单（同步时获取）。",
                          "No release manifest received yet (fetched when syncing).")
    return "ok", Text("已是最新版本（最新发布 {v}）。", "Up to date (newest release {v}).").format(
        v=seen.version)
