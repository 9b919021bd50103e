"""Where templates are looked up: by exact identity, holding several versions at once.

A visit records the exact (id, version, hash) of each template it started with;
answers and reports must use that version even after a newer one is bundled or
arrives by sync, so lookups by identity never fall back to "the latest".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from inspector_protocol.checklist_template import Template, TemplateRef, parse_template
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

_BUNDLED_PACKAGE = "inspector_app.checklists.templates"
#: Templates installed on this device (by sync or by hand), in the data folder beside the
#: ledger; the bundled ones come with the program.
TEMPLATES_DIR = "checklists"


class TemplateNotAvailable(UserError):
    """A visit names a template version this device does not hold."""

    def __init__(self, text: Text, ref: TemplateRef | None = None) -> None:
        super().__init__(text, code="checklist.template_unavailable")
        self.ref = ref


class TemplateRegistry:
    def __init__(self, templates: Iterable[Template] = ()) -> None:
        self._by_ref: dict[TemplateRef, Template] = {}
        for template in templates:
            self.add(template)

    def add(self, template: Template) -> None:
        """Hold ``template``; the same (id, version) with other content is refused,
        because "version 3" must mean one thing on every tablet."""
        for held in self._by_ref.values():
            if (held.id, held.version) == (template.id, template.version) and held != template:
                raise UserError(Text(
                    "模板 {id} 第 {version} 版已存在且内容不同（{old} ≠ {new}）；修改模板须提高版本号",
                    "template {id} version {version} already exists with different content "
                    "({old} ≠ {new}); a changed template needs a new version",
                ).format(id=template.id, version=template.version,
                         old=held.ref.hash[:12], new=template.ref.hash[:12]),
                    code="checklist.version_conflict")
        self._by_ref[template.ref] = template

    def get(self, ref: TemplateRef) -> Template:
        template = self._by_ref.get(ref)
        if template is None:
            raise TemplateNotAvailable(Text(
                "本设备没有检查表模板 {ref}；请同步后重试",
                "this device does not hold the checklist template {ref}; sync and retry",
            ).format(ref=ref.short()), ref)
        return template

    def latest(self, template_id: str) -> Template:
        """The newest version of ``template_id`` (for starting a new visit)."""
        versions = self.versions(template_id)
        if not versions:
            raise TemplateNotAvailable(Text(
                "没有编号为 “{id}” 的检查表模板", "there is no checklist template '{id}'",
            ).format(id=template_id))
        return versions[-1]

    def versions(self, template_id: str) -> tuple[Template, ...]:
        found = [t for t in self._by_ref.values() if t.id == template_id]
        return tuple(sorted(found, key=lambda t: t.version))

    def ids(self) -> tuple[str, ...]:
        return tuple(sorted({ref.id for ref in self._by_ref}))

    def __iter__(self) -> Iterator[Template]:
        return iter(sorted(self._by_ref.values(), key=lambda t: (t.id, t.version)))

    def __len__(self) -> int:
        return len(self._by_ref)


def bundled_templates() -> tuple[Template, ...]:
    """The templates shipped with the app (package data, so they work offline)."""
    folder = resources.files(_BUNDLED_PACKAGE)
    return tuple(
        parse_template(entry.read_bytes(), f"checklists/templates/{entry.name}")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".json")
    )


def templates_in_folder(folder: Path) -> tuple[Template, ...]:
    """Templates installed or received by sync into ``folder`` (``*.json``)."""
    if not folder.is_dir():
        return ()
    return tuple(parse_template(path.read_bytes(), str(path.name))
                 for path in sorted(folder.glob("*.json")))


def default_registry(installed: Path | None = None) -> TemplateRegistry:
    """Bundled templates plus those in ``installed``; an installed template with the
    same id and version as a bundled one must be identical to it."""
    registry = TemplateRegistry(bundled_templates())
    if installed is not None:
        for template in templates_in_folder(installed):
            registry.add(template)
    return registry
