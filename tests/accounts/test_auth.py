"""The authenticator: one hash per header however many requests arrive at once, and the cache."""

from __future__ import annotations

import asyncio
import base64

import pytest

from trunkline.domain.accounts.tokens import hash_token
from trunkline.domain.errors import AuthenticationFailed, Forbidden
from trunkline.services.credentials import Authenticator
from trunkline.store.accounts import StoredCredential


class CountingAccounts:
    """Stands in for AccountStore and counts how often credentials are looked up (and hashed)."""

    def __init__(self) -> None:
        self.lookups = 0
        self.stored = StoredCredential(1, "acme", hash_token("secret"))

    def credential_by_key(self, api_key: str) -> StoredCredential | None:
        self.lookups += 1
        return self.stored if api_key == "key" else None

    def credentials_of_account(self, sid: str) -> list[StoredCredential]:
        return [self.stored] if sid == "acme" else []

    def credentials_version(self) -> str:
        return ""


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_concurrent_requests_with_one_header_share_one_verification_then_hit_the_cache() -> None:
    accounts = CountingAccounts()
    authenticator = Authenticator(accounts)  # type: ignore[arg-type]

    async def scenario() -> None:
        results = await asyncio.gather(
            *[authenticator.authenticate(_basic("key", "secret"), "acme") for _ in range(32)]
        )
        assert {r.account_sid for r in results} == {"acme"}
        await authenticator.authenticate(_basic("key", "secret"), "acme")

    asyncio.run(scenario())
    assert accounts.lookups == 1


def test_wrong_password_is_never_cached_and_other_accounts_are_forbidden() -> None:
    accounts = CountingAccounts()
    authenticator = Authenticator(accounts)  # type: ignore[arg-type]

    async def scenario() -> None:
        for _ in range(2):
            with pytest.raises(AuthenticationFailed):
                await authenticator.authenticate(_basic("key", "wrong"), "acme")
        with pytest.raises(Forbidden):
            await authenticator.authenticate(_basic("acme", "secret"), "other")

    asyncio.run(scenario())
    assert accounts.lookups == 3


def test_cached_answers_only_for_a_header_verified_for_that_account() -> None:
    """The hot path's question: no hashing, None whenever ``authenticate`` must decide."""
    accounts = CountingAccounts()
    authenticator = Authenticator(accounts)  # type: ignore[arg-type]
    good, wrong = _basic("key", "secret"), _basic("key", "wrong")
    assert authenticator.cached(good.encode(), "acme") is None

    async def scenario() -> None:
        await authenticator.authenticate(good, "acme")
        with pytest.raises(AuthenticationFailed):
            await authenticator.authenticate(wrong, "acme")

    asyncio.run(scenario())
    principal = authenticator.cached(good.encode(), "acme")
    assert principal is not None and principal.account_sid == "acme"
    assert authenticator.cached(good.encode(), "other") is None
    assert authenticator.cached(wrong.encode(), "acme") is None
    authenticator.forget()
    assert authenticator.cached(good.encode(), "acme") is None
    assert accounts.lookups == 2
