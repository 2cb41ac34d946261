"""Accounts, their API credentials and ExoPhones."""

from __future__ import annotations

from collections.abc import Iterable

from trunkline.domain.errors import NotFound
from trunkline.store.accounts import Account, AccountStore, Credential

__all__ = ["Account", "AccountService", "Credential"]


class AccountService:
    def __init__(self, store: AccountStore) -> None:
        self._store = store

    def create(
        self,
        sid: str,
        *,
        name: str = "",
        api_key: str | None = None,
        api_token: str | None = None,
        exophone_numbers: Iterable[str] = (),
    ) -> tuple[Account, Credential]:
        """A new account with its first credential; the token is known only to the caller from now on."""
        return self._store.create(
            sid, name=name, api_key=api_key, api_token=api_token, exophone_numbers=exophone_numbers
        )

    def add_credential(
        self, sid: str, *, api_key: str | None = None, api_token: str | None = None
    ) -> Credential:
        return self._store.add_credential(sid, api_key=api_key, api_token=api_token)

    def add_exophones(self, sid: str, numbers: Iterable[str]) -> tuple[str, ...]:
        return self._store.add_exophones(sid, numbers)

    def ensure(self, sid: str, credential: Credential, exophone_numbers: Iterable[str]) -> bool:
        """Create the account unless it exists (the demo account); True when it was created."""
        return self._store.ensure(sid, credential, exophone_numbers)

    def find(self, sid: str) -> Account | None:
        return self._store.get(sid)

    def get(self, sid: str) -> Account:
        """The account, or ``NotFound``: every admin path names its account this way."""
        account = self._store.get(sid)
        if account is None:
            raise NotFound(f"no account {sid}")
        return account
