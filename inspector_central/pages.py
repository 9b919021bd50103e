"""The public verification pages as HTML: small, readable on a guard's phone, Chinese then English.

Plain server-rendered HTML with inline CSS.  Every value that comes from a
request or the database goes through :func:`html.escape`.  The one script is a
convenience for links that carry the code in the URL fragment (which browsers
never send): it moves the fragment into ``?code=``; without it, the form works.
"""

from __future__ import annotations

from html import escape

from inspector_central.verification import CredentialCheck, ReceiptCheck
from inspector_protocol.china_time import ZONE_LABEL_ZH, format_china

_STYLE = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;
background:#f4f5f7;color:#1d2129;font-size:17px;line-height:1.5}
main{max-width:34rem;margin:0 auto;padding:1rem}
.verdict{border-radius:.6rem;padding:1rem;margin:.5rem 0 1rem;color:#fff}
.ok{background:#1e7d32}.warn{background:#b26a00}.bad{background:#b3261e}
.verdict .en,.en{opacity:.85;font-size:.9em}
dl{background:#fff;border-radius:.6rem;padding:.5rem 1rem;margin:0}
dt{font-weight:600;margin-top:.6rem}dd{margin:0 0 .2rem}
form{margin-top:1.5rem}input{width:100%;box-sizing:border-box;font-size:1rem;padding:.5rem}
button{margin-top:.5rem;font-size:1rem;padding:.5rem 1rem}
"""
_FRAGMENT_TO_QUERY = (
    "<script>if(location.hash.length>1&&!location.search){location.replace("
    "location.pathname+'?code='+encodeURIComponent(decodeURIComponent("
    "location.hash.slice(1))))}</script>")


def _page(title_zh: str, title_en: str, content: str, script: str = "") -> str:
    return ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            "<meta name=\"referrer\" content=\"no-referrer\">"
            f"<title>{escape(title_zh)} · {escape(title_en)}</title><style>{_STYLE}</style>"
            f"{script}</head><body><main><h1>{escape(title_zh)}<br>"
            f"<span class=\"en\">{escape(title_en)}</span></h1>{content}</main></body></html>")


def _verdict(css: str, zh: str, en: str) -> str:
    return (f"<div class=\"verdict {css}\"><strong>{escape(zh)}</strong><br>"
            f"<span class=\"en\">{escape(en)}</span></div>")


def _facts(rows: list[tuple[str, str, str | None]]) -> str:
    items = "".join(f"<dt>{escape(zh)} <span class=\"en\">{escape(en)}</span></dt>"
                    f"<dd>{escape(value)}</dd>" for zh, en, value in rows if value is not None)
    return f"<dl>{items}</dl>" if items else ""


def _when(ms: int | None) -> str | None:
    if ms is None:
        return None
    return f"{format_china(ms, seconds=True)}（{ZONE_LABEL_ZH}）"


def _form(action: str, name: str, label_zh: str, label_en: str, value: str = "") -> str:
    return (f"<form method=\"get\" action=\"{escape(action)}\"><label for=\"{name}\">"
            f"{escape(label_zh)} <span class=\"en\">{escape(label_en)}</span></label>"
            f"<input id=\"{name}\" name=\"{name}\" value=\"{escape(value)}\" autocomplete=\"off\">"
            "<button type=\"submit\">核验 Verify</button></form>")


# -- officer credential --------------------------------------------------------------------

_CREDENTIAL_VERDICTS = {
    "valid": ("ok", "执法人员身份码有效：该执法人员在部门名册上，签名与经激活的执法人员密钥一致",
              "Valid officer code: the officer is on the department's roster and the signature "
              "matches their activated key"),
    "not_on_roster": ("bad", "不在名册上：部门执法人员名册中没有该执法证号，请勿放行并向监督部门反映",
                      "Not on the roster: the department's roster has no officer with this "
                      "credential number; report it to the oversight office"),
    "withdrawn": ("bad", "执法资格已撤销：该执法人员已被撤出名册，请勿放行",
                  "Withdrawn: this officer has been withdrawn from the roster"),
    "not_activated": ("bad", "密钥未激活：签名来自执法设备自行登记的密钥，未经部门激活，不能证明身份",
                      "Not activated: the code is signed by a key a tablet enrolled without the "
                      "department's activation; it does not prove who the officer is"),
    "expired": ("bad", "身份码签名有效，但已过期：请执法人员重新出示",
                "The signature is valid but the code has expired: ask for a fresh one"),
    "not_yet_valid": ("bad", "身份码时间在未来，请核对执法设备时间",
                      "The code is dated in the future; the tablet's clock may be wrong"),
    "unverified": ("bad", "无法核验：签名与中心端登记的任何执法人员密钥都不一致",
                   "Not verified: the signature matches no officer key held by the centre"),
    "malformed": ("bad", "这不是有效的执法人员身份码", "This is not a valid officer code"),
}


def credential_page(check: CredentialCheck | None, code: str = "") -> str:
    title = ("执法人员身份核验", "Officer credential check")
    form = _form("/verify", "code", "身份码（ZF1:…）", "Officer code (ZF1:…)", code)
    if check is None:
        return _page(*title, _verdict("warn", "请扫描执法人员出示的身份码，或在下方粘贴",
                                      "Scan the officer's code, or paste it below") + form,
                     _FRAGMENT_TO_QUERY)
    css, zh, en = _CREDENTIAL_VERDICTS[check.status]
    content = _verdict(css, zh, en)
    if check.revoked_ms is not None:
        content += _verdict("bad", "注意：该执法人员的执法资格已被中心端撤销",
                            "Warning: this officer has been withdrawn at the centre")
    if check.credential is not None and check.status != "unverified":
        c = check.credential
        enrolled = check.enrolled
        if enrolled is not None and enrolled.name and enrolled.name != c.name:
            content += _verdict("warn", "注意：身份码上的姓名与名册上的姓名不同",
                                "Warning: the name on the code differs from the name on the "
                                "roster")
        content += _facts([
            ("姓名", "Name", c.name),
            ("执法证号", "Credential number", c.credential),
            ("部门", "Department", c.department),
            ("检查类别", "Visit kind", c.visit_kind),
            ("事由", "Reason", c.reason),
            ("出示时间", "Time", _when(c.at * 1000)),
            ("登记状态", "Enrolment",
             None if enrolled is None else
             ("已激活" if enrolled.activated else "未激活")
             + f"（设备 {enrolled.device_name}）· "
             + ("activated" if enrolled.activated else "not activated")
             + f", enrolled on tablet {enrolled.device_name}"
             + (f"，名册姓名 {enrolled.name} · enrolled as {enrolled.name}"
                if enrolled.name and enrolled.name != c.name else "")),
            ("名册", "Roster",
             None if enrolled is None else
             "不在名册上 · not on the roster" if check.status == "not_on_roster" else
             f"{enrolled.name}（{enrolled.department}）· on the roster"),
            ("资格", "Standing", "已撤销 · withdrawn"
             + (f"：{check.revoked_reason}" if check.revoked_reason else "")
             if check.revoked_ms is not None else "有效 · not withdrawn"),
        ])
    return _page(*title, content + form)


# -- visit receipt -------------------------------------------------------------------------

_RECEIPT_VERDICTS = {
    "received": ("ok", "该次检查记录已送达中心端", "This visit record has reached the centre"),
    "not_received": ("warn", "中心端尚未收到该次检查记录：执法设备可能尚未同步，请稍后再查",
                     "The centre has not received this visit yet: the tablet may not have "
                     "synced; check again later"),
    "mismatch": ("bad", "回执与中心端收到的记录不符，请向监督部门反映",
                 "The receipt does not match the record the centre holds; report it to the "
                 "oversight office"),
    "malformed": ("bad", "这不是有效的检查回执", "This is not a valid visit receipt"),
}


def receipt_page(check: ReceiptCheck | None, text: str = "") -> str:
    title = ("检查回执核验", "Visit receipt check")
    form = _form("/verify/receipt", "text", "回执内容（RCPT1|…）", "Receipt text (RCPT1|…)", text)
    if check is None:
        return _page(*title, _verdict("warn", "请扫描签退时的回执二维码，或在下方粘贴",
                                      "Scan the receipt shown at check-out, or paste it below") + form)
    css, zh, en = _RECEIPT_VERDICTS[check.status]
    content = _verdict(css, zh, en)
    if check.flagged:
        content += _verdict("warn", "该次检查的记录链有异常告警，正由监督部门核查",
                            "An integrity alarm touches this visit's records; the oversight "
                            "office reviews it")
    receipt = check.receipt
    if receipt is not None:
        duration = check.duration_s
        content += _facts([
            ("企业统一社会信用代码", "Enterprise (USCC)", receipt.uscc),
            ("部门", "Department", check.department),
            ("检查类别", "Visit kind", check.kind),
            ("进入时间", "Checked in", _when(check.checked_in_ms or receipt.checked_in_ms)),
            ("离开时间", "Checked out", _when(check.checked_out_ms or receipt.checked_out_ms)),
            ("时长", "Duration", None if duration is None else
             f"{duration // 60} 分钟 {duration % 60} 秒 · {duration // 60} min {duration % 60} s"),
            ("记录编号", "Visit id", receipt.visit_id),
        ])
    return _page(*title, content + form)
