"""CCM v2 and Fone Dynamics through the SDK against a live server."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import EXOPHONE, SHORT_TALK, Server, collect, drive, ready

from trunkline_client import (
    CallState,
    CcmCallStatus,
    Disposition,
    NotFoundError,
    TrackedCall,
    ValidationError,
)


def test_ccm_make_call_details_and_legs(mode: str, server: Server) -> None:
    async def body(client: Any) -> None:
        agent_number = "+919999910010" if mode == "sync" else "+919999910011"
        agent = await ready(client.sandbox.create_user({"name": "Asha", "contact_uri": agent_number}))
        made = await ready(
            client.ccm.calls.make(
                user_id=agent["user_id"], to=SHORT_TALK, virtual_number=EXOPHONE, custom_field="ticket-9"
            )
        )
        assert made.call_state == CallState.ACTIVE and made.call_status is None
        assert made.agent is not None and made.agent.user_id == agent["user_id"]
        assert made.created_time is not None and made.created_time.tzinfo is not None

        await ready(client.sandbox.wait_for(made.call_sid, timeout=300))
        details = await ready(client.ccm.calls.get(made.call_sid))
        assert details.is_terminal and details.status == CcmCallStatus.COMPLETED
        assert details.customer_number == SHORT_TALK and details.custom_field == "ticket-9"
        assert isinstance(details.total_duration, int) and details.total_talk_time == 5
        assert details.legs_uri == f"/v2/accounts/sdk/calls/{made.call_sid}/legs"

        legs = await ready(client.ccm.calls.legs(made.call_sid))
        assert [leg.contact_uri for leg in legs.from_] == [agent_number]
        assert [leg.contact_uri for leg in legs.to] == [SHORT_TALK]
        assert legs.to[0].status == "completed" and legs.from_[0].name == "Asha"

    drive(mode, server, body)


def test_ccm_errors_carry_exotel_codes(mode: str, server: Server) -> None:
    async def body(client: Any) -> None:
        with pytest.raises(NotFoundError) as missing:
            await ready(client.ccm.calls.get("f" * 32))
        assert missing.value.status == 404 and missing.value.code == 1000
        with pytest.raises(NotFoundError) as no_user:
            await ready(client.ccm.calls.make(user_id="nobody", to=SHORT_TALK, virtual_number=EXOPHONE))
        assert no_user.value.code == 10731
        with pytest.raises(ValidationError) as bad:
            await ready(
                client.ccm.calls.make(contact_uri="+919999900001", to="not a number", virtual_number=EXOPHONE)
            )
        assert bad.value.code == 1002 and bad.value.parameter == "to.number"

    drive(mode, server, body)


def test_fone_get_calls_pages_by_skip(mode: str, server: Server) -> None:
    async def body(client: Any) -> None:
        calls = client.fone.calls.list(page_size=40)
        total = await ready(calls.total_count())
        walked: list[TrackedCall] = await collect(calls)
        assert total == len(walked) == len({call.call_sid for call in walked}) > 40
        starts = [call.date_start for call in walked]
        assert all(start is not None and start.tzinfo is not None for start in starts)
        assert starts == sorted(starts)  # type: ignore[type-var]

        answered = await collect(client.fone.calls.list(disposition=["Answered"], page_size=1000))
        assert answered and all(call.disposition == Disposition.ANSWERED for call in answered)
        assert all(isinstance(call.duration, int) for call in answered)

        property_sid = walked[0].property_sid
        assert property_sid is not None
        in_property = client.fone.calls.list(property_sid=property_sid, page_size=50)
        assert await ready(in_property.total_count()) == total
        pages = await collect(in_property.pages())
        assert sum(len(page.calls) for page in pages) == total

        one = await ready(client.fone.calls.get(walked[0].call_sid))
        assert one.call_sid == walked[0].call_sid and one.to == walked[0].to

        with pytest.raises(ValidationError) as bad:
            await collect(client.fone.calls.list(unique="Sometimes"))
        assert bad.value.parameter == "Unique" and bad.value.code == "PARAMETER_INVALID"
        with pytest.raises(NotFoundError) as missing:
            await ready(client.fone.calls.get("e" * 32))
        assert missing.value.code == "NOT_FOUND"

    drive(mode, server, body, account="paged")
