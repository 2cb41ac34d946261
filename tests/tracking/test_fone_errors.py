"""Fone Dynamics errors and numbers through HTTP on both backends: the ResponseStatus envelope for
every failure, account isolation, Purchase and Configure Numbers."""

from __future__ import annotations

import httpx
import pytest

from tests.support.calls_api import ADMIN, ANSWER, place
from tests.support.factories import AccountFixture, make_account, new_exophone
from tests.support.fone import auth, buy, configure, create_property, error
from tests.support.live_server import LiveServer, start_server
from trunkline.store.tracking.numbers import TrackingNumberStore


@pytest.fixture
def number() -> str:
    """A number of this test's own: a number belongs to one account."""
    return new_exophone()


def test_missing_or_wrong_credentials_are_401(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    path = f"/v2/Accounts/{engine_account.sid}/Calls"
    error(engine_client.get(path), 401, "UNAUTHORIZED")
    response = engine_client.get(path, auth=(engine_account.sid, "wrong-token"))
    error(response, 401, "UNAUTHORIZED")
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    # The API key works as the user too, as on v1.
    assert engine_client.get(path, auth=engine_account.auth).status_code == 200


def test_accounts_never_see_each_others_calls_properties_or_numbers(
    number: str, engine_server: LiveServer, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    other = make_account(engine_server.db)
    prop = create_property(engine_client, other)
    assert buy(engine_client, other, prop, number).status_code == 200
    error(engine_client.get(f"/v2/Accounts/{other.sid}/Calls", auth=auth(engine_account)), 403, "FORBIDDEN")
    error(
        engine_client.get(f"/v2/Properties/{prop}/Calls", auth=auth(engine_account)),
        404,
        "NOT_FOUND",
        "PropertySid",
    )
    error(buy(engine_client, engine_account, prop, "+918047200002"), 404, "NOT_FOUND", "PropertySid")
    response = engine_client.post(
        f"/v2/Numbers/{number[1:]}", data={"Friendly": "x"}, auth=auth(engine_account)
    )
    error(response, 404, "NOT_FOUND", "Number")
    error(
        engine_client.get(f"/v2/Numbers/{number[1:]}", auth=auth(engine_account)), 404, "NOT_FOUND", "Number"
    )
    # Another account's call Sid answers like a Sid that does not exist.
    call = place(engine_client, other, From=ANSWER, To=ANSWER)
    message = error(
        engine_client.get(f"/v2/Calls/{call['Sid']}", auth=auth(engine_account)), 404, "NOT_FOUND", "CallSid"
    )
    assert "tracking" not in message


def test_an_untracked_call_of_the_account_is_404_saying_so(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    call = place(engine_client, engine_account, From=ANSWER, To=ANSWER)
    message = error(
        engine_client.get(f"/v2/Calls/{call['Sid']}", auth=auth(engine_account)), 404, "NOT_FOUND", "CallSid"
    )
    assert "not made to a tracking number" in message
    error(engine_client.get("/v2/Calls/not-a-sid", auth=auth(engine_account)), 404, "NOT_FOUND", "CallSid")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"Date_From": "yesterday"}, "Date_From"),
        ({"date_to": "-5"}, "Date_To"),
        ({"Date_From": "99999999999999999999"}, "Date_From"),
        ({"Disposition": "Answered,Hungup"}, "Disposition"),
        ({"To": "not-a-number"}, "To"),
        ({"Endpoint": "sip:agent@example.com"}, "Endpoint"),
        ({"Prompts_keys": "1,x"}, "Prompts_keys"),
        ({"Prompts_keys": "12"}, "Prompts_keys"),
        ({"Unique": "Sometimes"}, "Unique"),
        ({"Unique": "Unique,Repeat"}, "Unique"),
        ({"Results_Count": "0"}, "Results_Count"),
        ({"Results_Count": "1001"}, "Results_Count"),
        ({"results_count": "ten"}, "Results_Count"),
        ({"Results_Skip": "-1"}, "Results_Skip"),
        ({"Attribution_Source": "x" * 201}, "Attribution_Source"),
        ({"Attribution_Source": "a\u0000b"}, "Attribution_Source"),  # PostgreSQL refuses NUL in text
        ({"Campaign\u0001": "x"}, "Campaign\u0001"),
    ],
)
def test_an_invalid_filter_is_a_400_naming_it(
    engine_client: httpx.Client, engine_account: AccountFixture, params: dict[str, str], field: str
) -> None:
    response = engine_client.get(
        f"/v2/Accounts/{engine_account.sid}/Calls", params=params, auth=auth(engine_account)
    )
    error(response, 400, "PARAMETER_INVALID", field)


