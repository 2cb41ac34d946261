"""Exotel v1 through the SDK against a live server: connect, details, the bulk list, numbers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from conftest import ANSWERS, EXOPHONE, SEEDED_CALLS, SHORT_TALK, Server, collect, drive, ready

from trunkline_client import (
    AuthenticationError,
    Call,
    CallStatus,
    Direction,
    NotFoundError,
    ValidationError,
)
from trunkline_client.field_values import IST


def test_connect_then_details_with_legs(mode: str, server: Server) -> None:
    async def body(client: Any) -> None:
        placed: Call = await ready(
            client.calls.connect(from_=ANSWERS, to=SHORT_TALK, caller_id=EXOPHONE, custom_field="order-1")
        )
        assert placed.sid and placed.status == CallStatus.IN_PROGRESS
        assert placed.direction == Direction.OUTBOUND_API
        assert placed.date_created is not None and placed.date_created.utcoffset() == timedelta(
            hours=5, minutes=30
        )
        assert placed.duration is None and placed.price is None and placed.end_time is None

        done: Call = await ready(client.sandbox.wait_for(placed.sid, CallStatus.COMPLETED, timeout=300))
        assert done.status == CallStatus.COMPLETED and done.is_final
        assert isinstance(done.duration, int) and done.duration > 0
        assert isinstance(done.price, Decimal) and done.price > 0
        assert done.end_time is not None and done.start_time is not None and done.end_time > done.start_time
        assert done.details is not None
        assert done.details.leg1_status == CallStatus.COMPLETED
        assert done.details.leg2_status == CallStatus.COMPLETED
        assert [leg.id for leg in done.details.legs] == ["1", "2"]
        assert done.details.conversation_duration == 5

        plain: Call = await ready(client.calls.get(placed.sid))
        assert plain.details is None and plain.status == CallStatus.COMPLETED
        assert plain.to == "09999910005" and plain.from_ == "09999900001"

    drive(mode, server, body)


HELLO = [{"id": "hi", "type": "greeting", "text": "Hello"}, {"id": "bye", "type": "hangup"}]


def test_connect_to_flow_by_app_id(mode: str, server: Server) -> None:
    async def body(client: Any) -> None:
        await ready(client.sandbox.put_flow("sdk-hello", {"name": "hello", "applets": HELLO}))
        placed: Call = await ready(
            client.calls.connect_to_flow(from_=ANSWERS, caller_id=EXOPHONE, app_id="sdk-hello")
        )
        assert placed.to == "08047112233"  # a flow call's To is the ExoPhone (docs/api-choices.md §Conflicts)

    drive(mode, server, body)


def test_bulk_list_follows_cursors_and_reports_total(mode: str, server: Server) -> None:
    async def body(client: Any) -> None:
        calls = client.calls.list(page_size=40)
        total = await ready(calls.total())
        walked = await collect(calls)
        assert total == SEEDED_CALLS == len(walked) == len({call.sid for call in walked})
        pages = await collect(client.calls.list(page_size=100).pages())
        assert [len(page.calls) for page in pages] == [100, 100, 100]
        assert pages[0].prev_page_uri is None and pages[-1].next_page_uri is None

        completed = await collect(client.calls.list(status="completed", direction="inbound", page_size=100))
        expected = await ready(client.calls.list(status="completed", direction="inbound").total())
        assert len(completed) == expected > 0
        assert all(c.status == CallStatus.COMPLETED and c.direction == Direction.INBOUND for c in completed)
        assert all(c.date_created is not None and c.date_created.tzinfo is not None for c in completed)

        newest = walked[0].date_created
        assert newest is not None
        window = await collect(
            client.calls.list(created_after=newest - timedelta(days=1), created_before=newest.astimezone(IST))
        )
        assert 0 < len(window) < SEEDED_CALLS

    drive(mode, server, body, account="paged")


def test_number_metadata(mode: str, server: Server) -> None:
    async def body(client: Any) -> None:
        number = await ready(client.numbers.get("+918022221234"))
        assert number.phone_number == "08022221234"
        assert number.type == "Landline" and number.circle == "KA"
        assert number.dnd in ("Yes", "No", "Unavailable")

    drive(mode, server, body)


def test_errors_carry_status_message_and_parameter(mode: str, server: Server) -> None:
    async def body(client: Any) -> None:
        with pytest.raises(NotFoundError) as missing:
            await ready(client.calls.get("0" * 32))
        assert missing.value.status == 404 and missing.value.message == "No matching results"

        with pytest.raises(ValidationError) as bad:
            await collect(client.calls.list(page_size=1000))
        assert bad.value.status == 400 and bad.value.parameter == "PageSize"

        with pytest.raises(ValidationError) as no_caller:
            await ready(client.calls.connect(from_=ANSWERS, to=SHORT_TALK, caller_id="+911111111111"))
        assert no_caller.value.parameter == "CallerId"

    drive(mode, server, body)


def test_wrong_token_is_an_authentication_error(mode: str, server: Server) -> None:
    async def body(client: Any) -> None:
        with pytest.raises(AuthenticationError) as denied:
            await ready(client.calls.get("0" * 32))
        assert denied.value.status == 401

    drive(mode, server, body, api_token="wrong")
