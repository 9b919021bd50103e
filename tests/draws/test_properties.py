"""Properties of the draw: every honest draw verifies, every change after the commitment is
caught, and the independent implementation agrees with the reference on any draw."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from inspector_protocol import draws
from inspector_protocol.draws import (
    DrawExport,
    DrawParameters,
    EnterpriseEntry,
    Exclusion,
    OfficerEntry,
    Pools,
    SignedDocument,
)
from inspector_protocol.uscc import ALPHABET, complete_uscc
from tests.draws import reimplementation as second
from tests.draws.helpers import SERVER_KEY, honest_export, public, sign, statement

# Credentials and names outside ASCII (and outside the BMP) exercise code-point ordering.
_CREDENTIAL_CHARS = "0123456789ABCDEFXYZabc-鲁执法证字第号\uff21\U00020000"
_NAME_CHARS = "德州恒信机械制造有限公司陵城区食品（）ABC 0123-·"
_DEPARTMENTS = ("lc-amr", "lc-em", "lc-fire", "市监局-特设")

usccs = st.builds(lambda a, d, b: complete_uscc(a + d + b).value,
                  st.text(ALPHABET, min_size=2, max_size=2),
                  st.text("0123456789", min_size=6, max_size=6),
                  st.text(ALPHABET, min_size=9, max_size=9))
names = st.text(_NAME_CHARS, min_size=1, max_size=12).filter(lambda s: s.strip() != "")
credentials = st.text(_CREDENTIAL_CHARS, min_size=1, max_size=12)
beacons = st.text("0123456789 +-", min_size=1, max_size=30).filter(lambda s: s.strip() != "")

Inputs = tuple[Pools, DrawParameters, bytes, str]


@st.composite
def draw_inputs(draw: st.DrawFn) -> Inputs:
    departments = draw(st.lists(st.sampled_from(_DEPARTMENTS), min_size=1, max_size=3,
                                unique=True))
    k = draw(st.integers(2, 3))
    joint = len(departments) >= 2 and draw(st.booleans())
    creds = draw(st.lists(credentials, min_size=k * len(departments), max_size=14, unique=True))
    officers = [OfficerEntry(credential=c, name=draw(names),
                             department=departments[i % len(departments)]
                             if i < k * len(departments) else draw(st.sampled_from(departments)))
                for i, c in enumerate(creds)]
    codes = draw(st.lists(usccs, min_size=1, max_size=10, unique=True))
    enterprises = [EnterpriseEntry(uscc=u, name=draw(names)) for u in codes]
    pairs = draw(st.lists(st.tuples(st.sampled_from(creds), st.sampled_from(codes)), max_size=5,
                          unique=True))
    exclusions = [Exclusion(officer=o, uscc=u, reason=draw(names)) for o, u in pairs]
    pools = draws.canonical_pools(Pools(enterprises=enterprises, officers=officers,
                                        exclusions=exclusions))
    assume(not draws.staffing_shortages(pools, k, joint))
    parameters = DrawParameters(count=draw(st.integers(1, len(codes))), officers_per_task=k,
                                joint=joint)
    return pools, parameters, draw(st.binary(min_size=32, max_size=32)), draw(beacons)


_SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.filter_too_much])


@_SETTINGS
@given(draw_inputs())
def test_every_honest_draw_verifies_with_the_centre_key(inputs: Inputs) -> None:
    export = honest_export(*inputs)
    verification = draws.verify_draw(export, public(SERVER_KEY), known_commitment=_hash(export))
    assert verification.state == "verified", [p.text.render("en") for p in verification.problems]
    assert verification.expected is not None and verification.result is not None
    assert list(verification.expected) == verification.result.tasks
    # The file survives its own round trip through JSON.
    again = draws.parse_export(export.model_dump_json().encode("utf-8"))
    assert draws.verify_draw(again, public(SERVER_KEY)).state == "verified"


@_SETTINGS
@given(draw_inputs())
def test_the_independent_implementation_agrees_byte_for_byte(inputs: Inputs) -> None:
    export = honest_export(*inputs)
    expected, published = second.rerun(json.loads(export.model_dump_json()))
    assert expected == published
    assert verification_bytes(export) == expected


def verification_bytes(export: DrawExport) -> bytes:
    verification = draws.verify_draw(export)
    assert verification.expected is not None
    return draws.tasks_bytes(verification.expected)


@settings(max_examples=200, deadline=None)
@given(st.data(), st.lists(st.sampled_from(_DEPARTMENTS), min_size=1, max_size=3, unique=True),
       st.integers(2, 3), st.booleans(), st.binary(min_size=32, max_size=32))
def test_both_implementations_rank_and_staff_alike_for_any_seed(
        data: st.DataObject, departments: list[str], k: int, joint: bool, seed: bytes) -> None:
    """Shortages included: where one refuses, so does the other."""
    creds = data.draw(st.lists(credentials, min_size=2, max_size=10, unique=True))
    officers = [OfficerEntry(credential=c, name="某", department=data.draw(
        st.sampled_from(departments))) for c in creds]
    codes = data.draw(st.lists(usccs, min_size=1, max_size=8, unique=True))
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(creds), st.sampled_from(codes)),
                               max_size=6, unique=True))
    pools = draws.canonical_pools(Pools(
        enterprises=[EnterpriseEntry(uscc=u, name="某企业") for u in codes], officers=officers,
        exclusions=[Exclusion(officer=o, uscc=u, reason="回避") for o, u in pairs]))
    parameters = DrawParameters(count=data.draw(st.integers(1, len(codes))), officers_per_task=k,
                                joint=joint)
    plain = json.loads(pools.model_dump_json())
    try:
        mine = draws.tasks_bytes(draws.select(pools, parameters, seed))
    except draws.DrawShortage:
        mine = None
    try:
        theirs: bytes | None = second.tasks_bytes(second.draw(plain, parameters.count, k, joint,
                                                              seed))
    except second.Refused:
        theirs = None
    assert mine == theirs


# -- changes after the commitment ------------------------------------------------------------------


def _hash(export: DrawExport) -> str:
    return draws.commitment_hash(export.commitment.raw.encode("utf-8"))


def _with_pools(export: DrawExport, **changes: Any) -> DrawExport:
    return export.model_copy(update={"pools": export.pools.model_copy(update=changes)})


def _resigned_result(export: DrawExport, **changes: Any) -> DrawExport:
    assert export.result is not None
    return export.model_copy(update={"result": sign({**statement(export.result), **changes})})


def _unsigned_result(export: DrawExport, **changes: Any) -> DrawExport:
    assert export.result is not None
    raw = json.loads(export.result.raw)
    return export.model_copy(update={"result": SignedDocument(
        raw=json.dumps({**raw, **changes}, ensure_ascii=False), sig=export.result.sig)})


def _tasks(export: DrawExport) -> list[dict[str, Any]]:
    assert export.result is not None
    tasks: list[dict[str, Any]] = json.loads(export.result.raw)["tasks"]
    return tasks


def remove_enterprise(export: DrawExport, data: st.DataObject) -> DrawExport:
    entries = export.pools.enterprises
    if len(entries) == 1:
        return rename_enterprise(export, data)
    drop = data.draw(st.integers(0, len(entries) - 1))
    return _with_pools(export, enterprises=entries[:drop] + entries[drop + 1:])


def rename_enterprise(export: DrawExport, data: st.DataObject) -> DrawExport:
    entries = list(export.pools.enterprises)
    i = data.draw(st.integers(0, len(entries) - 1))
    entries[i] = entries[i].model_copy(update={"name": entries[i].name + "分公司"})
    return _with_pools(export, enterprises=entries)


def add_enterprise(export: DrawExport, data: st.DataObject) -> DrawExport:
    known = {e.uscc for e in export.pools.enterprises}
    uscc = data.draw(usccs.filter(lambda u: u not in known))
    entries = sorted([*export.pools.enterprises, EnterpriseEntry(uscc=uscc, name="新增企业")],
                     key=lambda e: e.uscc)
    return _with_pools(export, enterprises=entries)


def move_officer(export: DrawExport, data: st.DataObject) -> DrawExport:
    officers = list(export.pools.officers)
    i = data.draw(st.integers(0, len(officers) - 1))
    officers[i] = officers[i].model_copy(update={"department": officers[i].department + "-2"})
    return _with_pools(export, officers=officers)


def remove_officer(export: DrawExport, data: st.DataObject) -> DrawExport:
    officers = export.pools.officers
    drop = data.draw(st.integers(0, len(officers) - 1))
    removed = officers[drop].credential
    return _with_pools(export, officers=officers[:drop] + officers[drop + 1:],
                       exclusions=[x for x in export.pools.exclusions if x.officer != removed])


def add_exclusion(export: DrawExport, data: st.DataObject) -> DrawExport:
    held = {(x.uscc, x.officer) for x in export.pools.exclusions}
    free = [(e.uscc, o.credential) for e in export.pools.enterprises for o in export.pools.officers
            if (e.uscc, o.credential) not in held]
    if not free:
        return remove_exclusion(export, data)
    uscc, officer = data.draw(st.sampled_from(free))
    exclusions = sorted([*export.pools.exclusions,
                         Exclusion(officer=officer, uscc=uscc, reason="事后加入")],
                        key=lambda x: (x.uscc, x.officer))
    return _with_pools(export, exclusions=exclusions)


def remove_exclusion(export: DrawExport, data: st.DataObject) -> DrawExport:
    exclusions = export.pools.exclusions
    if not exclusions:
        return add_exclusion(export, data)
    drop = data.draw(st.integers(0, len(exclusions) - 1))
    return _with_pools(export, exclusions=exclusions[:drop] + exclusions[drop + 1:])


def change_secret_and_redraw(export: DrawExport, data: st.DataObject) -> DrawExport:
    """The strongest forgery of the secret: a new one, the seed and tasks made to match."""
    assert export.result is not None
    old = json.loads(export.result.raw)
    secret = data.draw(st.binary(min_size=32, max_size=32).filter(lambda s: s.hex() != old["secret"]))
    commitment_raw = export.commitment.raw.encode("utf-8")
    seed = draws.draw_seed(secret, old["beacon"], commitment_raw)
    commitment = draws.parse_commitment(commitment_raw)
    try:
        tasks = [t.model_dump() for t in draws.select(export.pools, commitment.parameters, seed)]
    except draws.DrawShortage:
        tasks = old["tasks"]
    return _resigned_result(export, secret=secret.hex(), seed=seed.hex(), tasks=tasks)


def change_secret_unsigned(export: DrawExport, data: st.DataObject) -> DrawExport:
    assert export.result is not None
    old = json.loads(export.result.raw)["secret"]
    secret = data.draw(st.binary(min_size=32, max_size=32).filter(lambda s: s.hex() != old))
    return _unsigned_result(export, secret=secret.hex())


def change_beacon(export: DrawExport, data: st.DataObject) -> DrawExport:
    assert export.result is not None
    old = json.loads(export.result.raw)["beacon"]
    beacon = data.draw(beacons.map(draws.normalise_beacon).filter(lambda b: b != old))
    return _resigned_result(export, beacon=beacon)


def change_count_in_result(export: DrawExport, data: st.DataObject) -> DrawExport:
    count = json.loads(export.commitment.raw)["count"]
    return _resigned_result(export, count=count + 1 if count == 1 else count - 1)


def change_count_in_commitment(export: DrawExport, data: st.DataObject) -> DrawExport:
    committed = statement(export.commitment)
    committed["count"] = committed["count"] + 1 if committed["count"] == 1 else committed["count"] - 1
    return export.model_copy(update={"commitment": sign(committed)})


def reorder_officers(export: DrawExport, data: st.DataObject) -> DrawExport:
    tasks = _tasks(export)
    i = data.draw(st.integers(0, len(tasks) - 1))
    tasks[i]["officers"] = tasks[i]["officers"][::-1]
    return _resigned_result(export, tasks=tasks)


def replace_enterprise(export: DrawExport, data: st.DataObject) -> DrawExport:
    tasks = _tasks(export)
    drawn = {t["uscc"] for t in tasks}
    spare = [e.uscc for e in export.pools.enterprises if e.uscc not in drawn]
    if not spare:
        return reorder_officers(export, data)
    i = data.draw(st.integers(0, len(tasks) - 1))
    tasks[i]["uscc"] = data.draw(st.sampled_from(spare))
    return _resigned_result(export, tasks=tasks)


def drop_task(export: DrawExport, data: st.DataObject) -> DrawExport:
    return _resigned_result(export, tasks=_tasks(export)[:-1])


def replace_commitment_and_redraw(export: DrawExport, data: st.DataObject) -> DrawExport:
    """A whole new, self-consistent draw under the same number: only the noted hash shows it."""
    assert export.result is not None
    commitment = draws.parse_commitment(export.commitment.raw.encode())
    result = json.loads(export.result.raw)
    secret = hashlib.sha256(bytes.fromhex(result["secret"])).digest()
    return honest_export(export.pools, commitment.parameters, secret, result["beacon"])


TAMPERS: dict[str, tuple[Callable[[DrawExport, st.DataObject], DrawExport], set[str]]] = {
    "remove_enterprise": (remove_enterprise, {"draw.pool_changed"}),
    "rename_enterprise": (rename_enterprise, {"draw.pool_changed"}),
    "add_enterprise": (add_enterprise, {"draw.pool_changed"}),
    "move_officer": (move_officer, {"draw.pool_changed"}),
    "remove_officer": (remove_officer, {"draw.pool_changed"}),
    "add_exclusion": (add_exclusion, {"draw.pool_changed"}),
    "remove_exclusion": (remove_exclusion, {"draw.pool_changed"}),
    "change_secret_and_redraw": (change_secret_and_redraw, {"draw.secret_mismatch"}),
    "change_secret_unsigned": (change_secret_unsigned, {"draw.signature_invalid",
                                                        "draw.secret_mismatch"}),
    "change_beacon": (change_beacon, {"draw.seed_mismatch"}),
    "change_count_in_result": (change_count_in_result, {"draw.parameters_changed"}),
    "change_count_in_commitment": (change_count_in_commitment, {"draw.commitment_mismatch"}),
    "reorder_officers": (reorder_officers, {"draw.result_differs"}),
    "replace_enterprise": (replace_enterprise, {"draw.result_differs"}),
    "drop_task": (drop_task, {"draw.count_changed", "draw.result_differs"}),
    "replace_commitment_and_redraw": (replace_commitment_and_redraw,
                                      {"draw.commitment_replaced"}),
}


@settings(max_examples=250, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(draw_inputs(), st.sampled_from(sorted(TAMPERS)), st.data())
def test_any_change_after_the_commitment_is_rejected_with_its_reason(
        inputs: Inputs, name: str, data: st.DataObject) -> None:
    export = honest_export(*inputs)
    tamper, expected = TAMPERS[name]
    forged = tamper(export, data)
    verification = draws.verify_draw(forged, public(SERVER_KEY), known_commitment=_hash(export))
    codes = {p.code for p in verification.problems}
    assert verification.state == "failed"
    assert expected <= codes, (name, codes)