def test_unknown_paths_and_methods_answer_in_the_envelope(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    error(engine_client.get("/v2/Calls/abc/def", auth=auth(engine_account)), 404, "NOT_FOUND")
    error(engine_client.get("/v2/Properties/abc", auth=auth(engine_account)), 404, "NOT_FOUND")
    error(
        engine_client.get(f"/v2/Accounts/{engine_account.sid}/Numbers", auth=auth(engine_account)),
        404,
        "NOT_FOUND",
    )
    response = engine_client.delete(f"/v2/Accounts/{engine_account.sid}/Calls", auth=auth(engine_account))
    error(response, 405, "METHOD_NOT_ALLOWED")
    # CCM's lower-case prefix is not this dialect's.
    assert (
        "ResponseStatus"
        not in engine_client.get(f"/v2/accounts/{engine_account.sid}/calls", auth=auth(engine_account)).text
    )


def test_control_characters_and_overlong_values_are_400s_not_500s(
    number: str, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    """On PostgreSQL each of these reached the database and failed there (a 500)."""
    prop = create_property(engine_client, engine_account)
    assert buy(engine_client, engine_account, prop, number).status_code == 200
    path = f"/v2/Numbers/{number[1:]}"
    error(
        engine_client.post(path, data={"Friendly": "a\u0000b"}, auth=auth(engine_account)),
        400,
        "PARAMETER_INVALID",
        "Friendly",
    )
    emails = ",".join(f"{'x' * 88}{i}@example.com" for i in range(8))  # 8 of 100 characters: 807 in all
    error(
        engine_client.post(path, data={"SendEmailTo": emails}, auth=auth(engine_account)),
        400,
        "PARAMETER_INVALID",
        "SendEmailTo",
    )
    body = {"Number": "+918047200002", "AddressSid": "a\u0000"}
    response = engine_client.post(f"/v2/Properties/{prop}/Numbers", data=body, auth=auth(engine_account))
    error(response, 400, "PARAMETER_INVALID", "AddressSid")
    error(
        engine_client.get("/v2/Properties/PR%00x/Calls", auth=auth(engine_account)),
        404,
        "NOT_FOUND",
        "PropertySid",
    )
    assert (
        configure(engine_client, engine_account, number[1:], Friendly="Still fine")["Friendly"]
        == "Still fine"
    )


def test_purchase_numbers(number: str, engine_client: httpx.Client, engine_account: AccountFixture) -> None:
    first, second = (
        create_property(engine_client, engine_account, "One"),
        create_property(engine_client, engine_account, "Two"),
    )
    response = engine_client.post(
        f"/v2/Properties/{first}/Numbers",
        json={"Number": number, "AddressSid": "AD1"},
        auth=auth(engine_account),
    )
    assert response.status_code == 200 and response.json() == {"Number": number, "Status": "Active"}
    assert buy(engine_client, engine_account, first, number).json() == {
        "Number": number,
        "Status": "Active",
    }  # again: a no-op
    response = buy(engine_client, engine_account, second, number)
    error(response, 400, "NUMBER_BELONGS_TO_DIFFERENT_PROPERTY", "Number")
    error(
        engine_client.post(f"/v2/Properties/{first}/Numbers", auth=auth(engine_account)),
        400,
        "PARAMETER_REQUIRED",
        "Number",
    )
    error(buy(engine_client, engine_account, first, "12ab"), 400, "PARAMETER_INVALID", "Number")
    response = engine_client.post(
        f"/v2/Properties/{first}/Numbers",
        content=b"{not json",
        auth=auth(engine_account),
        headers={"Content-Type": "application/json"},
    )
    error(response, 400, "PARAMETER_INVALID")
    listed = engine_client.get(
        f"/admin/accounts/{engine_account.sid}/properties/{first}", headers=ADMIN
    ).json()
    assert listed["numbers"] == [number]


def test_configure_numbers(number: str, engine_client: httpx.Client, engine_account: AccountFixture) -> None:
    prop = create_property(engine_client, engine_account)
    assert buy(engine_client, engine_account, prop, number).status_code == 200
    body = configure(
        engine_client,
        engine_account,
        number,
        friendly="Spring sale",
        Attribution_Source="google",
        RoutingMethod="endpoint",
        EndpointNumber="09999900001",
        Recording="call",
        SendSmsTo="+919876543210",
        SendEmailTo="a@example.com",
    )
    assert body["Number"] == number and body["PropertySid"] == prop and body["Status"] == "Active"
    assert (body["Friendly"], body["Attribution_Source"]) == ("Spring sale", "google")
    assert (body["RoutingMethod"], body["EndpointNumber"], body["Recording"]) == ("Endpoint", ANSWER, "Call")
    assert (body["SendSmsTo"], body["SendEmailTo"]) == ("+919876543210", "a@example.com")
    assert engine_client.get(f"/v2/Numbers/{number[1:]}", auth=auth(engine_account)).json() == body
    flow = engine_client.get(
        f"/admin/accounts/{engine_account.sid}/flows/fone-{number[1:]}", headers=ADMIN
    ).json()
    assert flow["exophones"] == [number] and flow["applets"][0]["numbers"] == [ANSWER]
    assert flow["applets"][0]["record"] is True
    # An empty value clears a setting; parameters not given stay.
    cleared = configure(engine_client, engine_account, number, Friendly="")
    assert cleared["Friendly"] is None and cleared["Attribution_Source"] == "google"

    path = f"/v2/Numbers/{number[1:]}"
    cases = [
        ({"RoutingMethod": "Flow"}, "PARAMETER_REQUIRED", "Flow"),
        ({"RoutingMethod": "Flow", "Flow": "nope"}, "PARAMETER_INVALID", "Flow"),
        ({"RoutingMethod": "Carrier pigeon"}, "PARAMETER_INVALID", "RoutingMethod"),
        ({"Recording": "Maybe"}, "PARAMETER_INVALID", "Recording"),
        ({"EndpointNumber": "abc"}, "PARAMETER_INVALID", "EndpointNumber"),
        ({"SendEmailTo": "not-an-email"}, "PARAMETER_INVALID", "SendEmailTo"),
        ({"Friendly": "x" * 201}, "PARAMETER_INVALID", "Friendly"),
    ]
    for params, code, field in cases:
        error(engine_client.post(path, data=params, auth=auth(engine_account)), 400, code, field)
    error(
        engine_client.post("/v2/Numbers/12ab", data={}, auth=auth(engine_account)),
        400,
        "PARAMETER_INVALID",
        "Number",
    )

    other = "+918047200009"
    assert buy(engine_client, engine_account, prop, other).status_code == 200
    response = engine_client.post(
        f"/v2/Numbers/{other[1:]}", data={"RoutingMethod": "Endpoint"}, auth=auth(engine_account)
    )
    error(response, 400, "PARAMETER_REQUIRED", "EndpointNumber")


def test_a_form_of_more_than_100_fields_is_a_400_in_the_envelope(
    number: str, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    prop = create_property(engine_client, engine_account)
    fields = {f"Field{n}": "x" for n in range(101)}
    for path, data in ((f"/v2/Properties/{prop}/Numbers", {"Number": number, **fields}),):
        error(engine_client.post(path, data=data, auth=auth(engine_account)), 400, "PARAMETER_INVALID")
        files = {name: (None, value) for name, value in data.items()}  # multipart: the same limit
        error(engine_client.post(path, files=files, auth=auth(engine_account)), 400, "PARAMETER_INVALID")
    listed = engine_client.get(
        f"/admin/accounts/{engine_account.sid}/properties/{prop}", headers=ADMIN
    ).json()
    assert listed["numbers"] == []


def test_a_configure_numbers_that_fails_changes_neither_the_flow_nor_the_number(
    number: str,
    engine_client: httpx.Client,
    engine_account: AccountFixture,
    engine_server: LiveServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The generated flow, its assignment and the number's settings are one transaction."""
    prop = create_property(engine_client, engine_account)
    assert buy(engine_client, engine_account, prop, number).status_code == 200
    before = engine_client.get(f"/v2/Numbers/{number[1:]}", auth=auth(engine_account)).json()

    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the store failed after the flow was written")

    monkeypatch.setattr(TrackingNumberStore, "update_number_in", fails)
    body = {"RoutingMethod": "Endpoint", "EndpointNumber": "09999900001", "Friendly": "New"}
    response = engine_client.post(f"/v2/Numbers/{number[1:]}", data=body, auth=auth(engine_account))
    assert response.status_code == 500 and "ResponseStatus" in response.json()
    monkeypatch.undo()
    assert engine_client.get(f"/v2/Numbers/{number[1:]}", auth=auth(engine_account)).json() == before
    flow = engine_client.get(f"/admin/accounts/{engine_account.sid}/flows/fone-{number[1:]}", headers=ADMIN)
    assert flow.status_code == 404
    assert (
        configure(engine_client, engine_account, number, **body)["RoutingMethod"] == "Endpoint"
    )  # and it works after


def test_the_rate_limit_is_a_429_in_the_envelope(database_factory) -> None:  # type: ignore[no-untyped-def]
    live = start_server(database_factory("sqlite", "fone_rate_limited"), rate_limit_per_minute=2)
    try:
        account = make_account(live.db)
        with httpx.Client(base_url=live.base_url, timeout=30) as http:
            path = f"/v2/Accounts/{account.sid}/Calls"
            served = [http.get(path, auth=auth(account)) for _ in range(2)]
            assert [r.status_code for r in served] == [200, 200]
            assert [r.headers["X-RateLimit-Remaining"] for r in served] == ["1", "0"]
            response = http.get(path, auth=auth(account))
            error(response, 429, "RATE_LIMIT_EXCEEDED")
            assert int(response.headers["Retry-After"]) >= 1
            # The same headers as the other dialects' 429s.
            assert response.headers["X-RateLimit-Remaining"] == "0"
            assert response.headers["X-RateLimit-Limit"] == "2"
    finally:
        live.stop()
