"""Every answer carries an ``X-Request-Id``, and every unexpected error, in each dialect and the
admin API, is logged exactly once with that id and the traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from tests.support.calls_api import ADMIN
from tests.support.factories import make_account, make_call
from tests.support.fone import auth as fone_auth
from tests.support.live_server import LiveServer


@pytest.fixture
def broken(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    async def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug, not a bad request")

    monkeypatch.setattr(server.services.runner, "read", fails)
    monkeypatch.setattr(server.services.calls, "details", fails)
    monkeypatch.setattr(server.services.sandbox, "clock", fails)
    yield
    monkeypatch.undo()


@pytest.mark.parametrize("dialect", ["v1", "ccm", "fone", "admin"])
def test_an_unexpected_error_is_logged_once_with_the_request_id_it_answers(
    server: LiveServer, broken: None, caplog: pytest.LogCaptureFixture, dialect: str
) -> None:
    account = make_account(server.db)
    (call,) = account.add_calls(make_call(account))
    path, auth, headers = {
        "v1": (f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json", account.auth, {}),
        "ccm": (f"/v2/accounts/{account.sid}/calls/{call.sid}", account.auth, {}),
        "fone": (f"/v2/Calls/{call.sid}", fone_auth(account), {}),
        "admin": ("/admin/clock", None, ADMIN),
    }[dialect]
    caplog.set_level(logging.ERROR)
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        response = client.get(path, auth=auth, headers=headers)
        assert response.status_code == 500
        rid = response.headers["x-request-id"]
        assert len(rid) == 32
        if dialect == "admin":
            assert response.json()["error"]["code"] == "internal-error"
            assert rid in response.json()["error"]["message"]
        assert client.get("/admin/scenario", headers=ADMIN).status_code == 200  # the connection lives on
    logged = [r for r in caplog.records if getattr(r, "request_id", None) == rid]
    assert len(logged) == 1, [r.getMessage() for r in caplog.records]
    assert logged[0].exc_info is not None and "a bug, not a bad request" in str(logged[0].exc_info[1])
    assert rid in logged[0].getMessage()


def test_every_answer_has_a_request_id_and_a_sane_incoming_one_is_kept(
    server: LiveServer, client: httpx.Client
) -> None:
    account = make_account(server.db)
    answers = [
        client.get(f"/v1/Accounts/{account.sid}/Calls.json", auth=account.auth),
        client.get("/v1/Accounts/nobody/Calls.json"),  # 401
        client.get("/nowhere"),
        client.get("/admin/clock", headers=ADMIN),
        client.get("/openapi.json"),
    ]
    ids = [answer.headers.get("x-request-id") for answer in answers]
    assert all(ids) and len(set(ids)) == len(ids)
    kept = client.get("/admin/clock", headers={**ADMIN, "X-Request-Id": "lb-7f3a.42"})
    assert kept.headers["x-request-id"] == "lb-7f3a.42"
    for hostile in ["a b", "x" * 200, "evil\u00e9"]:
        answer = client.get("/admin/clock", headers={**ADMIN, "X-Request-Id": hostile.encode("utf-8")})
        assert answer.headers["x-request-id"] != hostile and len(answer.headers["x-request-id"]) == 32
