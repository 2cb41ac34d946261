"""Every integer parameter of every dialect and of the admin API, given a number far past what it
can hold (past 64 bits; past the 4,300 digits Python's ``int()`` reads) or a NUL, answers a 400
(or 404) in its own envelope, on both backends; never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.calls_api import ADMIN, connect
from tests.support.factories import AccountFixture, make_account, make_call
from tests.support.fone import auth as fone_auth
from tests.support.fone import create_property
from tests.support.live_server import LiveServer

PAST_64_BITS = "99999999999999999999"
DIGITS_4300 = "9" * 4300
NINES_5000 = "9" * 5000
HUGE = [PAST_64_BITS, DIGITS_4300, NINES_5000, "-" + NINES_5000]


def _envelope(dialect: str, response: httpx.Response) -> None:
    allowed = (400, 403, 404) if dialect == "recordings" else (400, 404)  # a bad link: 403
    assert response.status_code in allowed, (response.status_code, response.text[:300])
    if dialect == "v1":
        assert response.json()["RestException"]["Status"] == response.status_code
    elif dialect == "ccm":
        assert response.json()["http_code"] == response.status_code
    elif dialect == "fone":
        assert response.json()["ResponseStatus"]["ErrorCode"] in ("PARAMETER_INVALID", "NOT_FOUND")
    elif dialect == "admin":
        assert set(response.json()["error"]) == {"code", "message"}


def _requests(account: AccountFixture, call_sid: str, property_sid: str, value: str) -> list[tuple[str, ...]]:
    """(dialect, method, path, where, name) of every integer parameter; ``where`` says how it goes."""
    v1 = f"/v1/Accounts/{account.sid}/Calls"
    return [
        ("v1", "POST", f"{v1}/connect.json", "form", "TimeOut"),
        ("v1", "POST", f"{v1}/connect.json", "form", "TimeLimit"),
        ("v1", "POST", f"{v1}/connect.json", "json", "TimeOut"),
        ("v1", "POST", f"{v1}/connect.json", "json-string", "TimeLimit"),
        ("v1", "GET", f"{v1}.json", "query", "PageSize"),
        ("v1", "GET", f"{v1}.json", "query", "RecordingUrlValidity"),
        ("v1", "GET", f"{v1}.json", "query", "Duration"),
        ("v1", "GET", f"{v1}.json", "query", "DateCreated"),
        ("v1", "GET", f"{v1}.json", "query", "Price"),
        ("v1", "GET", f"{v1}/{call_sid}.json", "query", "RecordingUrlValidity"),
        ("ccm", "POST", f"/v2/accounts/{account.sid}/calls", "json", "max_time_limit"),
        ("ccm", "POST", f"/v2/accounts/{account.sid}/calls", "json-string", "max_time_limit"),
        ("ccm", "POST", f"/v2/accounts/{account.sid}/calls", "json-string", "attempt_time_out"),
        ("fone", "GET", f"/v2/Accounts/{account.sid}/Calls", "query", "Results_Skip"),
        ("fone", "GET", f"/v2/Accounts/{account.sid}/Calls", "query", "Results_Count"),
        ("fone", "GET", f"/v2/Accounts/{account.sid}/Calls", "query", "Date_From"),
        ("fone", "GET", f"/v2/Properties/{property_sid}/Calls", "query", "Date_To"),
        ("recordings", "GET", f"/exotelrecordings/{account.sid}/{call_sid}.mp3", "query", "Expires"),
        ("admin", "GET", "/admin/traffic/{value}", "path", ""),
        ("admin", "DELETE", "/admin/traffic/{value}", "path", ""),
        ("admin", "POST", "/admin/webhooks/{value}/redeliver", "path", ""),
        ("admin", "POST", "/admin/clock/advance", "json", "seconds"),
        ("admin", "POST", f"/admin/accounts/{account.sid}/traffic", "json", "count"),
        ("admin", "POST", f"/admin/accounts/{account.sid}/traffic", "json", "rate_per_minute"),
        ("admin", "PUT", f"/admin/accounts/{account.sid}/flows/9", "flow", "timeout"),
    ]


def _send(
    client: httpx.Client, account: AccountFixture, request: tuple[str, ...], value: str
) -> httpx.Response:
    dialect, method, path, where, name = request
    auth = fone_auth(account) if dialect == "fone" else None if dialect == "admin" else account.auth
    headers = ADMIN if dialect == "admin" else {}
    kwargs: dict[str, Any] = {"auth": auth, "headers": headers}
    base: dict[str, Any] = {"From": "+919876543210", "To": "+919812345678", "CallerId": account.exophones[0]}
    if dialect == "ccm":
        base = {"from": {"user_contact_uri": "+919876543210"}, "to": {"number": "+919812345678"},
                "virtual_number": account.exophones[0]}  # fmt: skip
    if dialect == "admin" and name == "count":
        base = {"rate_per_minute": 1}
    if where == "form":
        kwargs["data"] = {**base, name: value}
    elif where == "json":
        # a bare JSON number of this many digits
        kwargs["content"] = _json_with_number({**base}, name, value)
        kwargs["headers"] = {**headers, "content-type": "application/json"}
    elif where == "json-string":
        kwargs["json"] = {**base, name: value}
    elif where == "query":
        query = {"Duration": f"gte:{value}s", "DateCreated": f"gte:{value}", "Price": f"gte:{value}"}
        kwargs["params"] = {name: query.get(name, value)}
        if name == "Expires":
            kwargs["params"]["Signature"] = "abc"
            kwargs["auth"] = None
    elif where == "path":
        path = path.replace("{value}", value)
    elif where == "flow":
        flow = f'{{"applets": [{{"type": "passthru", "url": "http://example.com/", "timeout": {value}}}]}}'
        kwargs["content"] = flow.encode()
        kwargs["headers"] = {**headers, "content-type": "application/json"}
        yaml_flow = f"applets:\n- type: passthru\n  url: http://example.com/\n  timeout: {value}\n"
        yaml_response = client.request(
            method, path, content=yaml_flow.encode(), headers={**headers, "content-type": "application/yaml"}
        )
        _envelope(dialect, yaml_response)
    return client.request(method, path, **kwargs)


def _json_with_number(body: dict[str, Any], name: str, digits: str) -> bytes:
    import json

    text = json.dumps({**body, name: "__N__"})
    return text.replace('"__N__"', digits).encode()


_SHAPES = _requests(AccountFixture("A", 0, "k", "t", None), "C", "P", "")  # type: ignore[arg-type]
IDS = [f"{r[0]}-{r[1]}-{r[4] or r[2].split('/')[2]}-{r[3]}" for r in _SHAPES]


@pytest.mark.parametrize("index", range(len(IDS)), ids=IDS)
def test_every_integer_parameter_refuses_a_huge_number(
    server: LiveServer, client: httpx.Client, index: int
) -> None:
    account = make_account(server.db)
    (call,) = account.add_calls(make_call(account))
    property_sid = create_property(client, account)
    request = _requests(account, call.sid, property_sid, "")[index]
    for value in HUGE:
        if request[3] == "json" and value.startswith("-"):
            continue
        response = _send(client, account, request, value)
        _envelope(request[0], response)


def test_a_time_out_in_range_is_still_accepted(client: httpx.Client, account: AccountFixture) -> None:
    """Any TimeOut a 32-bit client can send is accepted (no leg rings longer than 60 s)."""
    response = connect(client, account, From="+919876543210", To="+919812345678", TimeOut=str(2**31 - 1))
    assert response.status_code == 200, response.text
    response = connect(client, account, From="+919876543210", To="+919812345678", TimeOut=str(2**31))
    assert response.status_code == 400


ADMIN_PATHS = [
    ("GET", "/admin/accounts/{a}/flows/{x}"),
    ("PUT", "/admin/accounts/{a}/flows/{x}"),
    ("DELETE", "/admin/accounts/{a}/flows/{x}"),
    ("GET", "/admin/accounts/{x}/flows"),
    ("PUT", "/admin/accounts/{a}/exophones/{x}/flow"),
    ("POST", "/admin/accounts/{x}/inbound"),
    ("GET", "/admin/accounts/{x}/properties"),
    ("GET", "/admin/accounts/{a}/properties/{x}"),
    ("GET", "/admin/accounts/{x}/traffic"),
    ("GET", "/admin/accounts/{x}/users"),
    ("GET", "/admin/accounts/{a}/users/{x}"),
    ("GET", "/admin/calls/{x}/events"),
    ("GET", "/admin/calls/{x}/flow-requests"),
    ("GET", "/admin/calls/{x}/webhooks"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_PATHS, ids=[f"{m}-{p}" for m, p in ADMIN_PATHS])
def test_a_nul_in_an_admin_path_parameter_is_a_404(
    server: LiveServer, client: httpx.Client, method: str, path: str
) -> None:
    account = make_account(server.db)
    url = path.replace("{a}", account.sid).replace("{x}", "ab%00cd")
    response = client.request(method, url, headers=ADMIN, json={"app_id": None})
    assert response.status_code == 404, response.text
    _envelope("admin", response)


FLOW = {"name": "Support", "applets": [{"type": "say", "text": "hello"}, {"type": "hangup"}]}


@pytest.mark.parametrize(
    "document",
    [
        {**FLOW, "name": "Sup\x00port"},
        {**FLOW, "applets": [{"type": "say", "text": "hel\x00lo"}, {"type": "hangup"}]},
    ],
    ids=["name", "applet-text"],
)
def test_a_nul_in_a_flow_is_a_400(server: LiveServer, client: httpx.Client, document: dict[str, Any]) -> None:
    account = make_account(server.db)
    path = f"/admin/accounts/{account.sid}/flows/5"
    response = client.put(path, json=document, headers=ADMIN)
    _envelope("admin", response)
    assert "control character" in response.json()["error"]["message"]
    yaml_body = 'name: "Sup\\0port"\napplets:\n- type: hangup\n'
    response = client.put(path, content=yaml_body, headers={**ADMIN, "content-type": "application/yaml"})
    _envelope("admin", response)
    assert client.get(path, headers=ADMIN).status_code == 404  # nothing was stored


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/admin/accounts/{a}/properties", {"name": "Web\x00site"}),
        ("POST", "/admin/accounts/{a}/users", {"name": "A\x00", "contact_uri": "+919876543210"}),
        ("POST", "/admin/accounts/{a}/traffic", {"rate_per_minute": 1, "tag": "x\x00"}),
        ("PUT", "/admin/scenario", {"rules": [{"match": "\x00"}]}),
        ("POST", "/admin/reset", {"account_sid": "a\x00"}),
    ],
    ids=["property", "user", "traffic", "scenario", "reset"],
)
def test_a_nul_in_an_admin_body_is_a_400(
    server: LiveServer, client: httpx.Client, method: str, path: str, body: dict[str, Any]
) -> None:
    account = make_account(server.db)
    response = client.request(method, path.replace("{a}", account.sid), json=body, headers=ADMIN)
    _envelope("admin", response)
