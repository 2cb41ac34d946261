"""Accounts, their API credentials and ExoPhones: the one place both the CLI (``trunkline accounts``)
and the admin API (``/admin/accounts``) manage them.

Rules that hold whichever front end asks: a number belongs to one account; an account keeps at least
one credential; an account that owns calls, flows, agents, properties or generators is deleted only
when ``force`` says to delete those too; a revoked or rotated credential is refused by every server
process within about a second (``AccountStore``'s ``credentials_changed``, read by ``Authenticator``).
"""

from __future__ import annotations

from collections.abc import Iterable

from trunkline.domain.errors import NotFound
from trunkline.store.accounts import Account, AccountStore, Credential, CredentialInfo

__all__ = ["Account", "AccountService", "Credential", "CredentialInfo"]


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
        """The account's numbers after adding these (a number another account holds is refused)."""
        return self._store.add_exophones(sid, numbers)

    def remove_exophones(self, sid: str, numbers: Iterable[str]) -> tuple[str, ...]:
        """The account's numbers after removing these (with their flow and tracking set-up)."""
        return self._store.remove_exophones(sid, numbers)

    def all(self) -> list[Account]:
        return self._store.all()

    def credentials(self, sid: str) -> list[CredentialInfo]:
        """The account's API keys (tokens are never kept, so never shown again)."""
        return self._store.credentials(sid)

    def revoke_credential(self, sid: str, api_key: str) -> None:
        self._store.revoke_credential(sid, api_key)

    def rotate_credential(self, sid: str, api_key: str, api_token: str | None = None) -> Credential:
        """A new token for ``api_key`` (shown once); the old one is refused from now on."""
        return self._store.rotate_credential(sid, api_key, api_token)

    def delete(self, sid: str, *, force: bool = False) -> None:
        """Delete the account; with data only when ``force`` (which deletes the data too)."""
        self._store.delete(sid, force=force)

    def credentials_version(self) -> str:
        """Changes whenever a credential may have stopped working (``Authenticator`` polls it)."""
        return self._store.credentials_version()

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
