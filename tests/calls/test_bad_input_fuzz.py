"""Bad input never reaches a 500: random query strings and path segments through real HTTP get a
200 or a RestException in the format the URL asked for, and nothing stored changes."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.factories import AccountFixture, make_call

NAMES = [
    "Sid",
    "DateCreated",
    "To",
    "From",
    "PhoneNumber",
    "Status",
    "Direction",
    "Duration",
    "Price",
    "PageSize",
    "SortBy",
    "Before",
    "After",
    "details",
    "RecordingUrlValidity",
    "sid",
    "status",
    "x",
]
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "gte:",
            "lte:2024-13-45 25:61:61",
            "eq:-1s",
            "gte:1e309",
            "%",
            "%00",
            "+",
            ";;",
            ",,,",
            "gte:2026-11-01 00:00:00;lte:",
            "0",
            "-0",
            "NaN",
            "Infinity",
            "9" * 40,
            "\x00",
        ]
    ),
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _assert_clean(response: httpx.Response, as_json: bool) -> None:
    assert response.status_code in (200, 400, 404), response.text
    if response.status_code != 200:
        if as_json:
            assert response.json()["RestException"]["Status"] == response.status_code
        else:
            assert b"<RestException>" in response.content


@FUZZ
@given(params=st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=4), as_json=st.booleans())
def test_random_bulk_queries_answer_200_or_a_rest_exception(
    client: httpx.Client, account: AccountFixture, params: list[tuple[str, str]], as_json: bool
) -> None:
    path = f"/v1/Accounts/{account.sid}/Calls{'.json' if as_json else ''}"
    _assert_clean(client.get(path, params=params, auth=account.auth), as_json)


@FUZZ
@given(
    segment=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"),
        min_size=1,
        max_size=40,
    ),
    as_json=st.booleans(),
)
def test_random_call_sids_and_numbers_answer_cleanly(
    client: httpx.Client, account: AccountFixture, segment: str, as_json: bool
) -> None:
    suffix = ".json" if as_json else ""
    for kind in ("Calls", "Numbers"):
        url = f"/v1/Accounts/{account.sid}/{kind}/{quote(segment, safe='')}{suffix}"
        _assert_clean(client.get(url, auth=account.auth), as_json)


def test_bad_requests_leave_stored_calls_untouched(client: httpx.Client, account: AccountFixture) -> None:
    (call,) = account.add_calls(make_call(account))
    before = client.get(f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json", auth=account.auth).json()
    for params in ({"Sid": "x" * 5000}, {"PageSize": "0"}, {"After": "AAAA"}, {"DateCreated": "drop table"}):
        client.get(f"/v1/Accounts/{account.sid}/Calls.json", params=params, auth=account.auth)
    assert client.get(f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json", auth=account.auth).json() == before


def test_control_characters_in_credentials_are_a_plain_401(
    client: httpx.Client, account: AccountFixture
) -> None:
    for user in ("\x00", "a\x00b", "x" * 500, account.sid + "\n"):
        response = client.get(f"/v1/Accounts/{account.sid}/Calls.json", auth=httpx.BasicAuth(user, "token"))
        assert response.status_code == 401, user
