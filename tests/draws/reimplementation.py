"""A second implementation of the draw, written from docs/draws.md alone.

Standard library only, and deliberately nothing from ``inspector_protocol``: if the
page and the reference implementation ever disagree, the tests comparing the two
fail.  Section numbers refer to docs/draws.md.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from itertools import pairwise
from typing import Any

# §2: the hash domains.
D_SECRET = b"inspector-draw/1 secret\n"
D_BEACON = b"inspector-draw/1 beacon\n"
D_SEED = b"inspector-draw/1 seed\n"
D_ENTERPRISE = b"inspector-draw/1 enterprise\n"
D_OFFICER = b"inspector-draw/1 officer\n"
D_ENTERPRISES = b"inspector-draw/1 enterprises\n"
D_OFFICERS = b"inspector-draw/1 officers\n"
D_EXCLUSIONS = b"inspector-draw/1 exclusions\n"

# §3.4: tab, LF, CR and the characters of Unicode category Zs.
WHITE_SPACE = "\t\n\r" + "".join(chr(c) for c in range(0x110000)
                                 if unicodedata.category(chr(c)) == "Zs")


class Refused(Exception):
    """The draw cannot be made (§3.7 step 4)."""


def _hex_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pool_hashes(pools: dict[str, list[dict[str, str]]]) -> dict[str, str]:
    """§3.1: the three digests of pools already in canonical (sorted) order."""
    enterprises = b"".join(f"{e['uscc']}\t{e['name']}\n".encode() for e in pools["enterprises"])
    officers = b"".join(f"{o['credential']}\t{o['department']}\t{o['name']}\n".encode()
                        for o in pools["officers"])
    exclusions = b"".join(f"{x['uscc']}\t{x['officer']}\t{x['reason']}\n".encode()
                          for x in pools["exclusions"])
    return {"enterprises_hash": _hex_sha256(D_ENTERPRISES + enterprises),
            "officers_hash": _hex_sha256(D_OFFICERS + officers),
            "exclusions_hash": _hex_sha256(D_EXCLUSIONS + exclusions)}


def is_sorted_without_duplicates(pools: dict[str, list[dict[str, str]]]) -> bool:
    """§3.1: each list sorted by its key, no key twice."""
    keys = ([e["uscc"] for e in pools["enterprises"]],
            [o["credential"] for o in pools["officers"]],
            [f"{x['uscc']}\t{x['officer']}" for x in pools["exclusions"]])
    return all(a < b for k in keys for a, b in pairwise(k))


def secret_hash(secret: bytes) -> str:
    """§3.2."""
    return _hex_sha256(D_SECRET + secret)


def normalise_beacon(value: str) -> str:
    """§3.4."""
    text = unicodedata.normalize("NFC", value)
    out: list[str] = []
    in_space = False
    for ch in text:
        if ch in WHITE_SPACE:
            in_space = True
            continue
        if in_space and out:
            out.append(" ")
        in_space = False
        out.append(ch)
    return "".join(out)


def beacon_digest(beacon: str) -> bytes:
    return hashlib.sha256(D_BEACON + beacon.encode("utf-8")).digest()


def seed(secret: bytes, beacon: str, commitment_raw: bytes) -> bytes:
    """§3.5."""
    return hashlib.sha256(D_SEED + secret + beacon_digest(beacon)
                          + hashlib.sha256(commitment_raw).digest()).digest()


def draw(pools: dict[str, list[dict[str, str]]], count: int, k: int, joint: bool,
         seed_bytes: bytes) -> list[dict[str, Any]]:
    """§3.6 and §3.7: the tasks, in position order."""
    scored = sorted(
        (hashlib.sha256(D_ENTERPRISE + seed_bytes + e["uscc"].encode("ascii")).digest(), e["uscc"])
        for e in pools["enterprises"])
    all_departments = sorted({o["department"] for o in pools["officers"]})
    tasks: list[dict[str, Any]] = []
    for position, (_score, uscc) in enumerate(scored[:count], start=1):
        excluded = {x["officer"] for x in pools["exclusions"] if x["uscc"] == uscc}
        ranking = sorted(
            (hashlib.sha256(D_OFFICER + seed_bytes + uscc.encode("ascii")
                            + o["credential"].encode("utf-8")).digest(),
             o["credential"], o["department"])
            for o in pools["officers"] if o["credential"] not in excluded)
        eligible: dict[str, int] = {}
        for _s, _c, department in ranking:
            eligible[department] = eligible.get(department, 0) + 1
        if joint:
            if any(eligible.get(d, 0) < k for d in all_departments):
                raise Refused(uscc)
            per_department: dict[str, int] = {}
            officers = []
            for _s, credential, department in ranking:
                if per_department.get(department, 0) < k:
                    officers.append(credential)
                    per_department[department] = per_department.get(department, 0) + 1
            departments = all_departments
        else:
            able = [d for _s, _c, d in ranking if eligible[d] >= k]
            if not able:
                raise Refused(uscc)
            departments = [able[0]]
            officers = [c for _s, c, d in ranking if d == able[0]][:k]
        tasks.append({"position": position, "uscc": uscc, "departments": departments,
                      "officers": officers})
    return tasks


def tasks_bytes(tasks: list[dict[str, Any]]) -> bytes:
    """§3.8: the output reproduced byte for byte."""
    return json.dumps(tasks, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def rerun(export: dict[str, Any]) -> tuple[bytes, bytes]:
    """§3.9 and §4 (the re-run only): (expected tasks bytes, published tasks bytes)."""
    commitment_raw = export["commitment"]["raw"].encode("utf-8")
    commitment = json.loads(commitment_raw)
    result = json.loads(export["result"]["raw"])
    pools = export["pools"]
    assert pool_hashes(pools) == {k: commitment[k] for k in
                                  ("enterprises_hash", "officers_hash", "exclusions_hash")}
    secret = bytes.fromhex(result["secret"])
    assert secret_hash(secret) == commitment["secret_hash"]
    assert result["commitment_hash"] == hashlib.sha256(commitment_raw).hexdigest()
    s = seed(secret, normalise_beacon(result["beacon"]), commitment_raw)
    assert result["seed"] == s.hex()
    expected = draw(pools, commitment["count"], commitment["officers_per_task"],
                    commitment["joint"], s)
    return tasks_bytes(expected), tasks_bytes(result["tasks"])
