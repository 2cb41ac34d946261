"""Who is asking: the address a request's failed logins are counted against.

The connecting address, unless it is one of ``TRUNKLINE_TRUSTED_PROXIES``: then the last address in
``X-Forwarded-For`` that is not a trusted proxy (each proxy appends the address it saw, so entries
left of the last untrusted one may be anything the client wrote). Trusting every sender's header would
let a client pick a fresh address per request and never be limited."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(trusted_proxies: str) -> tuple[Network, ...]:
    parts = [part.strip() for part in trusted_proxies.split(",")]
    return tuple(ipaddress.ip_network(part, strict=False) for part in parts if part)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(scope: Scope, trusted_proxies: str) -> str:
    """The client's address for ``scope`` (see the module's docstring); "" when the server has none."""
    client = scope.get("client")
    peer = str(client[0]) if client else ""
    networks = _networks(trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = [value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"]
    hops = [hop.strip() for line in forwarded for hop in line.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:64]
    return peer
