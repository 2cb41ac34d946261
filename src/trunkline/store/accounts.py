"""Accounts, their API key/token pairs and their ExoPhones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trunkline.domain.accounts.tokens import (
    ACCOUNT_SID_RE,
    hash_token,
    new_api_key,
    new_api_token,
    verify_token,
)
from trunkline.domain.client_text import has_control
from trunkline.domain.clock import now_ms
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164
from trunkline.store.database import Database
from trunkline.store.schema.accounts import accounts, api_credentials, exophones


class AccountExists(InvalidParameter):
    code = "account-exists"


@dataclass(frozen=True, slots=True)
class Credential:
    api_key: str
    api_token: str


@dataclass(frozen=True, slots=True)
class StoredCredential:
    account_id: int
    account_sid: str
    token_hash: str


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    sid: str
    name: str
    exophones: tuple[str, ...]


class AccountStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(
        self,
        sid: str,
        *,
        name: str = "",
        api_key: str | None = None,
        api_token: str | None = None,
        exophone_numbers: Iterable[str] = (),
    ) -> tuple[Account, Credential]:
        """Create an account with one credential; a token not given is generated (shown once)."""
        if not ACCOUNT_SID_RE.match(sid):
            raise InvalidParameter("account sid must be 1-64 letters, digits, '_' or '-'", parameter="sid")
        numbers = self._normalise_exophones(exophone_numbers)
        credential = Credential(api_key or new_api_key(), api_token or new_api_token())
        try:
            with self._db.write() as conn:
                account_id = conn.execute(
                    accounts.insert()
                    .values(sid=sid, name=name or sid, created_at=now_ms())
                    .returning(accounts.c.id)
                ).scalar_one()
                conn.execute(
                    api_credentials.insert().values(
                        account_id=account_id,
                        api_key=credential.api_key,
                        token_hash=hash_token(credential.api_token),
                        created_at=now_ms(),
                    )
                )
                for number in numbers:
                    conn.execute(exophones.insert().values(account_id=account_id, number=number))
        except IntegrityError as exc:
            raise AccountExists(f"account {sid!r} or API key already exists", parameter="sid") from exc
        return Account(account_id, sid, name or sid, tuple(numbers)), credential

    def add_credential(
        self, sid: str, *, api_key: str | None = None, api_token: str | None = None
    ) -> Credential:
        """Another key/token pair for an existing account (accounts may hold several)."""
        account = self.get(sid)
        if account is None:
            raise InvalidParameter(f"no account {sid!r}", parameter="sid")
        credential = Credential(api_key or new_api_key(), api_token or new_api_token())
        try:
            with self._db.write() as conn:
                conn.execute(
                    api_credentials.insert().values(
                        account_id=account.id,
                        api_key=credential.api_key,
                        token_hash=hash_token(credential.api_token),
                        created_at=now_ms(),
                    )
                )
        except IntegrityError as exc:
            raise AccountExists("that API key is already in use", parameter="api_key") from exc
        return credential

    def add_exophones(self, sid: str, numbers: Iterable[str]) -> tuple[str, ...]:
        account = self.get(sid)
        if account is None:
            raise InvalidParameter(f"no account {sid!r}", parameter="sid")
        fresh = [n for n in self._normalise_exophones(numbers) if n not in account.exophones]
        with self._db.write() as conn:
            for number in fresh:
                conn.execute(exophones.insert().values(account_id=account.id, number=number))
        return account.exophones + tuple(fresh)

    def ensure(self, sid: str, credential: Credential, exophone_numbers: Iterable[str]) -> bool:
        """Make sure ``sid`` exists and ``credential`` works for it (the demo account); True if created."""
        if self.get(sid) is None:
            self.create(
                sid,
                api_key=credential.api_key,
                api_token=credential.api_token,
                exophone_numbers=exophone_numbers,
            )
            return True
        stored = self.credential_by_key(credential.api_key)
        if stored is None:
            self.add_credential(sid, api_key=credential.api_key, api_token=credential.api_token)
        elif stored.account_sid != sid:
            raise AccountExists(
                f"API key {credential.api_key!r} belongs to another account", parameter="api_key"
            )
        elif not verify_token(credential.api_token, stored.token_hash):
            with self._db.write() as conn:
                conn.execute(
                    api_credentials.update()
                    .where(api_credentials.c.api_key == credential.api_key)
                    .values(token_hash=hash_token(credential.api_token))
                )
        return False

    def get(self, sid: str) -> Account | None:
        if has_control(sid):  # no account has one; PostgreSQL would refuse the NUL itself
            return None
        with self._db.read() as conn:
            row = conn.execute(
                select(accounts.c.id, accounts.c.sid, accounts.c.name).where(accounts.c.sid == sid)
            ).first()
            if row is None:
                return None
            numbers = conn.execute(
                select(exophones.c.number)
                .where(exophones.c.account_id == row.id)
                .order_by(exophones.c.number)
            ).scalars()
            return Account(row.id, row.sid, row.name, tuple(numbers))

    def credential_by_key(self, api_key: str) -> StoredCredential | None:
        if has_control(api_key):
            return None
        with self._db.read() as conn:
            row = conn.execute(
                select(api_credentials.c.account_id, accounts.c.sid, api_credentials.c.token_hash)
                .join(accounts, accounts.c.id == api_credentials.c.account_id)
                .where(api_credentials.c.api_key == api_key)
            ).first()
        return StoredCredential(row.account_id, row.sid, row.token_hash) if row else None

    def credentials_of_account(self, sid: str) -> list[StoredCredential]:
        """For the legacy ``account_sid:token`` form: any of the account's tokens is accepted."""
        if has_control(sid):
            return []
        with self._db.read() as conn:
            rows = conn.execute(
                select(api_credentials.c.account_id, accounts.c.sid, api_credentials.c.token_hash)
                .join(accounts, accounts.c.id == api_credentials.c.account_id)
                .where(accounts.c.sid == sid)
                .order_by(api_credentials.c.id)
            ).all()
        return [StoredCredential(r.account_id, r.sid, r.token_hash) for r in rows]

    @staticmethod
    def _normalise_exophones(numbers: Iterable[str]) -> list[str]:
        result: list[str] = []
        for raw in numbers:
            try:
                number = to_e164(raw)
            except UnparseableNumber as exc:
                raise InvalidParameter(f"ExoPhone {raw!r}: {exc}", parameter="exophone") from exc
            if number not in result:
                result.append(number)
        return result
