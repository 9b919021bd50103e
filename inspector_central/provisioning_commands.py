"""``inspector-central provision``, ``provision-key`` and ``release``: the commands for IT
and for the release manager (``docs/it-guide.md``, ``docs/cli.md``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register_provisioning_commands(commands: Any) -> None:
    provision = commands.add_parser(
        "provision", help="signed provisioning packages and QR codes for N tablets (zero typing)")
    provision.add_argument("--department", required=True, help="department id, as in the profile")
    provision.add_argument("--devices", type=int, required=True, metavar="N")
    provision.add_argument("--out", type=Path, required=True, metavar="DIR")
    provision.add_argument("--profile", type=Path, required=True, metavar="FILE",
                           help="the department profile the tablets will run")
    provision.add_argument("--expires-days", type=int, default=14, metavar="D",
                           help="the packages and their one-time tokens expire after D days "
                           "(default 14, at most 90)")
    provision.add_argument("--label", default=None, metavar="PREFIX",
                           help="device labels PREFIX-001, PREFIX-002, ... (default: the department)")
    provision.add_argument("--key", type=Path, default=None, metavar="FILE",
                           help="sign with this provisioning key (PEM) instead of the database's")
    provision.set_defaults(handler=run_provision)

    key = commands.add_parser("provision-key", help="the key that signs provisioning packages")
    key.add_argument("action", choices=("export", "new"),
                     help="export: write the public key for the installers; new: make a key "
                     "in a file of its own (then pass --key to provision)")
    key.add_argument("--out", type=Path, required=True, metavar="FILE")
    key.add_argument("--key", type=Path, default=None, metavar="FILE",
                     help="export: the public part of this key file instead of the database's")
    key.set_defaults(handler=run_provision_key)

    release = commands.add_parser("release", help="signed release manifests for the tablets")
    actions = release.add_subparsers(dest="release_action", required=True, metavar="ACTION")
    sign = actions.add_parser("sign", help="sign a release manifest with the release key")
    sign.add_argument("manifest", type=Path)
    sign.add_argument("--key", type=Path, required=True, metavar="FILE",
                      help="the release key (PKCS#8 PEM), kept by the release manager")
    sign.add_argument("--out", type=Path, default=None, metavar="FILE",
                      help="default: MANIFEST with .signed.json")
    sign.set_defaults(handler=run_release_sign)
    publish = actions.add_parser("publish", help="serve a signed manifest at GET /v1/release")
    publish.add_argument("signed", type=Path)
    publish.set_defaults(handler=run_release_publish)
    new_key = actions.add_parser("key-new", help="make a release key; prints the public key "
                                 "to pin in the build")
    new_key.add_argument("--out", type=Path, required=True, metavar="FILE")
    new_key.set_defaults(handler=run_release_key_new)


def run_provision(args: argparse.Namespace) -> int:
    from inspector_central.cli import open_database, server_key_of
    from inspector_central.provisioning import (
        ProvisioningError,
        create_packages,
        expiry_text,
        provisioning_key,
        qr_version,
        write_outputs,
    )

    try:
        profile_raw = args.profile.read_bytes()
    except OSError as exc:
        print(f"cannot read {args.profile}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    database = open_database(args)
    try:
        key = provisioning_key(database, args.key)
        packages = create_packages(
            database, server_key_of(args, database), key, department=args.department.strip(),
            devices=args.devices, profile_raw=profile_raw, profile_source=args.profile.name,
            expires_days=args.expires_days, label_prefix=args.label)
        write_outputs(args.out, packages, args.department.strip())
    except ProvisioningError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    first = packages[0]
    print(f"{len(packages)} provisioning package(s) for {args.department} in {args.out}, signed "
          f"by provisioning key {key.key_id}, valid until {expiry_text(first.expires_s)}; "
          f"QR {qr_version(first.text)} ({len(first.text)} characters)")
    return 0


def run_provision_key(args: argparse.Namespace) -> int:
    from inspector_central.cli import open_database
    from inspector_central.provisioning import (
        ProvisioningError,
        export_public_key,
        new_key_file,
        provisioning_key,
    )

    try:
        if args.action == "new":
            key = new_key_file(args.out)
            print(f"new provisioning key {key.key_id} written to {args.out}")
            return 0
        key = provisioning_key(None if args.key else open_database(args), args.key)
        export_public_key(key, args.out)
    except ProvisioningError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"provisioning public key {key.key_id} written to {args.out}: install it on the "
          "tablets (docs/it-guide.md)")
    return 0


def run_release_sign(args: argparse.Namespace) -> int:
    from inspector_central.releases import ReleaseError, sign_file
    from inspector_protocol.release_manifest import ReleaseRefused
    from inspector_protocol.text import current_lang

    out = args.out or args.manifest.with_name(args.manifest.stem + ".signed.json")
    try:
        signed = sign_file(args.manifest, args.key, out)
    except ReleaseError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except ReleaseRefused as exc:
        print(exc.render(current_lang()), file=sys.stderr)
        return 1
    print(f"release {signed.manifest.version} signed by release key {signed.key_id}: {out}")
    return 0


def run_release_publish(args: argparse.Namespace) -> int:
    from inspector_central.cli import open_database
    from inspector_central.releases import ReleaseError, publish
    from inspector_protocol.release_manifest import ReleaseRefused
    from inspector_protocol.text import current_lang

    try:
        signed = publish(open_database(args), args.signed)
    except ReleaseError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except ReleaseRefused as exc:
        print(exc.render(current_lang()), file=sys.stderr)
        return 1
    print(f"release {signed.manifest.version} published (release key {signed.key_id}); tablets "
          "learn of it at their next sync")
    return 0


def run_release_key_new(args: argparse.Namespace) -> int:
    from inspector_central.releases import ReleaseError, new_release_key
    from inspector_protocol import keys

    try:
        public = new_release_key(args.out)
    except ReleaseError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"release key {keys.key_id(keys.b64decode(public))} written to {args.out}\n"
          f"pin its public key in the build (PINNED_RELEASE_KEYS in "
          f"inspector_app/services/updates.py):\n{public}")
    return 0
