"""GET /api/v1/capabilities."""

from __future__ import annotations

import json

import httpx

from app.sandbox.capabilities import capabilities
from app.sandbox.limits import Limits


def test_capabilities_are_the_sandbox_table_plus_the_limits(client: httpx.Client) -> None:
    r = client.get("/api/v1/capabilities")
    assert r.status_code == 200, r.text
    served = r.json()
    assert served["limits"] == Limits().as_dict()
    table = json.loads(json.dumps(capabilities()))
    assert {k: v for k, v in served.items() if k != "limits"} == {
        k: v for k, v in table.items() if k != "limits"
    }
