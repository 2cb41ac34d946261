"""The credential check: which account an HTTP Basic header belongs to, shared by every dialect
(and by any front end that takes an account's API key and token).

Tokens are stored as scrypt hashes, which take tens of milliseconds to check. Verified
credentials are therefore cached in memory under a MAC of the whole header (keyed BLAKE2b with a
per-process random key, so the cache never holds a secret and a lookup leaks nothing about
one; it costs half an HMAC-SHA256 through OpenSSL, on every request); a miss is hashed off the
event loop. Entries expire after ``CACHE_SECONDS`` so a
removed credential stops working soon after.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import secrets
import time
from dataclasses import dataclass

import anyio.to_thread

from trunkline.domain.accounts.tokens import hash_token, verify_token
from trunkline.domain.errors import AuthenticationFailed, Forbidden
from trunkline.store.accounts import AccountStore

CACHE_SECONDS = 60.0
CACHE_MAX = 10_000
HASHES_AT_ONCE = 2
_DUMMY_HASH = hash_token(secrets.token_hex(16))


@dataclass(frozen=True, slots=True)
class Principal:
    account_id: int
    account_sid: str


class Authenticator:
    def __init__(self, accounts: AccountStore) -> None:
        self._accounts = accounts
        self._cache_key = secrets.token_bytes(32)
        self._cache: dict[bytes, tuple[Principal, float]] = {}
        self._pending: dict[bytes, asyncio.Future[Principal]] = {}
        self._hashing: asyncio.Semaphore | None = None

    async def authenticate(self, authorization: str | None, account_sid: str) -> Principal:
        """The principal of an ``Authorization`` header, which must own ``account_sid`` (the path's)."""
        principal = await self.principal(authorization)
        if principal.account_sid != account_sid:
            raise Forbidden("These credentials do not give access to this account")
        return principal

    async def principal(self, authorization: str | None) -> Principal:
        """The principal of an ``Authorization`` header, whichever account it is (paths without an
        account, such as Fone's ``/v2/Calls/<CallSid>``, scope the request to it)."""
        if not authorization:
            raise AuthenticationFailed("Authentication failed")
        fingerprint = self._fingerprint(authorization.encode())
        cached = self._cache.get(fingerprint)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        return await self._verify_once(fingerprint, authorization)

    def _fingerprint(self, authorization: bytes) -> bytes:
        return hashlib.blake2b(authorization, key=self._cache_key, digest_size=32).digest()

    def cached(self, authorization: bytes, account_sid: str) -> Principal | None:
        """The principal of a header verified recently that owns ``account_sid``, or None: then
        ``authenticate`` must decide (verify, or raise the right error). No hashing, no await: the
        hot read path asks this first. ``authorization`` is the raw header, ASCII only (the bytes
        ``authenticate`` fingerprints for the same header)."""
        cached = self._cache.get(self._fingerprint(authorization))
        if cached is None or cached[1] <= time.monotonic() or cached[0].account_sid != account_sid:
            return None
        return cached[0]

    async def _verify_once(self, fingerprint: bytes, authorization: str) -> Principal:
        """Concurrent requests with the same header share one verification (a client opening 32
        connections at once hashes once, not 32 times), and at most ``HASHES_AT_ONCE`` hashes run
        together: each takes 16 MiB and tens of milliseconds, so this bounds memory and the cost
        of a flood of wrong passwords."""
        pending = self._pending.get(fingerprint)
        if pending is None:
            pending = asyncio.ensure_future(self._verify_limited(authorization))
            self._pending[fingerprint] = pending
            pending.add_done_callback(lambda _: self._pending.pop(fingerprint, None))
        principal = await asyncio.shield(pending)
        if len(self._cache) >= CACHE_MAX:
            self._cache.clear()
        self._cache[fingerprint] = (principal, time.monotonic() + CACHE_SECONDS)
        return principal

    async def _verify_limited(self, authorization: str) -> Principal:
        if self._hashing is None:
            self._hashing = asyncio.Semaphore(HASHES_AT_ONCE)
        async with self._hashing:
            return await anyio.to_thread.run_sync(self._verify, authorization)

    def forget(self) -> None:
        self._cache.clear()

    def _verify(self, authorization: str) -> Principal:
        user, password = _parse_basic(authorization)
        credential = self._accounts.credential_by_key(user)
        if credential is not None:
            if verify_token(password, credential.token_hash):
                return Principal(credential.account_id, credential.account_sid)
            raise AuthenticationFailed("Authentication failed")
        # The legacy form: account SID as the user name, any of the account's tokens.
        candidates = self._accounts.credentials_of_account(user)
        for candidate in candidates:
            if verify_token(password, candidate.token_hash):
                return Principal(candidate.account_id, candidate.account_sid)
        if not candidates:
            verify_token(password, _DUMMY_HASH)  # same cost whether or not the user exists
        raise AuthenticationFailed("Authentication failed")


def _parse_basic(authorization: str) -> tuple[str, str]:
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise AuthenticationFailed("Authentication failed: use HTTP Basic with api_key:api_token")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise AuthenticationFailed("Authentication failed: malformed Basic credentials") from exc
    user, sep, password = decoded.partition(":")
    if not sep or not user or not password or len(user) > 128 or not user.isprintable():
        raise AuthenticationFailed("Authentication failed: malformed Basic credentials")
    return user, password
