"""Which status-callback URLs a server accepts and will send to.

Checked twice: when a call is placed (``check_callback_url``: a clear 400 for a malformed URL or a
literal private address), and before every attempt (``target_refusal``), because a public-looking
name can resolve to an internal address. With ``allow_private`` (the sandbox default) only the
shape of the URL is checked: callbacks to localhost are the point of a local sandbox.

What remains is DNS rebinding: a name that resolves to a public address for the check and to a
private one a moment later when the HTTP client connects. Shared deployments that must rule that
out should also filter outbound traffic at the network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
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


def address_kind(ip: IPAddress) -> str | None:
    """What makes an address non-public (``"loopback"``, ``"private"`` …), or None for a public one."""
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        return address_kind(mapped)
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


async def target_refusal(host: str, port: int, *, allow_private: bool) -> str | None:
    """Why a delivery must not go to ``host`` now, or None. Without ``allow_private`` the name is
    resolved and every address it has must be public; a name that does not resolve is refused too
    (there is nothing to check)."""
    if allow_private:
        return None
    if not host:
        return "the URL names no host"
    reason = host_refusal(host)
    if reason is not None or _literal_ip(host) is not None:
        return reason
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return f"{host} does not resolve ({exc})"
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        kind = address_kind(ip)
        if kind is not None:
            return f"{host} resolves to {ip}, a {kind} address"
    return None if infos else f"{host} has no addresses"


async def resolved_target_allowed(host: str, port: int, *, allow_private: bool) -> bool:
    """Whether a delivery may go to ``host`` now (see ``target_refusal``)."""
    return await target_refusal(host, port, allow_private=allow_private) is None
