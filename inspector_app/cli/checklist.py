"""``inspector checklist``: validate, list and show checklist templates."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from inspector_app.checklists.department_templates import profile_template_problems
from inspector_app.checklists.describe import describe_template, template_summary
from inspector_app.checklists.registry import (
    TEMPLATES_DIR,
    TemplateRegistry,
    bundled_templates,
    default_registry,
)
from inspector_app.cli.exit_codes import ExitCode
from inspector_protocol.checklist_template import Template, parse_template
from inspector_protocol.errors import InspectorError, UserError
from inspector_protocol.text import Text, current_lang

#: Templates installed into a data folder (by the profile or by sync) live here.


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "checklist", help="checklist templates: validate, list, show",
        description="Checklist templates (检查表模板): validate, list, show.")
    commands = parser.add_subparsers(dest="checklist_command", metavar="SUBCOMMAND",
                                     required=True)
    validate = commands.add_parser("validate", help="check template files; non-zero if invalid")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.set_defaults(handler=run_validate)
    listing = commands.add_parser("list", help="list the templates available on this device")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=run_list)
    show = commands.add_parser("show", help="show one template's sections and items")
    show.add_argument("template_id", metavar="ID")
    show.add_argument("--version", type=int, default=None, help="a given version (default: newest)")
    show.add_argument("--json", action="store_true", help="print the template document")
    show.set_defaults(handler=run_show)


def run_validate(args: argparse.Namespace) -> int:
    bundled = TemplateRegistry(bundled_templates())
    failed = 0
    for path in args.files:
        try:
            template = parse_template(path.read_bytes(), str(path))
            TemplateRegistry(bundled).add(template)  # same id and version must mean same content
        except InspectorError as exc:
            failed += 1
            print(exc.render(current_lang()), file=sys.stderr)
            continue
        except OSError as exc:
            failed += 1
            print(Text("无法读取 {path}：{err}", "cannot read {path}: {err}")
                  .format(path=path, err=exc.strerror or exc), file=sys.stderr)
            continue
        print(Text("{path}：有效 — {ref}，{n} 个检查项", "{path}: valid — {ref}, {n} items")
              .format(path=path, ref=template.ref.short(), n=len(template.items)))
    return int(ExitCode.REFUSED) if failed else int(ExitCode.OK)


def run_list(args: argparse.Namespace) -> int:
    registry = _registry(args)
    summaries = [template_summary(t) for t in registry]
    if args.json:
        print(json.dumps(summaries, ensure_ascii=False, indent=2))
        return int(ExitCode.OK)
    lang = current_lang()
    for template in registry:
        print(f"{template.id}\tv{template.version}\t{template.ref.hash[:12]}\t"
              f"{template.kind}\t{len(template.items)}\t{template.title.render(lang)}")
    for problem in _profile_problems(args, registry):
        print(Text("警告：", "warning: ").render(lang) + problem.render(lang), file=sys.stderr)
    return int(ExitCode.OK)


def _profile_problems(args: argparse.Namespace, registry: TemplateRegistry) -> list[Text]:
    """What the active profile expects and this device lacks; a broken profile is
    reported by the commands that use it, so ``list`` still lists."""
    from inspector_app.platform.settings import resolve_data_dir
    from inspector_app.services.workspace import load_active_profile

    try:
        profile = load_active_profile(resolve_data_dir(args.data_dir))
    except InspectorError:
        return []
    return profile_template_problems(profile, registry)


def run_show(args: argparse.Namespace) -> int:
    template = _chosen_template(_registry(args), args.template_id, args.version)
    if args.json:
        print(json.dumps(template.document, ensure_ascii=False, indent=1))
    else:
        print(describe_template(template, current_lang()))
    return int(ExitCode.OK)


def _chosen_template(registry: TemplateRegistry, template_id: str,
                     version: int | None) -> Template:
    newest = registry.latest(template_id)  # refuses an unknown id with its own message
    if version is None:
        return newest
    for template in registry.versions(template_id):
        if template.version == version:
            return template
    raise UserError(Text("检查表 “{id}” 没有第 {version} 版",
                         "checklist '{id}' has no version {version}")
                    .format(id=template_id, version=version), code="checklist.no_such_version")


def _registry(args: argparse.Namespace) -> TemplateRegistry:
    from inspector_app.platform.settings import resolve_data_dir

    installed = resolve_data_dir(args.data_dir) / TEMPLATES_DIR
    return default_registry(installed)
