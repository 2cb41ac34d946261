"""HTTP clients that connect to the address the target policy checked, not to a fresh lookup.

A status callback or Passthru URL names a host; the policy (``target_policy.check_target``)
resolves it once and judges every address. If the HTTP client then resolved the name again, a
hostile resolver could answer with a private address the second time (DNS rebinding). So the
sender pins the checked address for its request (``pinned_to``) and the client's network backend
connects there instead of resolving. The URL is untouched: the Host header and TLS SNI (and the
certificate check) still use the name.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

_PINNED: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("pinned", default=None)
"""(host name, address) of the request being sent in this task, if its address is pinned."""


@contextmanager
def pinned_to(host: str, address: str | None) -> Iterator[None]:
    """Within this block (this task), a connection to ``host`` goes to ``address`` (None: resolve
    as usual, which only a server allowing private targets does)."""
    token = _PINNED.set(None if address is None else (host.lower(), address))
    try:
        yield
    finally:
        _PINNED.reset(token)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """The default network backend, except that a pinned host's connection goes to its address."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        pinned = _PINNED.get()
        if pinned is not None and pinned[0] == host.strip("[]").lower():
            host = pinned[1]
        return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise OSError("unix sockets are not a callback target")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def pinned_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """An httpx transport (no proxies from the environment: they would bypass the policy) whose
    connections honour ``pinned_to``."""
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    # httpx builds its pool with the default backend and has no parameter for another one: the
    # pool is rebuilt with the same settings and the pinning backend.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=PinnedBackend(),
    )
    return transport
