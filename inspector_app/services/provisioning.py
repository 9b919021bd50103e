"""Set up a tablet from a provisioning package: no typing (``inspector init --provision``).

Shared by the command line and the app's first-start screen.  Order matters:
everything that can refuse the package is checked before anything is written —

1. the package is read (a package file, a text file holding a ``PV1:`` code, or a
   photo of one code, decoded by the same pipeline as the camera);
2. its signature must come from a provisioning key this installation trusts, and it
   must not have expired;
3. this tablet must not have applied it before, and must not serve another department;
4. the centre is asked for the profile the package names, proving the token by its
   hash only: an unknown, spent or expired token is refused here, by the centre, with
   the reply signed by the very server key the package says to pin;
5. the profile's SHA-256 must be the package's, and it must name the department.

Only then is the workspace created and the device enrolled with the token (which the
centre spends), pinning the package's server key.  If the enrolment fails after all,
whatever this run created in the data folder is removed again, so a refused or
failed provisioning leaves the folder as it found it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector_app.platform.clock import Clock, SystemClock
from inspector_app.platform.provisioning_keys import installed_keys_path
from inspector_app.profile import Profile, parse_profile
from inspector_app.services.workspace import (
    Workspace,
    init_workspace,
    install_profile,
    is_initialised,
    open_workspace,
)
from inspector_app.sync.failures import SyncFailure
from inspector_app.sync.responses import Pinned, refusal_of
from inspector_app.sync.transport import Reply, RetryPolicy, Transport, trust_verify
from inspector_protocol import keys
from inspector_protocol import provisioning as pv
from inspector_protocol.errors import EnvironmentProblem, InspectorError, UserError
from inspector_protocol.provisioning import ProvisioningRefused, refused
from inspector_protocol.text import Text
from inspector_protocol.wire import API_PREFIX

#: Where the ledger remembers which packages it applied and for which department.
META_KEY = "provisioning"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
#: The public keys shipped in the build, if the department builds its own (PEM text).
BUILT_IN_KEYS = ""


@dataclass(frozen=True)
class PackageSource:
    signed: pv.SignedPackage
    #: The profile, when the package file carries it (a QR code cannot).
    profile: bytes | None
    label: str | None
    origin: str


@dataclass(frozen=True)
class ProvisionResult:
    device_name: str
    department: str
    server_key_id: str
    profile_name: str
    device_id: str
    resumed: bool


TransportFactory = Callable[[str, str | bool], Transport]


# -- which keys this installation trusts ---------------------------------------------------


def trusted_keys() -> dict[str, bytes]:
    found = pv.parse_public_keys(BUILT_IN_KEYS) if BUILT_IN_KEYS else {}
    path = installed_keys_path()
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return found
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvironmentProblem(
            Text("无法读取部门配置公钥文件 {path}：{err}",
                    "Cannot read the provisioning key file {path}: {err}").format(
                path=path, err=getattr(exc, "strerror", None) or exc),
            Text("请让信息化部门重新安装该文件。", "Ask department IT to install it again."),
            code="provisioning.keys_unreadable") from None
    try:
        return {**found, **pv.parse_public_keys(text)}
    except ValueError:
        raise EnvironmentProblem(
            Text("{path} 不是有效的部门配置公钥文件。", "{path} is not a valid provisioning key file.")
            .format(path=path),
            Text("请让信息化部门重新安装该文件。", "Ask department IT to install it again."),
            code="provisioning.keys_unreadable") from None


class NotSetUp(UserError):
    def __init__(self) -> None:
        super().__init__(Text("本平板尚未配置：请扫描信息化部门发放的配置码。",
                              "This tablet is not set up yet: scan the provisioning code from "
                              "department IT."), code="provisioning.not_set_up")


# -- reading a package -----------------------------------------------------------------------


def read_source(path: Path) -> PackageSource:
    """A package file, a text file holding a ``PV1:`` code, or a photo of one code."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return source_from_text(_decode_photo(path), f"photo:{path.name}")
    try:
        raw = path.read_bytes()[: pv.MAX_FILE_BYTES + 1]
    except OSError as exc:
        raise EnvironmentProblem(
            Text("无法读取 {path}：{err}", "Cannot read {path}: {err}").format(
                path=path, err=exc.strerror or exc),
            Text("请检查 U 盘和文件。", "Check the USB stick and the file."),
            code="provisioning.unreadable") from None
    if raw.lstrip().startswith(b"{"):
        document = pv.read_file(raw, path.name)
        return PackageSource(document.signed, pv.profile_bytes(document), document.label, "file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise refused("not_a_package", "{source} 不是配置文件。",
                      "{source} is not a provisioning package.", source=path.name) from None
    return source_from_text(text, path.name)


