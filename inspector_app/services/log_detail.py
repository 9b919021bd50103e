"""One visit in words, for the team lead's detail pane: events, answers, photos, integrity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector_app.services.names import officer_label
from inspector_protocol.text import Lang, Text

if TYPE_CHECKING:
    from inspector_app.profile import Profile
    from inspector_app.services.visit_log import PhotoState, VisitDetail

PHOTO_STATE = {True: Text("✓ 完好", "✓ intact"), False: Text("✗ 已被改动或缺失", "✗ altered or missing"),
               None: Text("（照片不在本机，仅有签名摘要）", "(not on this tablet; signed hash only)")}


def detail_text(detail: VisitDetail, profile: Profile | None, lang: Lang) -> str:
    row, visit = detail.row, detail.row.visit
    rating = "-" if visit.rating is None else f"{visit.rating[0]} {visit.rating[1] or ''}".strip()
    lines = [
        Text("检查 {id} · 事由：{reason} · 共同执法：{co} · 预警理由：{j} · 评分：{r}",
             "Visit {id} · reason: {reason} · co-officers: {co} · justification: {j} · "
             "rating: {r}").format(id=visit.id[:8], reason=visit.reason,
                                   co=", ".join(visit.co_officers) or "-",
                                   j=visit.justification or "-", r=rating),
        Text("完整性：{i} · 送达：{d}", "Integrity: {i} · delivery: {d}").format(
            i=row.integrity_text(), d=row.delivery_text()),
    ]
    out = [line.render(lang) for line in lines]
    out += _section(Text("事件", "Events"), lang, [
        f"#{seq}  {when}  {what.render(lang)}  {_officer(profile, who)}"
        for seq, when, what, who in detail.events])
    out += _section(Text("检查项", "Answers"), lang, [
        f"{item.render(lang)}：{result.render(lang)}" for item, result in detail.answers])
    out += _section(Text("照片", "Photos"), lang, [_photo(p, lang) for p in detail.photos])
    out += _section(Text("整改", "Rectifications"), lang, [
        Text("{r}（期限 {d}）", "{r} (by {d})").format(r=r, d=d).render(lang)
        for r, d in detail.rectifications])
    return "\n".join(out)


def _section(title: Text, lang: Lang, lines: list[str]) -> list[str]:
    return ["", f"【{title.render(lang)}】", *(lines or [Text("无", "none").render(lang)])]


def _photo(photo: PhotoState, lang: Lang) -> str:
    caption = f" {photo.caption}" if photo.caption else ""
    return f"{photo.sha256[:16]}{caption}  {PHOTO_STATE[photo.intact].render(lang)}"


def _officer(profile: Profile | None, credential: str) -> str:
    return officer_label(profile, credential) if credential else credential
