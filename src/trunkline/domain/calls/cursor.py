"""Opaque, tamper-evident page cursors for the bulk call list.

A cursor names one record by its sort key (DateCreated, Sid), so paging stays exact when many
calls share a timestamp and while new calls arrive. It is signed: a forged or truncated cursor
is refused with a 400 instead of silently starting somewhere else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

_MAC_BYTES = 12


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Position:
    date_created_ms: int
    sid: str


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, position: Position) -> str:
        payload = f"{position.date_created_ms}.{position.sid}".encode()
        return base64.urlsafe_b64encode(payload + self._mac(payload)).rstrip(b"=").decode()

    def decode(self, token: str) -> Position:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError) as exc:
            raise InvalidCursor("cursor is not valid base64") from exc
        payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        if len(raw) <= _MAC_BYTES or not hmac.compare_digest(mac, self._mac(payload)):
            raise InvalidCursor("cursor was not issued by this server")
        date_part, _, sid = payload.decode("ascii", "replace").partition(".")
        if not date_part.isdigit() or not sid:
            raise InvalidCursor("cursor is malformed")
        return Position(int(date_part), sid)
