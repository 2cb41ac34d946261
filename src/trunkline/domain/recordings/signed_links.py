"""Time-limited recording links (``PreSignedRecordingUrl``), signed with the server's key.

A link carries its expiry and an HMAC over the path and the expiry, so the server that
serves the file can check it without any stored state.
"""

from __future__ import annotations

import hashlib
import hmac


def _signature(key: bytes, path: str, expires_s: int) -> str:
    return hmac.new(key, f"{path}\n{expires_s}".encode(), hashlib.sha256).hexdigest()[:32]


def presign(key: bytes, base_url: str, path: str, expires_s: int) -> str:
    """``base_url/path?Expires=…&Signature=…`` valid until ``expires_s`` (epoch seconds)."""
    return f"{base_url.rstrip('/')}/{path}?Expires={expires_s}&Signature={_signature(key, path, expires_s)}"


def verify(key: bytes, path: str, expires_s: int, signature: str, now_s: int) -> bool:
    if now_s > expires_s:
        return False
    return hmac.compare_digest(signature, _signature(key, path, expires_s))
