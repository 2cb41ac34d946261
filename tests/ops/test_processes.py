"""``GET /admin/processes``: the live server processes an operator can see, on either backend.
(Two processes listing each other: tests/scale/test_shared_state.py.)"""

from __future__ import annotations

import os

import httpx

from tests.support.calls_api import ADMIN
from tests.support.live_server import LiveServer


def test_the_answering_process_lists_itself(server: LiveServer, client: httpx.Client) -> None:
    answer = client.get("/admin/processes", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    listed = answer.json()
    # The registry runs where several processes may share the store (PostgreSQL), not on SQLite.
    assert listed["registry"] is (not server.db.is_sqlite)
    mine = [p for p in listed["processes"] if p["this_process"]]
    assert len(mine) == 1 and mine[0]["pid"] == os.getpid()
    assert mine[0]["started_ms"] > 0 and mine[0]["started_ist"][:2] == "20"
    assert mine[0]["heartbeat_age_ms"] <= listed["gone_after_seconds"] * 1000
    assert listed["heartbeat_seconds"] < listed["gone_after_seconds"]


def test_it_needs_the_admin_token(client: httpx.Client) -> None:
    refused = client.get("/admin/processes")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication-failed"
