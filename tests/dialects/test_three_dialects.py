"""One call, three dialects: an inbound call to a tracking number that the number's routing connects
to an agent reads with the same facts through Exotel v1, Exotel CCM v2 and Fone Dynamics — they
are translations of one stored record, not three copies of it."""

from __future__ import annotations

from datetime import datetime

import httpx

from tests.support.calls_api import advance
from tests.support.ccm import add_agent, get_details
from tests.support.factories import make_account
from tests.support.fone import auth, buy, configure, create_property, inbound
from tests.support.live_server import LiveServer
from trunkline.domain.clock import ist_to_ms

TRACKING = "+918047100077"
CALLER = "+919999910577"
AGENT = "+919999900001"  # a magic number: answers after 2 s, hangs up a minute later


def _iso_ms(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)


def test_a_tracked_call_to_an_agent_reads_alike_in_every_dialect(
    engine_server: LiveServer, engine_client: httpx.Client
) -> None:
    account = make_account(engine_server.db)
    agent = add_agent(engine_client, account, AGENT, name="Meera Iyer")
    prop = create_property(engine_client, account, "Support line")
    assert buy(engine_client, account, prop, TRACKING).status_code == 200
    configure(
        engine_client,
        account,
        TRACKING,
        Friendly="Support",
        Attribution_Source="google",
        RoutingMethod="Endpoint",
        EndpointNumber=AGENT,
    )
    sid = inbound(engine_client, account, CALLER, TRACKING)
    advance(engine_client, 300)

    v1 = engine_client.get(f"/v1/Accounts/{account.sid}/Calls/{sid}.json", auth=account.auth).json()["Call"]
    ccm = get_details(engine_client, account, sid)
    fone_response = engine_client.get(f"/v2/Calls/{sid}", auth=auth(account))
    assert fone_response.status_code == 200, fone_response.text
    fone = fone_response.json()["Call"]

    # Who called whom.
    assert v1["Direction"] == "inbound" and ccm["direction"] == "inbound"
    assert v1["From"] == "0" + CALLER[3:] and ccm["customer_details"] == {"number": CALLER}
    assert fone["From"] == CALLER
    assert v1["PhoneNumberSid"] == "0" + TRACKING[3:] and ccm["virtual_number"] == TRACKING
    assert fone["To"] == TRACKING and fone["To_Friendly"] == "Support"
    assert ccm["assigned_agent_details"] == {"user_id": agent["user_id"], "contact_uri": AGENT}
    assert fone["Endpoint"] == AGENT and fone["Attribution_Source"] == "google"

    # How it went: the agent answered and talked; the call ended and settled.
    assert v1["Status"] == "completed" and ccm["state"] == "terminal" and ccm["status"] == "completed"
    assert fone["Disposition"] == "Answered"
    assert int(v1["Duration"]) == ccm["total_duration"] == fone["Duration"] > 0

    # When: IST wall clock, ISO 8601 UTC and Unix seconds name the same instants.
    start_ms = ist_to_ms(v1["StartTime"])
    assert _iso_ms(ccm["start_time"]) // 1000 == start_ms // 1000 == int(fone["Date_Start"])
    assert _iso_ms(ccm["end_time"]) // 1000 == ist_to_ms(v1["EndTime"]) // 1000
    assert _iso_ms(ccm["created_time"]) // 1000 == ist_to_ms(v1["DateCreated"]) // 1000

    # The agent's leg and the customer's are the same legs v1 shows.
    legs = engine_client.get(f"/v2/accounts/{account.sid}/calls/{sid}/legs", auth=account.auth).json()
    details = legs["response"]["leg_details"]
    assert [leg["contact_uri"] for leg in details["from"]] == [AGENT]
    assert [leg["contact_uri"] for leg in details["to"]] == [CALLER]
