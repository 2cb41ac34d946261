"""The credential check: which account an HTTP Basic header belongs to, shared by every dialect
(and by any front end that takes an account's API key and token).

Tokens are stored as scrypt hashes, which take tens of milliseconds to check, so four rules keep one
client from stalling everyone's logins:

- **Verified credentials are cached** in memory under a MAC of the whole header (keyed BLAKE2b with
  a per-process random key: the cache never holds a secret, and a lookup costs half an HMAC). An entry
  lives while it is used (sliding expiry, ``CACHE_IDLE_SECONDS``), and the whole cache is dropped when
  the store's ``credentials_changed`` value moves. The first request after ``RECHECK_SECONDS`` starts a
  read of it in the background (no request waits for it), and no cached answer is given once the last
  read is ``STALE_SECONDS`` old, so a revoked or rotated credential is refused by every process about a
  second after the change, and never later than ``STALE_SECONDS`` even if reads stall.
- **An unknown API key costs no hash.** An API key is an identifier, like a user name, not a secret:
  the token is the secret. Hashing a dummy token for an unknown key (what this module did before)
  only hid whether a key exists, and made every guess cost a hash. Now an unknown key costs one
  indexed read, and every failure, whichever kind, is answered with the same 401 body no sooner than
  ``FAILURE_SECONDS`` after it arrived (an asleep coroutine, no CPU), so that a wrong token and an
  unknown key fall in the same timing class as far as a client can measure. The trade-off: someone
  who floods one key can tell from the 429 that it exists, which tells them an identifier, not a way in.
- **Failures are limited** per client address and per key (``LoginLimits``): past the limit, a login
  not in the cache is answered 429 before any read or hash.
- **A valid login never queues behind failing ones:** logins for a key with no recent failure hash in
  a lane of their own (``HASHES_AT_ONCE``), apart from the lane of keys that failed lately. The lane
  goes by key, not address, so a user behind the same NAT as an attacker is not slowed; an attacker
  who cycles through many known keys gets one clean-lane hash per key, within the address's limit.
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

from trunkline.domain.accounts.tokens import verify_token
from trunkline.domain.errors import AuthenticationFailed, Forbidden
from trunkline.services.login_limits import LoginLimits
from trunkline.store.accounts import AccountStore, StoredCredential

CACHE_IDLE_SECONDS = 600.0
"""A cached credential unused this long is forgotten (each use restarts the count)."""
CACHE_MAX = 10_000
RECHECK_SECONDS = 1.0
"""How often the store is asked whether any credential changed: about when a revoke is honoured."""
STALE_SECONDS = 4.0
"""The cache is not trusted when the store was last asked longer ago: the bound on honouring a revoke."""
HASHES_AT_ONCE = 2
"""Hashes running at once per lane: each takes 16 MiB and tens of milliseconds."""
FAILURE_SECONDS = 0.2
"""No failed login is answered sooner than this after it arrived (a little more than one hash)."""
FAILURES_PER_MINUTE = 30


@dataclass(frozen=True, slots=True)
class Principal:
    account_id: int
    account_sid: str


class Authenticator:
    def __init__(self, accounts: AccountStore, *, failures_per_minute: int = FAILURES_PER_MINUTE) -> None:
        self._accounts = accounts
        self._cache_key = secrets.token_bytes(32)
        self._cache: dict[bytes, list[object]] = {}  # fingerprint -> [Principal, idle deadline]
        self._pending: dict[bytes, asyncio.Future[Principal]] = {}
        self._limits = LoginLimits(failures_per_minute)
        self._clean_lane = asyncio.Semaphore(HASHES_AT_ONCE)
        self._suspect_lane = asyncio.Semaphore(HASHES_AT_ONCE)
        self._version: str | None = None
        self._recheck_at = 0.0
        self._stale_at = 0.0
        self._rechecking: asyncio.Future[None] | None = None

    async def authenticate(self, authorization: str | None, account_sid: str, client: str = "") -> Principal:
        """The principal of an ``Authorization`` header, which must own ``account_sid`` (the path's).
        ``client`` is the caller's address, whose failures are limited."""
        principal = await self.principal(authorization, client)
        if principal.account_sid != account_sid:
            raise Forbidden("These credentials do not give access to this account")
        return principal

    async def principal(self, authorization: str | None, client: str = "") -> Principal:
        """The principal of an ``Authorization`` header, whichever account it is (paths without an
        account, such as Fone's ``/v2/Calls/<CallSid>``, scope the request to it)."""
        if not authorization:
            raise AuthenticationFailed("Authentication failed")
        now = time.monotonic()
        if now >= self._stale_at:
            await self._recheck()
        elif now >= self._recheck_at:
            self._start_recheck()
        fingerprint = self._fingerprint(authorization.encode())
        principal = self._hit(fingerprint)
        if principal is not None:
            return principal
        return await self._verify_once(fingerprint, authorization, client)

    def cached(self, authorization: bytes, account_sid: str) -> Principal | None:
        """The principal of a header verified recently that owns ``account_sid``, or None: then
        ``authenticate`` must decide (verify, re-read the store, or raise the right error). No
        hashing, no await: the hot read path asks this first. ``authorization`` is the raw header,
        ASCII only (the bytes ``authenticate`` fingerprints for the same header)."""
        now = time.monotonic()
        if now >= self._recheck_at:
            if now >= self._stale_at:
                return None
            self._start_recheck()
        principal = self._hit(self._fingerprint(authorization))
        if principal is None or principal.account_sid != account_sid:
            return None
        return principal

    def forget(self) -> None:
        self._cache.clear()

    def _fingerprint(self, authorization: bytes) -> bytes:
        return hashlib.blake2b(authorization, key=self._cache_key, digest_size=32).digest()

    def _hit(self, fingerprint: bytes) -> Principal | None:
        entry = self._cache.get(fingerprint)
        if entry is None:
            return None
        now = time.monotonic()
        if entry[1] <= now:  # type: ignore[operator]
            del self._cache[fingerprint]
            return None
        entry[1] = now + CACHE_IDLE_SECONDS
        return entry[0]  # type: ignore[return-value]

    def _start_recheck(self) -> asyncio.Future[None]:
        """Read ``credentials_changed`` in the background (once, however many requests ask) and drop
        the cache when it moved."""
        if self._rechecking is None:
            self._rechecking = asyncio.ensure_future(self._read_version())
            self._rechecking.add_done_callback(self._recheck_done)
        return self._rechecking

    def _recheck_done(self, done: asyncio.Future[None]) -> None:
        self._rechecking = None
        if not done.cancelled():
            done.exception()  # retrieved: a failed read is tried again by the next request

    async def _recheck(self) -> None:
        await asyncio.shield(self._start_recheck())

    async def _read_version(self) -> None:
        version = await anyio.to_thread.run_sync(self._accounts.credentials_version)
        if version != self._version:
            self._cache.clear()
            self._version = version
        now = time.monotonic()
        self._recheck_at, self._stale_at = now + RECHECK_SECONDS, now + STALE_SECONDS

    async def _verify_once(self, fingerprint: bytes, authorization: str, client: str) -> Principal:
        """Concurrent requests with the same header share one verification (a client opening 32
        connections at once hashes once, not 32 times)."""
        pending = self._pending.get(fingerprint)
        if pending is None:
            pending = asyncio.ensure_future(self._verify(authorization, client))
            self._pending[fingerprint] = pending
            pending.add_done_callback(lambda _: self._pending.pop(fingerprint, None))
        principal = await asyncio.shield(pending)
        if len(self._cache) >= CACHE_MAX:
            self._cache.clear()
        self._cache[fingerprint] = [principal, time.monotonic() + CACHE_IDLE_SECONDS]
        return principal

    async def _verify(self, authorization: str, client: str) -> Principal:
        started = time.monotonic()
        addresses, keys = self._limits.addresses, self._limits.keys
        addresses.take(client)  # 429 here, before any work, once this address has failed too often
        try:
            user, password = _parse_basic(authorization)
        except AuthenticationFailed:
            await _answer_no_sooner_than(started)
            raise
        candidates = await anyio.to_thread.run_sync(self._candidates, user)
        if not candidates:
            await _answer_no_sooner_than(started)
            raise AuthenticationFailed("Authentication failed")
        clean = keys.is_clean(user)
        keys.take(user)
        async with self._clean_lane if clean else self._suspect_lane:
            principal = await anyio.to_thread.run_sync(_matching, candidates, password)
        if principal is None:
            await _answer_no_sooner_than(started)
            raise AuthenticationFailed("Authentication failed")
        addresses.give_back(client)
        keys.give_back(user)
        return principal

    def stamp(self, user: str) -> str | None:
        """What the stored credentials of API key ``user`` are now (or, for the legacy user name,
        the account's): a digest of their stored hashes, None when there are none. A sign-in that
        outlives requests (the console's session) keeps it and compares it on each use, so that
        revoking or rotating the credential ends that session too. One indexed read; the digest
        of salted hashes tells nothing about a token."""
        candidates = self._candidates(user)
        if not candidates:
            return None
        joined = "\n".join(sorted(candidate.token_hash for candidate in candidates))
        return hashlib.sha256(joined.encode()).hexdigest()[:32]

    def _candidates(self, user: str) -> list[StoredCredential]:
        """The stored credentials ``user`` may mean: its API key's, or (the legacy form, account SID as
        the user name) every credential of that account."""
        credential = self._accounts.credential_by_key(user)
        if credential is not None:
            return [credential]
        return self._accounts.credentials_of_account(user)


def _matching(candidates: list[StoredCredential], password: str) -> Principal | None:
    for candidate in candidates:
        if verify_token(password, candidate.token_hash):
            return Principal(candidate.account_id, candidate.account_sid)
    return None


async def _answer_no_sooner_than(started: float) -> None:
    """Sleep out the rest of ``FAILURE_SECONDS`` since ``started`` (see the module's docstring)."""
    left = started + FAILURE_SECONDS - time.monotonic()
    if left > 0:
        await asyncio.sleep(left)


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
