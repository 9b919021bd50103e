"""Which of a department's checklists fit an enterprise, from its registered industry.

A market-regulation officer at a machinery plant has no business with the food-premises
checklist; at a flour mill they do, and the dust-explosion checklist of emergency
management fits too.  A checklist listed here applies to the industries whose registered
name contains one of its words; one not listed (special equipment, fire safety, the visit
record) applies everywhere, since any enterprise may run a boiler or a workshop.  An
enterprise of unknown industry gets every checklist: the officer, not a guess, drops one.
Equipment is declared in the checklists themselves (special equipment asks which kinds are
in use, and the forklift, crane and pressure-vessel items show only for those declared).
"""

from __future__ import annotations

#: Template id → words of the industries it is meant for (as registered, in Chinese).
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "food-premises": ("食品", "餐饮", "食堂", "粮食", "面粉", "农产品"),
    "hazardous-chemicals": ("化工", "危险化学品", "危化", "化学品"),
    "dust-explosion": ("粉尘", "金属粉末", "木材", "木业", "面粉", "粮食", "纺织", "饲料"),
}


def applies_to_industry(template_id: str, industry: str | None) -> bool:
    words = INDUSTRY_WORDS.get(template_id)
    if words is None or not industry:
        return True
    return any(word in industry for word in words)
