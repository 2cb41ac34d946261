"""Sending one API request: the pooled httpx client, authentication, retries, error mapping.

Resources describe a request as an ``ApiRequest`` (pure data) and hand it to a transport, so the
sync and async clients share every request shape and differ only here, in how they wait.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from trunkline_client.connection import Api, Connection
from trunkline_client.errors import TransportError, error_from_response
from trunkline_client.retries import RetryPolicy

USER_AGENT = "trunkline-client/0.1"
Pairs = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class ApiRequest:
    """One request: exactly one of ``form`` (urlencoded) and ``json`` is the body, or neither."""

    method: str
    api: Api
    path: str
    params: Pairs | None = None
    form: Pairs | None = None
    json: Any = None


def _build(
    client: httpx.Client | httpx.AsyncClient, connection: Connection, request: ApiRequest
) -> httpx.Request:
    params = httpx.QueryParams(list(request.params)) if request.params is not None else None
    headers = {"Authorization": connection.auth_header(request.api), "Accept": "application/json"}
    url = connection.base(request.api) + request.path
    if request.form is not None:
        return client.build_request(
            request.method, url, params=params, data=_form_dict(request.form), headers=headers
        )
    if request.json is not None:
        return client.build_request(request.method, url, params=params, json=request.json, headers=headers)
    return client.build_request(request.method, url, params=params, headers=headers)


def _form_dict(pairs: Pairs) -> dict[str, str | list[str]]:
    """httpx takes repeated form names as lists."""
    out: dict[str, str | list[str]] = {}
    for name, value in pairs:
        if name in out:
            current = out[name]
            out[name] = [*current, value] if isinstance(current, list) else [current, value]
        else:
            out[name] = value
    return out


def _sent_names(request: ApiRequest) -> frozenset[str]:
    """The parameter names a request carried, lower-cased, to tell which one an error names."""
    names = [name for name, _ in (request.params or ())] + [name for name, _ in (request.form or ())]
    if isinstance(request.json, dict):
        names += [str(name) for name in request.json]
    return frozenset(re.split(r"\[", name, maxsplit=1)[0].lower() for name in names)


def _decode(request: ApiRequest, response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise error_from_response(request.api.value, response, _sent_names(request))
    if response.status_code == 204 or not response.content:
        return None
    return response.json()


class SyncTransport:
    """One pooled ``httpx.Client`` per SDK client; closed with it."""

    def __init__(
        self,
        connection: Connection,
        *,
        timeout: float,
        retry: RetryPolicy,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.connection, self.retry, self._sleep = connection, retry, sleep
        self._owns_client = http_client is None
        self._client = http_client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})

    def send(self, request: ApiRequest) -> Any:
        attempt = 0
        while True:
            built = _build(self._client, self.connection, request)
            try:
                response = self._client.send(built)
            except httpx.TransportError as exc:
                wait = self.retry.wait_for_error(request.method, exc, attempt)
                if wait is None:
                    raise TransportError(f"{request.method} {built.url.path}: {exc!r}") from exc
            else:
                wait = self.retry.wait_for_status(request.method, response, attempt)
                if wait is None:
                    return _decode(request, response)
                response.close()
            self._sleep(wait)
            attempt += 1

    def close(self) -> None:
        if self._owns_client:
            self._client.close()


class AsyncTransport:
    """One pooled ``httpx.AsyncClient`` per SDK client; closed with it."""

    def __init__(
        self,
        connection: Connection,
        *,
        timeout: float,
        retry: RetryPolicy,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.connection, self.retry, self._sleep = connection, retry, sleep
        self._owns_client = http_client is None
        self._client = http_client or httpx.AsyncClient(timeout=timeout, headers={"User-Agent": USER_AGENT})

    async def send(self, request: ApiRequest) -> Any:
        attempt = 0
        while True:
            built = _build(self._client, self.connection, request)
            try:
                response = await self._client.send(built)
            except httpx.TransportError as exc:
                wait = self.retry.wait_for_error(request.method, exc, attempt)
                if wait is None:
                    raise TransportError(f"{request.method} {built.url.path}: {exc!r}") from exc
            else:
                wait = self.retry.wait_for_status(request.method, response, attempt)
                if wait is None:
                    return _decode(request, response)
                await response.aclose()
            await self._sleep(wait)
            attempt += 1

    async def close(self) -> None:
        if self._owns_client:
            await self._client.aclose()
