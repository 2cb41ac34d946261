"""Every request body is read against its limit as it streams: a body over it is answered 413 in
the dialect's own envelope (the admin API's too), and the server never holds it whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.calls_api import ADMIN
from tests.support.factories import AccountFixture, make_account
from tests.support.fone import auth as fone_auth
from tests.support.fone import create_property
from tests.support.live_server import LiveServer

DIALECT_LIMIT = 64 * 1024
ADMIN_LIMIT = 256 * 1024


def _rss_bytes() -> int:
    """This process's resident memory now (the live server runs in it, in a thread)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


class Chunks:
    """A body sent in chunks with no Content-Length, noting the most memory the process held while
    sending it (so while the server was reading it)."""

    def __init__(self, total: int, chunk: int = 256 * 1024) -> None:
        self.total, self.chunk = total, chunk
        self.start_rss = self.peak_rss = _rss_bytes()

    def __iter__(self) -> Iterator[bytes]:
        piece = b"7" * self.chunk
        for sent in range(0, self.total, self.chunk):
            if sent % (4 * 1024 * 1024) == 0:
                self.peak_rss = max(self.peak_rss, _rss_bytes())
            yield piece
        self.peak_rss = max(self.peak_rss, _rss_bytes())


SAID = "the request body is larger than 64 KiB (65,536 bytes)"
"""The same words in every envelope, so a client reads the same limit whichever API it called."""


def _v1(response: httpx.Response) -> None:
    error = response.json()["RestException"]
    assert error["Status"] == 413 and error["Message"] == SAID


def _v1_xml(response: httpx.Response) -> None:
    assert b"<Status>413</Status>" in response.content and SAID.encode() in response.content


def _ccm(response: httpx.Response) -> None:
    body = response.json()
    assert body["http_code"] == 413 and body["response"]["status"] == "failure"
    assert body["response"]["error_data"]["code"] == 413
    assert body["response"]["error_data"]["description"] == SAID


def _fone(response: httpx.Response) -> None:
    status = response.json()["ResponseStatus"]
    assert status["ErrorCode"] == "PAYLOAD_TOO_LARGE" and status["Message"] == SAID


def _admin(response: httpx.Response) -> None:
    error = response.json()["error"]
    assert error["code"] == "payload-too-large"
    assert error["message"] == "the request body is larger than 256 KiB (262,144 bytes)"


Check = Callable[[httpx.Response], None]
Target = tuple[str, str, dict[str, Any], int, Check]
FORM, JSON, MULTIPART = (
    "application/x-www-form-urlencoded",
    "application/json",
    "multipart/form-data; boundary=x",
)


def _targets(account: AccountFixture, property_sid: str = "PR0") -> dict[str, Target]:
    v1, ccm = f"/v1/Accounts/{account.sid}/Calls", f"/v2/accounts/{account.sid}/calls"
    number, purchase = "/v2/Numbers/61290000000", f"/v2/Properties/{property_sid}/Numbers"
    flow = f"/admin/accounts/{account.sid}/flows/1"
    basic, fone = account.auth, fone_auth(account)

    def dialect(method: str, path: str, auth: httpx.Auth, kind: str, check: Check) -> Target:
        return method, path, {"auth": auth, "headers": {"content-type": kind}}, DIALECT_LIMIT, check

    def admin(method: str, path: str) -> Target:
        return method, path, {"headers": {**ADMIN, "content-type": JSON}}, ADMIN_LIMIT, _admin

    return {
        "v1-connect": dialect("POST", f"{v1}/connect.json", basic, FORM, _v1),
        "v1-connect-xml": dialect("POST", f"{v1}/connect", basic, FORM, _v1_xml),
        "v1-multipart": dialect("POST", f"{v1}/connect.json", basic, MULTIPART, _v1),
        "ccm-make-call": dialect("POST", ccm, basic, JSON, _ccm),
        "fone-configure": dialect("POST", number, fone, JSON, _fone),
        "fone-purchase": dialect("POST", purchase, fone, FORM, _fone),
        "fone-multipart": dialect("POST", number, fone, MULTIPART, _fone),
        "admin-flow-put": admin("PUT", flow),
        "admin-scenario": admin("PUT", "/admin/scenario"),
        "admin-clock": admin("POST", "/admin/clock/advance"),
    }


TARGETS = list(_targets(AccountFixture("x", 0, "k", "t", None)))  # type: ignore[arg-type]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_is_a_413_in_the_envelope(
    server: LiveServer, client: httpx.Client, target: str, declared: bool
) -> None:
    account = make_account(server.db)
    property_sid = create_property(client, account) if target == "fone-purchase" else "PR0"
    method, path, kwargs, limit, check = _targets(account, property_sid)[target]
    body: bytes | Chunks = b"{" * (limit + 1) if declared else Chunks(limit * 4, chunk=limit // 4)
    response = client.request(method, path, content=body, **kwargs)
    assert response.status_code == 413, response.text
    check(response)
    # the connection and the server carry on
    assert client.get("/admin/clock", headers=ADMIN).status_code == 200


@pytest.mark.parametrize("target", ["v1-connect", "ccm-make-call", "fone-configure", "admin-flow-put"])
def test_a_huge_streamed_body_is_never_held(server: LiveServer, target: str) -> None:
    """A 96 MB body sent in chunks: refused, and the process's memory does not grow by its size."""
    account = make_account(server.db)
    method, path, kwargs, _, check = _targets(account)[target]
    body = Chunks(96 * 1024 * 1024)
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        response = client.request(method, path, content=body, **kwargs)
    assert response.status_code == 413
    check(response)
    assert body.peak_rss - body.start_rss < 32 * 1024 * 1024


def test_a_body_within_the_admin_limit_is_read_whole(server: LiveServer, client: httpx.Client) -> None:
    """The guard hands a body under the limit on unchanged, chunked or not."""
    account = make_account(server.db)
    flow = b'{"name": "big", "applets": [{"type": "hangup"}], "pad": "' + b"x" * 200_000 + b'"}'

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(flow), 10_000):
            yield flow[start : start + 10_000]

    path = f"/admin/accounts/{account.sid}/flows/7"
    response = client.put(path, content=chunks(), headers={**ADMIN, "content-type": "application/json"})
    assert response.status_code in (200, 201, 400), response.text
    assert response.status_code != 413
