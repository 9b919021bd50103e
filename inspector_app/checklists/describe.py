"""A template as a person reads it (``inspector checklist show``) and as a summary."""

from __future__ import annotations

from typing import Any

from inspector_protocol.checklist_template import (
    DateAnswer,
    Item,
    MultipleChoiceAnswer,
    NumberAnswer,
    PhotoAnswer,
    SingleChoiceAnswer,
    Template,
    TextAnswer,
    YesNoAnswer,
)
from inspector_protocol.text import Lang, Text

_SEVERITY = {"info": Text("提示", "info"), "general": Text("一般", "general"),
             "major": Text("重大", "major")}


def template_summary(template: Template) -> dict[str, Any]:
    return {
        **template.ref.as_json(),
        "kind": template.kind,
        "departments": list(template.departments),
        "title": {"zh": template.title.zh, "en": template.title.en},
        "sections": len(template.sections),
        "items": len(template.items),
        "scored": template.scoring is not None,
    }


def describe_template(template: Template, lang: Lang) -> str:
    lines = [
        template.title.render(lang),
        f"{template.ref.short()}  {template.kind}  "
        + (", ".join(template.departments) or Text("所有部门", "any department").render(lang)),
    ]
    if template.description:
        lines.append(template.description.render(lang))
    for s, section in enumerate(template.sections, 1):
        lines.append("")
        lines.append(f"{s}. {section.title.render(lang)}")
        for i, item in enumerate(section.items, 1):
            lines.extend(_describe_item(f"{s}.{i}", item, lang))
    return "\n".join(lines)


def _describe_item(number: str, item: Item, lang: Lang) -> list[str]:
    marker = "*" if item.required else " "
    lines = [f"  {number}{marker} [{item.id}] {item.title.render(lang)} — "
             f"{item.content.render(lang)}",
             "       " + _answer(item, lang)]
    if item.show_if:
        lines.append("       " + Text("仅当 {item} 为 {values} 时显示",
                                      "shown only when {item} is {values}")
                     .format(item=item.show_if.item, values=" / ".join(item.show_if.any_of))
                     .render(lang))
    for basis in item.legal_basis:
        lines.append("       " + Text("依据：", "basis: ").render(lang) + basis.render(lang))
    if item.rectification:
        lines.append("       " + Text("不合格（{severity}）：{req}（{days} 天）",
                                      "if failing ({severity}): {req} ({days} days)")
                     .format(severity=_SEVERITY[item.severity].render(lang),
                             req=item.rectification.requirement.render(lang),
                             days=item.rectification.deadline_days).render(lang))
    return lines


def _answer(item: Item, lang: Lang) -> str:
    spec = item.answer
    if isinstance(spec, YesNoAnswer):
        text = Text("是/否", "yes/no") if not spec.allow_na else Text("是/否/不适用",
                                                                   "yes/no/not applicable")
        shown = text.render(lang)
        if spec.pass_value:
            shown += Text("，合格答案：{v}", ", compliant answer: {v}").format(
                v=spec.pass_value).render(lang)
        return shown
    if isinstance(spec, NumberAnswer):
        limits = (f"[{_num(spec.minimum)}, {_num(spec.maximum)}]"
                  + (f" ok [{_num(spec.acceptable_min)}, {_num(spec.acceptable_max)}]"
                     if spec.can_fail else ""))
        return Text("数值", "number").render(lang) + f" {spec.unit or ''} {limits}"
    if isinstance(spec, SingleChoiceAnswer | MultipleChoiceAnswer):
        kind = (Text("单选", "single choice") if isinstance(spec, SingleChoiceAnswer)
                else Text("多选", "multiple choice")).render(lang)
        options = "; ".join(f"{o.value}={o.label.render(lang)}" + (" ✗" if o.failing else "")
                            for o in spec.options)
        return f"{kind}: {options}"
    labels = {TextAnswer: Text("文本", "text"), DateAnswer: Text("日期", "date"),
              PhotoAnswer: Text("照片", "photo")}
    return labels[type(spec)].render(lang)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
