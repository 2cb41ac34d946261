"""``client.calls`` and ``client.numbers``: Exotel v1, sync and async with the same surface.

The bulk list is lazy: nothing is sent until it is iterated (or its total asked for), and it
follows ``NextPageUri`` by itself, so ``for call in client.calls.list(status="completed")`` walks
every page. ``.pages()`` gives the pages instead, ``.total()`` the ``Total`` of the metadata.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Unpack

from trunkline_client.exotel_v1 import requests
from trunkline_client.exotel_v1.models import (
    Call,
    CallPage,
    NumberMetadata,
    parse_call,
    parse_number,
    parse_page,
)
from trunkline_client.exotel_v1.requests import FLOW_URL, ConnectOptions, ListFilters
from trunkline_client.transport import ApiRequest, AsyncTransport, SyncTransport

MAX_PAGES = 1_000_000
"""A bound on any walk, in case a server ever sent a NextPageUri that loops."""


def resolve_flow_url(account_sid: str, flow_url: str | None, app_id: str | None) -> str:
    if flow_url is not None:
        return flow_url
    if app_id is None:
        raise TypeError("connect_to_flow() needs flow_url or app_id")
    return FLOW_URL.format(account_sid=account_sid, app_id=app_id)


class CallList:
    """The bulk list of one query: iterate for calls, ``pages()`` for pages, ``total()`` for Total."""

    def __init__(self, transport: SyncTransport, account_sid: str, params: Sequence[tuple[str, str]]) -> None:
        self._transport, self._account_sid, self._params = transport, account_sid, params
        self._first: CallPage | None = None

    def first_page(self) -> CallPage:
        if self._first is None:
            self._first = parse_page(
                self._transport.send(requests.list_calls(self._account_sid, self._params))
            )
        return self._first

    def total(self) -> int | None:
        return self.first_page().total

    def pages(self) -> Iterator[CallPage]:
        page = self.first_page()
        for _ in range(MAX_PAGES):
            yield page
            if not page.next_page_uri or not page.calls:
                return
            page = parse_page(self._transport.send(requests.next_page(self._account_sid, page.next_page_uri)))

    def __iter__(self) -> Iterator[Call]:
        for page in self.pages():
            yield from page.calls


class AsyncCallList:
    """``CallList`` for the async client: ``async for``, ``pages()`` and ``await total()``."""

    def __init__(
        self, transport: AsyncTransport, account_sid: str, params: Sequence[tuple[str, str]]
    ) -> None:
        self._transport, self._account_sid, self._params = transport, account_sid, params
        self._first: CallPage | None = None

    async def first_page(self) -> CallPage:
        if self._first is None:
            request = requests.list_calls(self._account_sid, self._params)
            self._first = parse_page(await self._transport.send(request))
        return self._first

    async def total(self) -> int | None:
        return (await self.first_page()).total

    async def pages(self) -> AsyncIterator[CallPage]:
        page = await self.first_page()
        for _ in range(MAX_PAGES):
            yield page
            if not page.next_page_uri or not page.calls:
                return
            request = requests.next_page(self._account_sid, page.next_page_uri)
            page = parse_page(await self._transport.send(request))

    async def __aiter__(self) -> AsyncIterator[Call]:
        async for page in self.pages():
            for call in page.calls:
                yield call


def call_from_body(body: object) -> Call:
    return parse_call(body.get("Call") if isinstance(body, dict) else None)


class Calls:
    def __init__(self, transport: SyncTransport, account_sid: str) -> None:
        self._transport, self._account_sid = transport, account_sid

    def _send(self, request: ApiRequest) -> Call:
        return call_from_body(self._transport.send(request))

    def connect(self, *, from_: str, to: str, caller_id: str, **options: Unpack[ConnectOptions]) -> Call:
        """Call ``from_`` first, then ``to``, and bridge them. A 200 means accepted, not connected."""
        return self._send(
            requests.connect(self._account_sid, from_=from_, to=to, caller_id=caller_id, **options)
        )

    def connect_to_flow(
        self,
        *,
        from_: str,
        caller_id: str,
        flow_url: str | None = None,
        app_id: str | None = None,
        **options: Unpack[ConnectOptions],
    ) -> Call:
        """Call ``from_``, then run a flow, named by its URL or its app id."""
        url = resolve_flow_url(self._account_sid, flow_url, app_id)
        return self._send(
            requests.connect(self._account_sid, from_=from_, caller_id=caller_id, url=url, **options)
        )

    def get(self, call_sid: str, *, details: bool = False) -> Call:
        """Call details; ``details=True`` adds the legs (``Details``)."""
        return self._send(requests.call_details(self._account_sid, call_sid, details=details))

    def list(self, **filters: Unpack[ListFilters]) -> CallList:
        return CallList(self._transport, self._account_sid, requests.list_params(**filters))


class AsyncCalls:
    def __init__(self, transport: AsyncTransport, account_sid: str) -> None:
        self._transport, self._account_sid = transport, account_sid

    async def _send(self, request: ApiRequest) -> Call:
        return call_from_body(await self._transport.send(request))

    async def connect(
        self, *, from_: str, to: str, caller_id: str, **options: Unpack[ConnectOptions]
    ) -> Call:
        """Call ``from_`` first, then ``to``, and bridge them. A 200 means accepted, not connected."""
        request = requests.connect(self._account_sid, from_=from_, to=to, caller_id=caller_id, **options)
        return await self._send(request)

    async def connect_to_flow(
        self,
        *,
        from_: str,
        caller_id: str,
        flow_url: str | None = None,
        app_id: str | None = None,
        **options: Unpack[ConnectOptions],
    ) -> Call:
        """Call ``from_``, then run a flow, named by its URL or its app id."""
        url = resolve_flow_url(self._account_sid, flow_url, app_id)
        request = requests.connect(self._account_sid, from_=from_, caller_id=caller_id, url=url, **options)
        return await self._send(request)

    async def get(self, call_sid: str, *, details: bool = False) -> Call:
        """Call details; ``details=True`` adds the legs (``Details``)."""
        return await self._send(requests.call_details(self._account_sid, call_sid, details=details))

    def list(self, **filters: Unpack[ListFilters]) -> AsyncCallList:
        return AsyncCallList(self._transport, self._account_sid, requests.list_params(**filters))


class Numbers:
    def __init__(self, transport: SyncTransport, account_sid: str) -> None:
        self._transport, self._account_sid = transport, account_sid

    def get(self, number: str) -> NumberMetadata:
        """Circle, operator and DND of an Indian number (any spelling: ``+91…``, ``0…``, 10 digits)."""
        return parse_number(self._transport.send(requests.number_metadata(self._account_sid, number)))


class AsyncNumbers:
    def __init__(self, transport: AsyncTransport, account_sid: str) -> None:
        self._transport, self._account_sid = transport, account_sid

    async def get(self, number: str) -> NumberMetadata:
        """Circle, operator and DND of an Indian number (any spelling: ``+91…``, ``0…``, 10 digits)."""
        return parse_number(await self._transport.send(requests.number_metadata(self._account_sid, number)))