def source_from_text(text: str, origin: str) -> PackageSource:
    """A scanned code (the camera's text, or a photo's)."""
    return PackageSource(pv.decode_text(text), None, None, origin)


def _decode_photo(path: Path) -> str:
    from inspector_app.platform.settings import MAX_IMAGE_PIXELS, STILL_BUDGET
    from inspector_app.scanning.cascade import decode_still
    from inspector_app.scanning.imageio import read_image

    image = read_image(path, max_pixels=MAX_IMAGE_PIXELS.from_env() or MAX_IMAGE_PIXELS.default)
    result = decode_still(image, try_harder=True,
                          budget_s=STILL_BUDGET.from_env() or STILL_BUDGET.default)
    texts = [d.text for d in result.detections]
    if not texts:
        raise refused("no_code", "照片 {name} 中没有找到二维码。请对准配置码重新拍摄。",
                      "No QR code was found in the photo {name}. Photograph the provisioning "
                      "code again, closer.", name=path.name)
    ours = [t for t in texts if t.strip().startswith(pv.PREFIX)]
    return ours[0] if ours else texts[0]


# -- applying it --------------------------------------------------------------------------------


def provision(data_dir: Path, source: PackageSource, *, clock: Clock | None = None,
              trusted: dict[str, bytes] | None = None,
              transport: TransportFactory | None = None) -> ProvisionResult:
    clock = clock or SystemClock()
    make_transport = transport or _transport
    package = pv.verify_package(source.signed, trusted_keys() if trusted is None else trusted,
                                clock.now().wall_ms // 1000)
    existing = _existing_state(data_dir, package) if is_initialised(data_dir) else None
    with tempfile.TemporaryDirectory(prefix="inspector-provision-") as scratch:
        profile_raw = _profile_from_centre(package, source.profile, make_transport,
                                           None if existing is None else existing[0],
                                           Path(scratch))
        profile = _check_profile(package, profile_raw)
        verify = trust_verify(profile.endpoint.trust_anchors if profile.endpoint else (),
                              Path(scratch))
        profile_file = Path(scratch) / "profile.json"
        profile_file.write_bytes(profile_raw)
        before = _listing(data_dir)
        try:
            if existing is None:
                ws = init_workspace(data_dir, profile_file, clock)
            else:
                ws = open_workspace(data_dir, clock)
            with ws:
                result = _enrol(ws, package, make_transport(package.endpoint, verify),
                                replace=existing is not None)
                if ws.profile.content_hash != package.profile_sha256:
                    install_profile(ws, profile_file)
                _remember(ws, package, source.label)
                return ProvisionResult(result.device_name, package.department,
                                       result.server_key_id, ws.profile.name.render("zh"),
                                       ws.ledger.device_id, existing is not None)
        except BaseException:
            if existing is None:
                _restore(data_dir, before)
            raise


def _existing_state(data_dir: Path, package: pv.ProvisioningPackage) -> tuple[str, dict[str, Any]]:
    """This tablet's device id and provisioning record; refuses a replay or another department."""
    ws = open_workspace(data_dir)
    try:
        record = applied_record(ws)
        departments = {d.id for d in ws.profile.departments}
        device = ws.ledger.device_id
    finally:
        ws.close()
    if package.package in record.get("packages", []):
        raise refused("already_applied", "本平板已经使用过这个配置码，不能重复使用。未做任何更改。",
                      "This tablet already applied this provisioning package; it is not applied "
                      "twice. Nothing was changed.")
    serving = record.get("department")
    if (serving is not None and serving != package.department) or (
            serving is None and package.department not in departments):
        raise refused("other_department",
                      "本平板已为部门“{serving}”配置，不能使用部门“{dep}”的配置码。未做任何更改。",
                      "This tablet is set up for department '{serving}'; a provisioning code of "
                      "department '{dep}' is refused. Nothing was changed.",
                      serving=serving or ", ".join(sorted(departments)), dep=package.department)
    return device, record


def applied_record(ws: Workspace) -> dict[str, Any]:
    raw = ws.ledger.meta(META_KEY)
    value = json.loads(raw) if raw else {}
    return value if isinstance(value, dict) else {}


def _remember(ws: Workspace, package: pv.ProvisioningPackage, label: str | None) -> None:
    record = applied_record(ws)
    record.update({"department": package.department, "endpoint": package.endpoint,
                   "server_key": keys.key_id(package.server_public_key), "label": label,
                   "applied_ms": ws.clock.now().wall_ms,
                   "packages": [*record.get("packages", []), package.package]})
    ws.ledger.set_meta(META_KEY, json.dumps(record, ensure_ascii=False, sort_keys=True))


def _profile_from_centre(package: pv.ProvisioningPackage, carried: bytes | None,
                         make_transport: TransportFactory, device: str | None,
                         scratch: Path) -> bytes:
    """Ask the centre about the token (by its hash) and get the profile it names.

    TLS here is checked against the system's trust store (the profile, with the
    department's own CA, is not known yet); the pinned server key's signature on
    the reply is what the tablet believes, and the token itself is not sent."""
    verify: str | bool = True
    if carried is not None:
        profile = _check_profile(package, carried)
        anchors = profile.endpoint.trust_anchors if profile.endpoint else ()
        if anchors:
            verify = trust_verify(anchors, scratch)
    transport = make_transport(package.endpoint, verify)
    public = package.server_public_key
    transport.pinned = Pinned(keys.key_id(public), public, device or "")
    params = {"proof": pv.token_proof(package.token), "nonce": secrets.token_urlsafe(18)}
    if device is not None:
        params["device"] = device
    try:
        reply = transport.exchange(
            "GET", f"{API_PREFIX}/provisioning/profiles/{package.profile_sha256}", _reply,
            params=params)
    except SyncFailure as failure:
        raise _unreachable(failure) from None
    finally:
        transport.close()
    if reply.status != 200:
        code, text = refusal_of(reply.body)
        raise ProvisioningRefused(text, code=code)
    try:
        return keys.b64decode(str((reply.body or {}).get("profile")))
    except ValueError:
        raise refused("bad_answer", "中心端的答复无效，未做任何更改。",
                      "The central endpoint's answer is not valid; nothing was changed.") from None


def _reply(reply: Reply) -> Reply:
    return reply


def _unreachable(failure: SyncFailure) -> InspectorError:
    if failure.kind == "not_central":
        return refused("not_central",
                       "答复不是由配置码指定的中心端签名的：{why}。未做任何更改。",
                       "The answer is not signed by the central endpoint the package names: {why}. "
                       "Nothing was changed.", why=failure.text)
    return EnvironmentProblem(
        Text("无法连接中心端 {why}。未做任何更改。",
                "Cannot reach the central endpoint: {why}. Nothing was changed.").format(
            why=failure.text),
        Text("请连接部门网络后重试。", "Connect to the department's network and try again."),
        code="provisioning.offline")


def _check_profile(package: pv.ProvisioningPackage, raw: bytes) -> Profile:
    if hashlib.sha256(raw).hexdigest() != package.profile_sha256:
        raise refused("profile_mismatch", "部门配置与配置码中的校验值不符，未做任何更改。",
                      "The department profile does not match the hash in the provisioning "
                      "package; nothing was changed.")
    try:
        profile = parse_profile(raw, "profile")
    except UserError as exc:
        raise refused("bad_profile", "配置码所指的部门配置无效：{why}",
                      "The profile the package names is not valid: {why}", why=exc.text) from None
    if profile.department(package.department) is None:
        raise refused("department_missing", "部门配置中没有部门“{dep}”。未做任何更改。",
                      "The profile has no department '{dep}'. Nothing was changed.",
                      dep=package.department)
    return profile


def _enrol(ws: Workspace, package: pv.ProvisioningPackage, transport: Transport,
           replace: bool) -> Any:
    from inspector_app.sync.enrol import enrol

    try:
        return enrol(ws, transport, package.token, replace_server_key=replace,
                     expect_server_key=package.server_public_key)
    except SyncFailure as failure:
        raise _unreachable(failure) from None
    finally:
        transport.close()


def _transport(url: str, verify: str | bool) -> Transport:
    return Transport(url, verify, retry=RetryPolicy(attempts=2, base_delay_s=0.5, max_delay_s=2.0,
                                                    budget_s=20.0))


# -- leaving the folder as it was ----------------------------------------------------------------


def _listing(folder: Path) -> set[str] | None:
    """The entries of ``folder`` (None when it does not exist)."""
    if not folder.exists():
        return None
    return {entry.name for entry in folder.iterdir()}


def _restore(folder: Path, before: set[str] | None) -> None:
    """Remove what this run added (a new ledger and profile only: nothing of value)."""
    if not folder.exists():
        return
    if before is None:
        shutil.rmtree(folder)
        return
    for entry in folder.iterdir():
        if entry.name in before:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
