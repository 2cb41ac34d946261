"""The SDK's entry points: ``Trunkline`` and ``AsyncTrunkline``.

Named after the server rather than ``Client``/``AsyncClient`` so that they never shadow httpx's
classes of the same names in an application that imports both. Both have the same surface;
the async one's methods are coroutines and its lists async iterators. Each owns one pooled httpx
client for its lifetime: use it as a context manager, or call ``close()``.
"""

from __future__ import annotations

from types import TracebackType

import httpx

from trunkline_client.connection import EXOTEL, Connection
from trunkline_client.exotel_ccm.resources import AsyncCcm, Ccm
from trunkline_client.exotel_v1.resources import AsyncCalls, AsyncNumbers, Calls, Numbers
from trunkline_client.fone_dynamics.resources import AsyncFone, Fone
from trunkline_client.retries import RetryPolicy
from trunkline_client.sandbox.resources import AsyncSandbox, Sandbox
from trunkline_client.transport import AsyncTransport, SyncTransport

DEFAULT_TIMEOUT_S = 30.0


def _connection(
    account_sid: str,
    api_key: str,
    api_token: str,
    base_url: str,
    ccm_base_url: str | None,
    fone_base_url: str | None,
    admin_token: str | None,
) -> Connection:
    return Connection(account_sid, api_key, api_token, base_url, ccm_base_url, fone_base_url, admin_token)


class Trunkline:
    """A client of one account: ``calls`` and ``numbers`` (Exotel v1), ``ccm`` (CCM v2), ``fone``
    (Fone Dynamics) and, on Trunkline with an ``admin_token``, ``sandbox``.

    ``base_url`` is Trunkline's URL or Exotel's (``https://api.exotel.com``, Mumbai
    ``https://api.in.exotel.com``); the CCM and Fone hosts follow from it unless given.
    ``max_retries`` bounds the retries of 429s and (for GETs) of broken connections."""

    def __init__(
        self,
        account_sid: str,
        api_key: str,
        api_token: str,
        *,
        base_url: str = EXOTEL,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_retries: int = 2,
        ccm_base_url: str | None = None,
        fone_base_url: str | None = None,
        admin_token: str | None = None,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        connection = _connection(
            account_sid, api_key, api_token, base_url, ccm_base_url, fone_base_url, admin_token
        )
        retry = retry_policy or RetryPolicy(max_retries=max_retries)
        self._transport = SyncTransport(connection, timeout=timeout, retry=retry, http_client=http_client)
        self.calls = Calls(self._transport, account_sid)
        self.numbers = Numbers(self._transport, account_sid)
        self.ccm = Ccm(self._transport, account_sid)
        self.fone = Fone(self._transport, account_sid)
        self.sandbox = Sandbox(self._transport, account_sid)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Trunkline:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


class AsyncTrunkline:
    """``Trunkline`` for asyncio: the same surface, awaited."""

    def __init__(
        self,
        account_sid: str,
        api_key: str,
        api_token: str,
        *,
        base_url: str = EXOTEL,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_retries: int = 2,
        ccm_base_url: str | None = None,
        fone_base_url: str | None = None,
        admin_token: str | None = None,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        connection = _connection(
            account_sid, api_key, api_token, base_url, ccm_base_url, fone_base_url, admin_token
        )
        retry = retry_policy or RetryPolicy(max_retries=max_retries)
        self._transport = AsyncTransport(connection, timeout=timeout, retry=retry, http_client=http_client)
        self.calls = AsyncCalls(self._transport, account_sid)
        self.numbers = AsyncNumbers(self._transport, account_sid)
        self.ccm = AsyncCcm(self._transport, account_sid)
        self.fone = AsyncFone(self._transport, account_sid)
        self.sandbox = AsyncSandbox(self._transport, account_sid)

    async def close(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> AsyncTrunkline:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()
