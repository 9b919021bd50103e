"""Which templates a department's visit starts with, as named by the department profile.

The profile lists template ids per department; the registry holds the versions.
A visit records the newest version present at check-in (id, version and hash)
and keeps it to the end, whatever arrives later.
"""

from __future__ import annotations

from typing import Any

from inspector_app.checklists.registry import TemplateNotAvailable, TemplateRegistry
from inspector_app.profile.model import Profile
from inspector_protocol.checklist_template import Template
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text


def templates_for_department(profile: Profile, department_id: str, registry: TemplateRegistry,
                             *, enforcement: bool | None = None) -> tuple[Template, ...]:
    """The newest version of each template the profile names for ``department_id``;
    with ``enforcement`` given, only the templates for that kind of visit (an
    inspection uses the enforcement checklists, a courtesy call the visit record)."""
    department = profile.department(department_id)
    if department is None:
        raise UserError(Text("配置文件中没有部门 “{id}”", "the profile has no department '{id}'")
                        .format(id=department_id), code="checklist.unknown_department")
    templates = (registry.latest(template_id) for template_id in department.templates)
    return tuple(t for t in templates
                 if enforcement is None or (t.kind == "enforcement") == enforcement)


def check_in_templates(profile: Profile, department_id: str, registry: TemplateRegistry,
                       *, enforcement: bool | None = None) -> list[dict[str, Any]]:
    """The ``templates`` list of a check-in or department-joined event body."""
    chosen = templates_for_department(profile, department_id, registry, enforcement=enforcement)
    return [t.ref.as_json() for t in chosen]


def profile_template_problems(profile: Profile, registry: TemplateRegistry) -> list[Text]:
    """Templates the profile names that this device lacks or that exclude the department."""
    problems: list[Text] = []
    for department in profile.departments:
        for template_id in department.templates:
            try:
                template = registry.latest(template_id)
            except TemplateNotAvailable:
                problems.append(Text("部门 {dep} 的检查表 “{id}” 不在本设备上",
                                     "checklist '{id}' of department {dep} is not on this device")
                                .format(dep=department.id, id=template_id))
                continue
            if template.departments and department.id not in template.departments:
                problems.append(Text(
                    "检查表 “{id}” 只适用于 {scope}，但配置文件把它分配给了 {dep}",
                    "checklist '{id}' is meant for {scope}, but the profile gives it to {dep}",
                ).format(id=template_id, scope=", ".join(template.departments), dep=department.id))
    return problems
