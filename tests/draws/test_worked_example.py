"""The worked example of docs/draws.md, reproduced by both implementations byte for byte."""

from __future__ import annotations

import hashlib
import json

from inspector_protocol import draws
from tests.draws import reimplementation as second
from tests.draws.helpers import EXAMPLE_KEY, doc_examples, public

ENTERED_BEACON = "03 08 14 21 27 30  +  12"  # as the page says it was typed


def _values() -> dict[str, str]:
    lines = doc_examples()["values"].splitlines()
    return {name.strip(): value.strip() for name, value in (line.split("=", 1) for line in lines)}


def test_the_page_holds_every_block_the_tests_read() -> None:
    assert set(doc_examples()) == {"export", "values", "tasks", "joint-commitment", "joint-tasks"}


def test_the_second_implementation_reproduces_every_value_of_the_worked_example() -> None:
    export = json.loads(doc_examples()["export"])
    values = _values()
    commitment_raw = export["commitment"]["raw"].encode("utf-8")
    result = json.loads(export["result"]["raw"])
    secret = bytes.fromhex(result["secret"])
    assert second.is_sorted_without_duplicates(export["pools"])
    hashes = second.pool_hashes(export["pools"])
    assert {k: values[k] for k in hashes} == hashes
    assert second.secret_hash(secret) == values["secret_hash"]
    assert hashlib.sha256(commitment_raw).hexdigest() == values["commitment_hash"]
    beacon = second.normalise_beacon(ENTERED_BEACON)
    assert beacon == values["beacon"] == result["beacon"]
    assert second.beacon_digest(beacon).hex() == values["beacon_digest"]
    seed = second.seed(secret, beacon, commitment_raw)
    assert seed.hex() == values["seed"]
    commitment = json.loads(commitment_raw)
    output = second.tasks_bytes(second.draw(export["pools"], commitment["count"],
                                            commitment["officers_per_task"], commitment["joint"],
                                            seed))
    assert output == doc_examples()["tasks"].encode("utf-8")
    assert hashlib.sha256(output).hexdigest() == values["tasks_sha256"]
    assert second.rerun(export) == (output, output)


def test_the_reference_implementation_verifies_the_example_and_gives_the_same_bytes() -> None:
    export = draws.parse_export(doc_examples()["export"].encode("utf-8"))
    verification = draws.verify_draw(export, public(EXAMPLE_KEY))
    assert verification.state == "verified", verification.problems
    assert verification.expected is not None
    assert draws.tasks_bytes(verification.expected) == doc_examples()["tasks"].encode("utf-8")
    values = _values()
    assert draws.draw_seed(bytes(range(32)), draws.normalise_beacon(ENTERED_BEACON),
                           export.commitment.raw.encode()).hex() == values["seed"]
    assert draws.secret_hash(bytes(range(32))) == values["secret_hash"]


def test_the_joint_example_is_reproduced_by_both_implementations() -> None:
    export = json.loads(doc_examples()["export"])
    joint_raw = doc_examples()["joint-commitment"].encode("utf-8")
    commitment = json.loads(joint_raw)
    assert commitment["joint"] is True
    assert {k: commitment[k] for k in ("enterprises_hash", "officers_hash", "exclusions_hash")} \
        == second.pool_hashes(export["pools"])
    secret = bytes(range(32))
    assert second.secret_hash(secret) == commitment["secret_hash"]
    seed = second.seed(secret, second.normalise_beacon(ENTERED_BEACON), joint_raw)
    expected = doc_examples()["joint-tasks"].encode("utf-8")
    assert second.tasks_bytes(second.draw(export["pools"], 3, 2, True, seed)) == expected
    pools = draws.Pools.model_validate(export["pools"])
    parameters = draws.DrawParameters(count=3, officers_per_task=2, joint=True)
    assert draws.tasks_bytes(draws.select(pools, parameters, seed)) == expected
    result = draws.result_statement(commitment_raw=joint_raw, pools=pools, secret=secret,
                                    beacon=ENTERED_BEACON, run_ms=0)
    assert result["seed"] == seed.hex()
