"""API tokens: generated at random, stored only as a slow salted hash, compared in constant time.

The hash is deliberately slow (scrypt), so the API layer keeps verified credentials in a
keyed in-memory cache and hashes only on a cache miss; see ``trunkline.services.credentials``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_N, _R, _P = 2**14, 8, 1
ACCOUNT_SID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def new_api_key() -> str:
    return secrets.token_hex(20)


def new_api_token() -> str:
    return secrets.token_hex(24)


def hash_token(token: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(token.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_token(token: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            token.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, bytes.fromhex(digest_hex))
