"""Words the console shows for codes stored in the database, Chinese first."""

from __future__ import annotations

from inspector_central.enterprise import complaints
from inspector_protocol.china_time import format_china

KINDS: dict[str, tuple[str, str]] = {
    "routine": ("日常检查", "Routine inspection"),
    "double-random": ("双随机抽查", "Double-random spot check"),
    "campaign": ("专项检查", "Campaign inspection"),
    "complaint": ("投诉举报核查", "Complaint verification"),
    "referral": ("转办交办核查", "Referral"),
    "permit": ("许可核查", "Permit check"),
    "penalty": ("行政处罚", "Administrative penalty"),
    "compulsory": ("行政强制", "Compulsory measure"),
    "survey": ("调研", "Survey"),
    "assistance": ("走访帮扶", "Courtesy or assistance visit"),
}
STATES: dict[str, tuple[str, str]] = {
    "open": ("待说明", "open"), "justified": ("已说明", "justified"), "closed": ("已关闭", "closed"),
    "checked_in": ("进行中", "in progress"), "checked_out": ("已签退", "checked out"),
    "abandoned": ("已放弃", "abandoned"),
}
RULE_KINDS: dict[str, tuple[str, str]] = {
    "rolling_window": ("滚动窗口", "rolling window"), "annual_cap": ("年度上限", "annual cap"),
    "quiet_period": ("静默期", "quiet period"), "exempt_kinds": ("不计入类别", "exemptions"),
}
SCANS: dict[str, tuple[str, str]] = {
    "signed": ("扫码（签名有效）", "scanned, signature valid"),
    "legacy": ("扫码（旧版码，未验证）", "scanned, old code, unverified"),
    "typed": ("手工输入", "typed"), "not_scanned": ("未扫码", "not scanned"),
}

TIME_FLAGS: dict[str, tuple[str, str]] = {
    "anchored": ("已按服务器时间锚点推定", "placed on the server's clock"),
    "unanchored": ("仅有设备时钟", "tablet clock only"),
    "clock_discrepancy": ("设备时钟与服务器推定时间不符", "tablet clock disagrees with the server"),
}
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "visit.checked_in": ("签到", "check-in"), "visit.co_signed": ("共同执法人员签名", "co-signed"),
    "visit.department_added": ("加入联合检查", "department joined"),
    "visit.checklist_answer": ("检查表答案", "checklist answer"), "visit.note": ("备注", "note"),
    "visit.photo": ("照片", "photo"), "visit.rectification": ("整改要求", "rectification"),
    "visit.checked_out": ("签退", "check-out"), "visit.abandoned": ("放弃", "abandoned"),
    "visit.rated": ("评价", "rating"), "visit.corrected": ("更正", "correction"),
}

AUDIT_ACTIONS: dict[str, tuple[str, str]] = {
    "sign_in": ("登录", "signed in"), "sign_in_failed": ("登录失败", "sign-in failed"),
    "sign_out": ("退出", "signed out"), "warning_justified": ("说明预警", "justified a warning"),
    "warning_closed": ("关闭预警", "closed a warning"),
    "alarm_acknowledged": ("确认告警", "acknowledged an alarm"),
    "complaint_handled": ("处理投诉", "handled a complaint"),
    "rules_installed": ("安装规则", "installed rules"), "user_added": ("新增账号", "added an account"),
    "user_disabled": ("停用账号", "disabled an account"),
    "session_revoked": ("注销会话", "revoked a session"),
}

ALARM_KINDS: dict[str, tuple[str, str]] = {
    "gap": ("记录缺失", "events missing"), "chain_broken": ("链断裂", "chain broken"),
    "fork": ("分叉", "fork"), "rollback": ("回滚", "rollback"),
    "forged_signature": ("签名无效", "forged signature"),
    "conflicting_resend": ("同号异文", "conflicting resend"),
    "foreign_device": ("冒用设备", "foreign device"), "malformed": ("格式错误", "malformed"),
    "device_key_mismatch": ("设备密钥不符", "device key mismatch"),
    "foreign_visit": ("他机检查", "foreign visit"), "replayed_event": ("重放", "replayed event"),
    "revoked_officer": ("已撤销人员", "revoked officer"),
    "revoked_device": ("已撤销设备", "revoked device"),
    "second_officer_key": ("第二把人员密钥", "second officer key"),
    "activation_refused": ("激活被拒", "activation refused"),
    "clock_discrepancy": ("时钟异常", "clock discrepancy"),
}


def label(table: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    if code is None:
        return "-"
    pair = table.get(code)
    if pair is None:
        return code
    return pair[0] if lang == "zh" else pair[1]


def when(ms: int | None) -> str:
    return "-" if ms is None else format_china(ms)


def duration(seconds: int | float | None, lang: str) -> str:
    if seconds is None:
        return "-"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} 分钟" if lang == "zh" else f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} 小时 {rest} 分" if lang == "zh" else f"{hours} h {rest} min"


COMPLAINT_STATES: dict[str, tuple[str, str]] = {
    name: (text.zh, text.en) for name, text in complaints.STATES.items()}
COMPLAINT_CATEGORIES: dict[str, tuple[str, str]] = {
    name: (text.zh, text.en) for name, text in complaints.CATEGORIES.items()}
