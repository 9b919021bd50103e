"""schemathesis against the published OpenAPI schema: no 500s, no answer outside the schema.

Driven through schemathesis's Python API (its pytest plugin does not load under this
pytest), one hypothesis run per operation of the live schema.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.central.harness import CentralServer


def test_every_operation_survives_generated_requests(sqlite_server: CentralServer) -> None:
    schema = schemathesis.openapi.from_url(f"{sqlite_server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 8  # the protocol and the two public verification pages
    for operation in operations:
        _fuzz(operation)


def _fuzz(operation: Any) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    def run(case: Any) -> None:
        # A schema cannot say "signed by the device key": requests that are valid in shape but
        # refused in substance (422) are the protocol working, not a schema violation.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    run()
