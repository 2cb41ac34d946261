"""v1 bulk list over HTTP, SQLite and PostgreSQL: every filter and error (docs/api-choices.md §Bulk list)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.factories import AccountFixture, make_account, make_call
from tests.support.live_server import LiveServer
from trunkline.domain.calls.model import Leg
from trunkline.domain.clock import ms_to_ist, now_ms

DAY_MIN = 24 * 60


def _list(client: httpx.Client, account: AccountFixture, **params: str) -> httpx.Response:
    return client.get(f"/v1/Accounts/{account.sid}/Calls.json", params=params, auth=account.auth)


def _sids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [call["Sid"] for call in response.json()["Calls"]]


def _error(response: httpx.Response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    body = response.json()["RestException"]
    assert body["Status"] == status
    return str(body["Message"])


def test_given_calls_when_list_then_newest_first_final_only_last_31_days_with_metadata(
    client: httpx.Client, account: AccountFixture
) -> None:
    new, old = account.add_calls(make_call(account, minutes_ago=5), make_call(account, minutes_ago=60))
    account.add_calls(
        make_call(account, minutes_ago=1, status="in-progress", end_time=None, duration=None),
        make_call(account, minutes_ago=32 * DAY_MIN),
    )
    response = _list(client, account)
    assert _sids(response) == [new.sid, old.sid]
    body = response.json()
    assert body["Metadata"]["Total"] == 2
    assert body["Metadata"]["PageSize"] == 50
    assert body["Metadata"]["PrevPageUri"] == "" and body["Metadata"]["NextPageUri"] == ""
    assert body["Metadata"]["FirstPageUri"].startswith(f"/v1/Accounts/{account.sid}/Calls.json?")
    first = body["Calls"][0]
    assert (
        first["PhoneNumber"] == account.exophone_local and first["PhoneNumberSid"] == account.exophone_local
    )
    assert first["Duration"] == "21" and first["Price"] == "1.500"


def test_given_no_suffix_when_list_then_xml_with_metadata_and_calls(
    client: httpx.Client, account: AccountFixture
) -> None:
    (call,) = account.add_calls(make_call(account))
    response = client.get(f"/v1/Accounts/{account.sid}/Calls", auth=account.auth)
    assert response.headers["content-type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.findtext("Metadata/Total") == "1"
    assert root.findtext("Metadata/NextPageUri") == ""
    assert [c.findtext("Sid") for c in root.findall("Calls/Call")] == [call.sid]


def test_given_another_accounts_calls_when_list_then_they_never_appear(
    client: httpx.Client, account: AccountFixture, server: LiveServer
) -> None:
    other = make_account(server.db)
    other.add_calls(make_call(other), make_call(other))
    (mine,) = account.add_calls(make_call(account))
    assert _sids(_list(client, account)) == [mine.sid]
    assert _list(client, account, Sid=",".join(c.sid for c in [mine])).json()["Metadata"]["Total"] == 1


def test_sid_filter_accepts_comma_lists_and_enforces_limit_and_shape(
    client: httpx.Client, account: AccountFixture
) -> None:
    a, b, _ = account.add_calls(make_call(account), make_call(account), make_call(account))
    assert sorted(_sids(_list(client, account, Sid=f"{a.sid},{b.sid}"))) == sorted([a.sid, b.sid])
    assert _sids(client.get(f"/v1/Accounts/{account.sid}/Calls.json?sid={a.sid}", auth=account.auth)) == [
        a.sid
    ]
    assert "at most 100" in _error(_list(client, account, Sid=",".join(["a" * 32] * 101)))
    assert "Sid" in _error(_list(client, account, Sid="abc'; drop table calls;--"))


def test_date_created_filter_grammar_and_limits(client: httpx.Client, account: AccountFixture) -> None:
    recent, older = account.add_calls(
        make_call(account, minutes_ago=60), make_call(account, minutes_ago=40 * DAY_MIN)
    )
    now = now_ms()
    window = f"gte:{ms_to_ist(now - 45 * DAY_MIN * 60_000)};lte:{ms_to_ist(now - 35 * DAY_MIN * 60_000)}"
    assert _sids(_list(client, account, DateCreated=window)) == [older.sid]
    encoded = window.replace(" ", "+").replace(";", "%3B")
    raw = client.get(f"/v1/Accounts/{account.sid}/Calls.json?DateCreated={encoded}", auth=account.auth)
    assert _sids(raw) == [older.sid]
    assert _sids(_list(client, account, DateCreated=f"gte:{ms_to_ist(now - 2 * DAY_MIN * 60_000)}")) == [
        recent.sid
    ]
    assert "at most one month" in _error(
        _list(client, account, DateCreated=f"gte:{ms_to_ist(now - 60 * DAY_MIN * 60_000)}")
    )
    too_old = f"gte:{ms_to_ist(now - 200 * DAY_MIN * 60_000)};lte:{ms_to_ist(now - 190 * DAY_MIN * 60_000)}"
    assert "older than" in _error(_list(client, account, DateCreated=too_old))
    assert "operators" in _error(_list(client, account, DateCreated="gt:2024-01-01 00:00:00"))
    assert "DateCreated" in _error(_list(client, account, DateCreated="gte:yesterday"))
    assert "later than" in _error(
        _list(client, account, DateCreated=f"gte:{ms_to_ist(now)};lte:{ms_to_ist(now - 3_600_000)}")
    )
    assert "twice" in _error(_list(client, account, DateCreated=f"gte:{ms_to_ist(now)};gte:{ms_to_ist(now)}"))


@pytest.mark.parametrize(
    "spelling", ["+919811111111", "09811111111", "9811111111", " 919811111111", "+91 98111 11111"]
)
def test_number_filters_match_any_spelling(
    client: httpx.Client, account: AccountFixture, spelling: str
) -> None:
    target, _ = account.add_calls(
        make_call(account, to_number="+919811111111", from_number="+919822222222"), make_call(account)
    )
    assert _sids(_list(client, account, To=spelling)) == [target.sid]
    assert _sids(_list(client, account, From="09822222222")) == [target.sid]


def test_number_filters_enforce_limits_and_validity(client: httpx.Client, account: AccountFixture) -> None:
    (call,) = account.add_calls(make_call(account))
    assert _sids(_list(client, account, PhoneNumber=f"{account.exophone_local},+918047000000")) == [call.sid]
    assert _sids(_list(client, account, PhoneNumber="+918047000000")) == []
    six = ",".join(f"98111111{i:02d}" for i in range(6))
    for name in ("To", "From", "PhoneNumber"):
        assert "at most 5" in _error(_list(client, account, **{name: six}))
        assert name in _error(_list(client, account, **{name: "not-a-number"}))


def test_status_and_direction_filters(client: httpx.Client, account: AccountFixture) -> None:
    done, busy, inbound = account.add_calls(
        make_call(account),
        make_call(account, status="busy", duration=0, price_micros=None, legs=[Leg(1, None, "busy", 0)]),
        make_call(account, direction="inbound"),
    )
    assert _sids(_list(client, account, Status="busy")) == [busy.sid]
    assert sorted(_sids(_list(client, account, Status="busy,completed"))) == sorted(
        [done.sid, busy.sid, inbound.sid]
    )
    assert _sids(_list(client, account, Status="in-progress")) == []  # ongoing calls are never listed
    assert _sids(_list(client, account, Direction="inbound")) == [inbound.sid]
    assert "unknown value" in _error(_list(client, account, Status="done"))
    assert "Direction" in _error(_list(client, account, Direction="sideways"))


def test_duration_filter_grammar(client: httpx.Client, account: AccountFixture) -> None:
    short, mid, long_ = account.add_calls(
        make_call(account, duration=5), make_call(account, duration=30), make_call(account, duration=90)
    )
    assert _sids(_list(client, account, Duration="eq:30s")) == [mid.sid]
    assert _sids(_list(client, account, Duration="30")) == [mid.sid]
    assert sorted(_sids(_list(client, account, Duration="gte:10s;lte:100s"))) == sorted([mid.sid, long_.sid])
    assert _sids(_list(client, account, Duration="lte:5s")) == [short.sid]
    assert "operators" in _error(_list(client, account, Duration="gt:10s"))
    assert "seconds" in _error(_list(client, account, Duration="gte:ten"))
    assert "seconds" in _error(_list(client, account, Duration="gte:-5s"))


def test_price_filter_grammar_compares_exactly(client: httpx.Client, account: AccountFixture) -> None:
    cheap, exact, dear = account.add_calls(
        make_call(account, price_micros=100_000),
        make_call(account, price_micros=300_030),
        make_call(account, price_micros=2_000_000),
    )
    assert _sids(_list(client, account, Price="eq:0.300030")) == [exact.sid]
    assert sorted(_sids(_list(client, account, Price="gte:0.10;lte:1.0"))) == sorted([cheap.sid, exact.sid])
    assert _sids(_list(client, account, Price="gte:1.5")) == [dear.sid]
    assert "Price" in _error(_list(client, account, Price="gte:abc"))
    assert "6 decimals" in _error(_list(client, account, Price="eq:0.0000001"))
    assert "operators" in _error(_list(client, account, Price="ne:1"))


@pytest.mark.parametrize("size", ["0", "101", "1000", "-1", "ten", "1.5"])
def test_page_size_out_of_range_is_400(client: httpx.Client, account: AccountFixture, size: str) -> None:
    assert "PageSize" in _error(_list(client, account, PageSize=size))


def test_sort_by_and_cursor_rules(client: httpx.Client, account: AccountFixture) -> None:
    first, second = account.add_calls(make_call(account, minutes_ago=20), make_call(account, minutes_ago=10))
    assert _sids(_list(client, account, SortBy="DateCreated:asc")) == [first.sid, second.sid]
    assert "SortBy" in _error(_list(client, account, SortBy="Duration:asc"))
    assert "cursor" in _error(_list(client, account, After="forged-cursor"))
    assert "cursor" in _error(_list(client, account, Before="AAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
    assert "together" in _error(_list(client, account, After="x", Before="y"))


def test_details_true_adds_legs_to_every_listed_call(client: httpx.Client, account: AccountFixture) -> None:
    account.add_calls(make_call(account), make_call(account, legs=[Leg(1, None, "completed", 4)]))
    calls = _list(client, account, details="true").json()["Calls"]
    assert [len(c["Details"]["Legs"]) for c in calls] == [1, 2] or [
        len(c["Details"]["Legs"]) for c in calls
    ] == [2, 1]
    assert all(list(c)[-1] == "Details" for c in calls)


def _walk(client: httpx.Client, account: AccountFixture, first_uri: str, link: str) -> list[str]:
    seen: list[str] = []
    uri = first_uri
    for _ in range(200):
        response = client.get(uri, auth=account.auth)
        seen += _sids(response)
        uri = response.json()["Metadata"][link]
        if not uri:
            return seen
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_given_ties_when_walking_pages_both_ways_then_every_call_exactly_once(
    client: httpx.Client, account: AccountFixture, order: str
) -> None:
    stamp = now_ms() - 3_600_000
    calls = account.add_calls(*[make_call(account, date_created=stamp + (i // 4) * 1000) for i in range(23)])
    expected = sorted(((c.date_created, c.sid) for c in calls), reverse=order == "desc")
    start = f"/v1/Accounts/{account.sid}/Calls.json?PageSize=5&SortBy=DateCreated:{order}"
    forward = _walk(client, account, start, "NextPageUri")
    assert forward == [sid for _, sid in expected]
    # From the last page, walk back with PrevPageUri.
    last = client.get(start, auth=account.auth).json()
    while last["Metadata"]["NextPageUri"]:
        last = client.get(last["Metadata"]["NextPageUri"], auth=account.auth).json()
    back_pages: list[list[str]] = [[c["Sid"] for c in last["Calls"]]]
    uri = last["Metadata"]["PrevPageUri"]
    while uri:
        page = client.get(uri, auth=account.auth).json()
        back_pages.insert(0, [c["Sid"] for c in page["Calls"]])
        uri = page["Metadata"]["PrevPageUri"]
    assert [sid for page in back_pages for sid in page] == forward
    assert all(len(page) == 5 for page in back_pages[:-1])


def test_page_uris_repeat_filters_and_pin_the_default_window(
    client: httpx.Client, account: AccountFixture
) -> None:
    account.add_calls(*[make_call(account, minutes_ago=i + 1) for i in range(3)])
    meta = _list(client, account, PageSize="2", Status="completed").json()["Metadata"]
    query = parse_qs(urlsplit(meta["NextPageUri"]).query)
    assert query["Status"] == ["completed"] and query["PageSize"] == ["2"]
    assert query["DateCreated"][0].startswith("gte:") and "After" in query
    assert meta["Total"] == 3
