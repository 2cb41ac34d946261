"""``client.fone.calls``: Fone Dynamics Get Calls for one call, an account or a property, sync and
async. Lists page by ``Results_Skip`` on their own: each page asks for the calls after the ones
already seen, until a short or empty page, or ``TotalCount`` is reached."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import TypedDict, Unpack
from urllib.parse import quote

from trunkline_client.connection import Api
from trunkline_client.fone_dynamics.models import TrackedCall, TrackedCallPage, parse_call, parse_page
from trunkline_client.transport import ApiRequest, AsyncTransport, SyncTransport

MAX_PAGES = 1_000_000


class GetCallsFilters(TypedDict, total=False):
    """Seed 003's filters, by their Python names. Lists are sent comma-joined."""

    date_from: datetime | int
    """Inclusive; a datetime or Unix seconds."""
    date_to: datetime | int
    """Exclusive."""
    disposition: str | Iterable[str]
    to: str | Iterable[str]
    endpoint: str | Iterable[str]
    attribution_source: str | Iterable[str]
    attribution_medium: str | Iterable[str]
    attribution_campaign: str | Iterable[str]
    attribution_content: str | Iterable[str]
    prompts_keys: str
    """``1,2`` nests, ``;`` separates alternatives."""
    unique: str
    """``All``, ``Unique`` or ``Repeat``."""
    page_size: int
    """``Results_Count`` of each page (the server's default is 200)."""
    skip: int
    """``Results_Skip`` of the first page."""


_NAMES = {
    "date_from": "Date_From",
    "date_to": "Date_To",
    "disposition": "Disposition",
    "to": "To",
    "endpoint": "Endpoint",
    "attribution_source": "Attribution_Source",
    "attribution_medium": "Attribution_Medium",
    "attribution_campaign": "Attribution_Campaign",
    "attribution_content": "Attribution_Content",
    "prompts_keys": "Prompts_keys",
    "unique": "Unique",
}


def _rendered(value: object) -> str:
    """Datetimes as Unix seconds, lists comma-joined."""
    if isinstance(value, datetime):
        return str(int(value.timestamp()))
    if isinstance(value, str | int) or not isinstance(value, Iterable):
        return str(value)
    return ",".join(str(item) for item in value)


def filter_params(filters: GetCallsFilters) -> list[tuple[str, str]]:
    params = []
    for key, value in filters.items():
        if key in ("page_size", "skip") or value is None:
            continue
        name = _NAMES.get(key)
        if name is None:
            raise TypeError(f"unexpected Get Calls filter {key!r}")
        params.append((name, _rendered(value)))
    return params


def _page_request(path: str, params: list[tuple[str, str]], count: int | None, skip: int) -> ApiRequest:
    paging = [("Results_Skip", str(skip))] if skip else []
    if count is not None:
        paging.insert(0, ("Results_Count", str(count)))
    return ApiRequest("GET", Api.FONE, path, params=params + paging)


def _path(account_sid: str | None, property_sid: str | None) -> str:
    if property_sid is not None:
        return f"/v2/Properties/{quote(property_sid, safe='')}/Calls"
    return f"/v2/Accounts/{quote(account_sid or '', safe='')}/Calls"


def _is_last(page: TrackedCallPage, count: int | None) -> bool:
    seen = page.skip + len(page.calls)
    if not page.calls or (count is not None and len(page.calls) < count):
        return True
    return page.total_count is not None and seen >= page.total_count


class TrackedCallList:
    """Iterate for calls, ``pages()`` for pages, ``total_count()`` for ``TotalCount``."""

    def __init__(self, transport: SyncTransport, path: str, filters: GetCallsFilters) -> None:
        self._transport, self._path = transport, path
        self._params, self._count = filter_params(filters), filters.get("page_size")
        self._skip = filters.get("skip", 0)
        self._first: TrackedCallPage | None = None

    def _fetch(self, skip: int) -> TrackedCallPage:
        return parse_page(
            self._transport.send(_page_request(self._path, self._params, self._count, skip)), skip
        )

    def total_count(self) -> int | None:
        if self._first is None:
            self._first = self._fetch(self._skip)
        return self._first.total_count

    def pages(self) -> Iterator[TrackedCallPage]:
        page = self._first or self._fetch(self._skip)
        self._first = page
        for _ in range(MAX_PAGES):
            yield page
            if _is_last(page, self._count):
                return
            page = self._fetch(page.skip + len(page.calls))

    def __iter__(self) -> Iterator[TrackedCall]:
        for page in self.pages():
            yield from page.calls


class AsyncTrackedCallList:
    def __init__(self, transport: AsyncTransport, path: str, filters: GetCallsFilters) -> None:
        self._transport, self._path = transport, path
        self._params, self._count = filter_params(filters), filters.get("page_size")
        self._skip = filters.get("skip", 0)
        self._first: TrackedCallPage | None = None

    async def _fetch(self, skip: int) -> TrackedCallPage:
        request = _page_request(self._path, self._params, self._count, skip)
        return parse_page(await self._transport.send(request), skip)

    async def total_count(self) -> int | None:
        if self._first is None:
            self._first = await self._fetch(self._skip)
        return self._first.total_count

    async def pages(self) -> AsyncIterator[TrackedCallPage]:
        page = self._first or await self._fetch(self._skip)
        self._first = page
        for _ in range(MAX_PAGES):
            yield page
            if _is_last(page, self._count):
                return
            page = await self._fetch(page.skip + len(page.calls))

    async def __aiter__(self) -> AsyncIterator[TrackedCall]:
        async for page in self.pages():
            for call in page.calls:
                yield call


def _one(call_sid: str) -> ApiRequest:
    return ApiRequest("GET", Api.FONE, f"/v2/Calls/{quote(call_sid, safe='')}")


def _call(body: object) -> TrackedCall:
    return parse_call(body.get("Call") if isinstance(body, dict) else None)


class FoneCalls:
    def __init__(self, transport: SyncTransport, account_sid: str) -> None:
        self._transport, self._account_sid = transport, account_sid

    def get(self, call_sid: str) -> TrackedCall:
        return _call(self._transport.send(_one(call_sid)))

    def list(self, *, property_sid: str | None = None, **filters: Unpack[GetCallsFilters]) -> TrackedCallList:
        """The account's calls, or one property's with ``property_sid``."""
        return TrackedCallList(self._transport, _path(self._account_sid, property_sid), filters)


class AsyncFoneCalls:
    def __init__(self, transport: AsyncTransport, account_sid: str) -> None:
        self._transport, self._account_sid = transport, account_sid

    async def get(self, call_sid: str) -> TrackedCall:
        return _call(await self._transport.send(_one(call_sid)))

    def list(
        self, *, property_sid: str | None = None, **filters: Unpack[GetCallsFilters]
    ) -> AsyncTrackedCallList:
        """The account's calls, or one property's with ``property_sid``."""
        return AsyncTrackedCallList(self._transport, _path(self._account_sid, property_sid), filters)


class Fone:
    """``client.fone``: Fone Dynamics (``api.fonedynamics.com`` when the base URL is Exotel's)."""

    def __init__(self, transport: SyncTransport, account_sid: str) -> None:
        self.calls = FoneCalls(transport, account_sid)


class AsyncFone:
    def __init__(self, transport: AsyncTransport, account_sid: str) -> None:
        self.calls = AsyncFoneCalls(transport, account_sid)
