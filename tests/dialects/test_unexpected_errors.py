"""An unexpected error is a 500 in the dialect's own envelope, and the connection stays usable: a
keep-alive client's next request on it is answered (uvicorn used to close it unannounced)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.calls_api import ADMIN
from tests.support.factories import AccountFixture, make_account, make_call
from tests.support.fone import auth as fone_auth
from tests.support.live_server import LiveServer


@pytest.fixture
def broken_reads(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    async def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug, not a bad request")

    monkeypatch.setattr(server.services.runner, "read", fails)
    monkeypatch.setattr(server.services.calls, "details", fails)
    yield
    monkeypatch.undo()


def _v1(response: httpx.Response) -> None:
    assert response.json() == {"RestException": {"Status": 500, "Message": "Internal server error"}}


def _ccm(response: httpx.Response) -> None:
    assert response.json()["http_code"] == 500 and response.json()["response"]["status"] == "failure"


def _fone(response: httpx.Response) -> None:
    assert response.json()["ResponseStatus"]["ErrorCode"] == "INTERNAL_ERROR"


@pytest.mark.parametrize(
    ("dialect", "check"),
    [("v1", _v1), ("v1-xml", None), ("ccm", _ccm), ("fone", _fone)],
)
def test_a_500_in_the_envelope_and_the_next_request_on_the_connection_is_answered(
    server: LiveServer, broken_reads: None, dialect: str, check: object
) -> None:
    account: AccountFixture = make_account(server.db)
    (call,) = account.add_calls(make_call(account))
    path, credentials = {
        "v1": (f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json", account.auth),
        "v1-xml": (f"/v1/Accounts/{account.sid}/Calls/{call.sid}", account.auth),
        "ccm": (f"/v2/accounts/{account.sid}/calls/{call.sid}", account.auth),
        "fone": (f"/v2/Calls/{call.sid}", fone_auth(account)),
    }[dialect]
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for _ in range(3):  # the same keep-alive connection each time
            response = client.get(path, auth=credentials)
            assert response.status_code == 500
            if callable(check):
                check(response)
            else:
                assert b"<RestException>" in response.content and b"<Status>500</Status>" in response.content
        assert client.get("/admin/clock", headers=ADMIN).status_code == 200
