"""Which status-callback URLs a server accepts and will send to.

Checked twice: when a call is placed (``check_callback_url``: a clear 400 for a malformed URL or a
literal private address), and before every attempt (``target_refusal``), because a public-looking
name can resolve to an internal address. With ``allow_private`` (the sandbox default) only the
shape of the URL is checked: callbacks to localhost are the point of a local sandbox.

DNS rebinding (a name that resolves to a public address for the check and to a private one a
moment later, when the HTTP client connects) is ruled out by connecting to the very address that
was checked (``check_target`` and ``pinned.py``). An IPv6 address that embeds an IPv4 one (6to4,
NAT64, Teredo, mapped …) is judged by the IPv4 it embeds.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from trunkline.domain.errors import InvalidParameter

MAX_URL_LENGTH = 2048
_PARAMETER = "StatusCallback"
_LEGACY_IPV4 = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)
"""Hosts such as ``2130706433`` or ``0x7f.1``, which resolvers read as IPv4 addresses."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _literal_ip(host: str) -> IPAddress | None:
    """The address a host names literally, including the legacy IPv4 spellings ``inet_aton`` takes."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
"""RFC 6052's well-known NAT64 prefix: the last 32 bits are the IPv4 address reached."""
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
"""RFC 8215's local-use NAT64 prefix: the IPv4 may sit anywhere in it, so the prefix is refused."""
_COMPATIBLE = ipaddress.IPv6Network("::/96")
"""Deprecated IPv4-compatible addresses (``::a.b.c.d``)."""
_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")
"""SIIT's IPv4-translated addresses (``::ffff:0:a.b.c.d``)."""


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 address carries and may be routed to: IPv4-mapped, -compatible
    and -translated, 6to4 (``2002::/16``), NAT64 (``64:ff9b::/96``), Teredo (server and client),
    and ISATAP's interface id (``…:0:5efe:a.b.c.d``). A gateway on the path would deliver to that
    IPv4, so the policy judges it as if it were written."""
    found: list[ipaddress.IPv4Address] = []
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64 or ip in _TRANSLATED or (ip in _COMPATIBLE and int(ip) > 1):
        found.append(low32)
    if (int(ip) >> 32) & 0xFFFFFFFF in (0x00005EFE, 0x02005EFE):  # ISATAP interface ids
        found.append(low32)
    return found


def address_kind(ip: IPAddress) -> str | None:
    """What makes an address non-public (``"loopback"``, ``"private"`` …), or None for a public one.
    An IPv6 address that embeds an IPv4 one is as public as the IPv4 it embeds, and no more."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return "local NAT64"
        if ip in _NAT64:  # the gateway reaches exactly the embedded IPv4: judge that alone
            inner_kind = address_kind(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
            return None if inner_kind is None else f"{inner_kind} (embedded in {ip})"
        for inner in embedded_ipv4(ip):
            kind = address_kind(inner)
            if kind is not None:
                return f"{kind} (embedded in {ip})"
    for kind, flag in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
    ):
        if flag:
            return kind
    return None if ip.is_global else "non-public"


def _is_localhost(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def host_refusal(host: str) -> str | None:
    """Why a host, as written, is not a public target (None when it may be: a name needs resolving)."""
    if _is_localhost(host):
        return f"{host} is a loopback name"
    ip = _literal_ip(host)
    if ip is None:
        return None
    kind = address_kind(ip)
    return None if kind is None else f"{host} is a {kind} address"


def check_callback_url(url: str, *, allow_private: bool) -> str:
    """The URL if the server will send callbacks to it, else ``InvalidParameter`` saying why."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidParameter(
            f"{_PARAMETER} must be at most {MAX_URL_LENGTH} characters", parameter=_PARAMETER
        )
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise InvalidParameter(
            f"{_PARAMETER} must not contain spaces or control characters (percent-encode them)",
            parameter=_PARAMETER,
        )
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        raise InvalidParameter(f"{_PARAMETER} is not a valid URL", parameter=_PARAMETER) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidParameter(f"{_PARAMETER} must be an http or https URL", parameter=_PARAMETER)
    host = parts.hostname
    if not host:
        raise InvalidParameter(f"{_PARAMETER} must name a host", parameter=_PARAMETER)
    if not allow_private:
        reason = host_refusal(host)
        if reason is not None:
            raise InvalidParameter(
                f"{_PARAMETER} must be a public address: {reason}, and this server does not send "
                "callbacks to private networks",
                parameter=_PARAMETER,
            )
    return url


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives ``host`` (``OSError`` when it gives none)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%", 1)[0] for info in infos]


resolve: Callable[[str, int], Awaitable[list[str]]] = system_resolve
"""How a name is resolved; looked up at each check, so tests replace it (never real DNS)."""


@dataclass(frozen=True, slots=True)
class Target:
    """The verdict on one delivery target: why it is refused, or the address to connect to."""

    refusal: str | None = None
    address: str | None = None
    """The checked address the connection must go to (None: connect as usual, nothing to pin)."""


async def check_target(host: str, port: int, *, allow_private: bool) -> Target:
    """Whether a delivery may go to ``host`` now, and where exactly. Without ``allow_private`` the
    name is resolved once, every address it has must be public, and the connection is then pinned
    to the first of them (``pinned.py``), so a resolver that answers differently a moment later
    (DNS rebinding) cannot swap it. A name that does not resolve is refused (nothing to check)."""
    if allow_private:
        return Target()
    if not host:
        return Target("the URL names no host")
    reason = host_refusal(host)
    literal = _literal_ip(host)
    if reason is not None or literal is not None:
        return Target(reason, None if reason is not None or literal is None else str(literal))
    try:
        addresses = await resolve(host, port)
    except OSError as exc:
        return Target(f"{host} does not resolve ({exc})")
    if not addresses:
        return Target(f"{host} has no addresses")
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return Target(f"{host} resolves to {address!r}, which is not an address")
        kind = address_kind(ip)
        if kind is not None:
            return Target(f"{host} resolves to {ip}, a {kind} address")
    return Target(address=addresses[0])


async def target_refusal(host: str, port: int, *, allow_private: bool) -> str | None:
    """Why a delivery must not go to ``host`` now, or None (see ``check_target``)."""
    return (await check_target(host, port, allow_private=allow_private)).refusal


async def resolved_target_allowed(host: str, port: int, *, allow_private: bool) -> bool:
    """Whether a delivery may go to ``host`` now (see ``check_target``)."""
    return await target_refusal(host, port, allow_private=allow_private) is None
