"""``client.ccm.calls``: Exotel CCM v2 make call, call details and legs, sync and async.

Requests as docs/api-choices.md §CCM v2 shows them: a JSON make-call body (``from`` names the agent by
``user_id`` or ``user_contact_uri``; ``status_callback`` is a list of ``{event, url}``), and GETs of
``/v2/accounts/<sid>/calls/<call_sid>[/legs]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, Unpack
from urllib.parse import quote

from trunkline_client.connection import Api
from trunkline_client.exotel_ccm.models import (
    CallLegs,
    CcmCall,
    MadeCall,
    parse_call,
    parse_legs,
    parse_made_call,
)
from trunkline_client.transport import ApiRequest, AsyncTransport, SyncTransport


class MakeCallOptions(TypedDict, total=False):
    recording: bool
    recording_channels: str
    wait_audio_url: str
    max_time_limit: int
    attempt_time_out: int
    custom_field: str
    status_callbacks: Mapping[str, str]
    """Event (``answered``, ``terminal``) → the URL that receives it."""


def _prefix(account_sid: str) -> str:
    return f"/v2/accounts/{quote(account_sid, safe='')}/calls"


def make_call_request(
    account_sid: str,
    *,
    to: str,
    virtual_number: str,
    user_id: str | None,
    contact_uri: str | None,
    options: MakeCallOptions,
) -> ApiRequest:
    if (user_id is None) == (contact_uri is None):
        raise TypeError("make() needs exactly one of user_id and contact_uri to name the agent")
    agent = {"user_id": user_id} if user_id is not None else {"user_contact_uri": contact_uri}
    body: dict[str, Any] = {"from": agent, "to": {"number": to}, "virtual_number": virtual_number}
    for key, value in options.items():
        if key == "status_callbacks":
            continue
        body[key] = value
    callbacks = options.get("status_callbacks")
    if callbacks:
        body["status_callback"] = [{"event": event, "url": url} for event, url in callbacks.items()]
    return ApiRequest("POST", Api.CCM, _prefix(account_sid), json=body)


def _details(account_sid: str, call_sid: str, suffix: str = "") -> ApiRequest:
    return ApiRequest("GET", Api.CCM, f"{_prefix(account_sid)}/{quote(call_sid, safe='')}{suffix}")


class CcmCalls:
    def __init__(self, transport: SyncTransport, account_sid: str) -> None:
        self._transport, self._account_sid = transport, account_sid

    def make(
        self,
        *,
        to: str,
        virtual_number: str,
        user_id: str | None = None,
        contact_uri: str | None = None,
        **options: Unpack[MakeCallOptions],
    ) -> MadeCall:
        """Ring the agent (by ``user_id`` or ``contact_uri``), then the customer ``to``."""
        request = make_call_request(
            self._account_sid,
            to=to,
            virtual_number=virtual_number,
            user_id=user_id,
            contact_uri=contact_uri,
            options=options,
        )
        return parse_made_call(self._transport.send(request))

    def get(self, call_sid: str) -> CcmCall:
        return parse_call(self._transport.send(_details(self._account_sid, call_sid)))

    def legs(self, call_sid: str) -> CallLegs:
        return parse_legs(self._transport.send(_details(self._account_sid, call_sid, "/legs")))


class AsyncCcmCalls:
    def __init__(self, transport: AsyncTransport, account_sid: str) -> None:
        self._transport, self._account_sid = transport, account_sid

    async def make(
        self,
        *,
        to: str,
        virtual_number: str,
        user_id: str | None = None,
        contact_uri: str | None = None,
        **options: Unpack[MakeCallOptions],
    ) -> MadeCall:
        """Ring the agent (by ``user_id`` or ``contact_uri``), then the customer ``to``."""
        request = make_call_request(
            self._account_sid,
            to=to,
            virtual_number=virtual_number,
            user_id=user_id,
            contact_uri=contact_uri,
            options=options,
        )
        return parse_made_call(await self._transport.send(request))

    async def get(self, call_sid: str) -> CcmCall:
        return parse_call(await self._transport.send(_details(self._account_sid, call_sid)))

    async def legs(self, call_sid: str) -> CallLegs:
        return parse_legs(await self._transport.send(_details(self._account_sid, call_sid, "/legs")))


class Ccm:
    """``client.ccm``: the CCM v2 API (its own host on Exotel: ``ccm-api.exotel.com``)."""

    def __init__(self, transport: SyncTransport, account_sid: str) -> None:
        self.calls = CcmCalls(transport, account_sid)


class AsyncCcm:
    def __init__(self, transport: AsyncTransport, account_sid: str) -> None:
        self.calls = AsyncCcmCalls(transport, account_sid)
