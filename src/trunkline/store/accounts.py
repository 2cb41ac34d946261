"""Accounts, their API key/token pairs and their ExoPhones.

Every change that can make a credential stop working (revoke, rotate, delete an account, the demo
account's token replaced) writes a fresh random ``credentials_changed`` value to ``meta`` in the same
transaction: each server process reads that one row every second (``credentials_version``) and drops
its cache of verified credentials when it differs, so a change made by any process (a CLI command,
another server) is honoured everywhere within about a second.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, delete, exists, select, update
from sqlalchemy.exc import IntegrityError

from trunkline.domain.accounts.errors import AccountHasData, LastCredential, NumberHeldElsewhere
from trunkline.domain.accounts.tokens import (
    ACCOUNT_SID_RE,
    hash_token,
    new_api_key,
    new_api_token,
    verify_token,
)
from trunkline.domain.client_text import has_control
from trunkline.domain.clock import now_ms
from trunkline.domain.errors import Conflict, InvalidParameter, NotFound
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164
from trunkline.store.database import Database
from trunkline.store.schema.accounts import accounts, api_credentials, exophones
from trunkline.store.schema.agents import agents
from trunkline.store.schema.calls import calls
from trunkline.store.schema.flows import flows
from trunkline.store.schema.meta import meta
from trunkline.store.schema.tracking import tracking_numbers, tracking_properties
from trunkline.store.schema.traffic import traffic_generators

CREDENTIALS_CHANGED = "credentials_changed"
"""The ``meta`` key every credential change rewrites (see the module's docstring)."""
_OWNED_DATA = (calls, flows, agents, tracking_properties, traffic_generators)
"""What an account owns that deleting it would lose (ExoPhones and credentials go without asking)."""


class AccountExists(Conflict):
    """The SID or API key is taken: a clash with what is stored (409), not a malformed value."""

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


@dataclass(frozen=True, slots=True)
class CredentialInfo:
    """A credential as an administrator sees it: never its token (only its hash is stored)."""

    api_key: str
    created_at: int


def claim_exophone(conn: Connection, account_id: int, number: str) -> bool:
    """Give ``number`` (E.164) to the account inside the caller's transaction; False when it already
    holds it. ``NumberHeldElsewhere`` when another account does: a number belongs to one account (the
    unique index on ``owned_number`` backs this check against a concurrent claim)."""
    holders = set(conn.execute(select(exophones.c.account_id).where(exophones.c.number == number)).scalars())
    if account_id in holders:
        return False
    if holders:
        raise NumberHeldElsewhere(f"{number} belongs to another account", parameter="exophone")
    try:
        conn.execute(exophones.insert().values(account_id=account_id, number=number, owned_number=number))
    except IntegrityError as exc:
        raise NumberHeldElsewhere(f"{number} belongs to another account", parameter="exophone") from exc
    return True


def _credentials_changed(conn: Connection) -> None:
    value = secrets.token_hex(8)
    done = conn.execute(update(meta).where(meta.c.key == CREDENTIALS_CHANGED).values(value=value))
    if done.rowcount == 0:
        conn.execute(meta.insert().values(key=CREDENTIALS_CHANGED, value=value))


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
                    claim_exophone(conn, account_id, number)
        except IntegrityError as exc:
            raise AccountExists(f"account {sid!r} or API key already exists", parameter="sid") from exc
        return Account(account_id, sid, name or sid, tuple(numbers)), credential

    def add_credential(
        self, sid: str, *, api_key: str | None = None, api_token: str | None = None
    ) -> Credential:
        """Another key/token pair for an existing account (accounts may hold several)."""
        account = self._existing(sid)
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
        """Give the account more numbers (``NumberHeldElsewhere`` if another account holds one: then
        none is added); the account's numbers after."""
        account = self._existing(sid)
        wanted = self._normalise_exophones(numbers)
        with self._db.write() as conn:
            for number in wanted:
                claim_exophone(conn, account.id, number)
        return self._existing(sid).exophones

    def remove_exophones(self, sid: str, numbers: Iterable[str]) -> tuple[str, ...]:
        """Take numbers from the account (with their flow assignment and tracking configuration);
        ``NotFound`` for a number it does not hold, and then none is removed."""
        account = self._existing(sid)
        wanted = self._normalise_exophones(numbers)
        missing = [n for n in wanted if n not in account.exophones]
        if missing:
            raise NotFound(f"account {sid} has no ExoPhone {', '.join(missing)}")
        with self._db.write() as conn:
            conn.execute(
                delete(tracking_numbers).where(
                    tracking_numbers.c.account_id == account.id, tracking_numbers.c.number.in_(wanted)
                )
            )
            conn.execute(
                delete(exophones).where(exophones.c.account_id == account.id, exophones.c.number.in_(wanted))
            )
        return self._existing(sid).exophones

    def all(self) -> list[Account]:
        """Every account with its ExoPhones, by SID."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(accounts.c.id, accounts.c.sid, accounts.c.name).order_by(accounts.c.sid)
            ).all()
            held: dict[int, list[str]] = {}
            for account_id, number in conn.execute(
                select(exophones.c.account_id, exophones.c.number).order_by(exophones.c.number)
            ):
                held.setdefault(account_id, []).append(number)
        return [Account(r.id, r.sid, r.name, tuple(held.get(r.id, ()))) for r in rows]

    def credentials(self, sid: str) -> list[CredentialInfo]:
        account = self._existing(sid)
        with self._db.read() as conn:
            rows = conn.execute(
                select(api_credentials.c.api_key, api_credentials.c.created_at)
                .where(api_credentials.c.account_id == account.id)
                .order_by(api_credentials.c.id)
            ).all()
        return [CredentialInfo(r.api_key, r.created_at) for r in rows]

    def revoke_credential(self, sid: str, api_key: str) -> None:
        """Delete one of the account's credentials; refused for its last one (``LastCredential``)."""
        account = self._existing(sid)
        with self._db.write() as conn:
            keys = list(
                conn.execute(
                    select(api_credentials.c.api_key).where(api_credentials.c.account_id == account.id)
                ).scalars()
            )
            if api_key not in keys:
                raise NotFound(f"account {sid} has no API key {api_key}")
            if len(keys) == 1:
                raise LastCredential(
                    f"{api_key} is the only credential of {sid}: rotate it, or add another before revoking it"
                )
            conn.execute(delete(api_credentials).where(api_credentials.c.api_key == api_key))
            _credentials_changed(conn)

    def rotate_credential(self, sid: str, api_key: str, api_token: str | None = None) -> Credential:
        """A new token for one of the account's keys; the old token stops working."""
        account = self._existing(sid)
        credential = Credential(api_key, api_token or new_api_token())
        with self._db.write() as conn:
            done = conn.execute(
                update(api_credentials)
                .where(api_credentials.c.account_id == account.id, api_credentials.c.api_key == api_key)
                .values(token_hash=hash_token(credential.api_token))
            )
            if done.rowcount == 0:
                raise NotFound(f"account {sid} has no API key {api_key}")
            _credentials_changed(conn)
        return credential

    def delete(self, sid: str, *, force: bool = False) -> None:
        """Delete the account with its credentials and ExoPhones. While it owns calls, flows, agents,
        properties or generators, only with ``force``, which deletes them too (foreign keys cascade)."""
        account = self._existing(sid)
        with self._db.write() as conn:
            if not force:
                owned = [
                    table.name
                    for table in _OWNED_DATA
                    if conn.execute(select(exists().where(table.c.account_id == account.id))).scalar()
                ]
                if owned:
                    raise AccountHasData(
                        f"account {sid} still has {', '.join(owned)}: delete with force to delete them too"
                    )
            conn.execute(delete(accounts).where(accounts.c.id == account.id))
            _credentials_changed(conn)

    def credentials_version(self) -> str:
        """The ``credentials_changed`` value: it differs after any change that can refuse a credential."""
        with self._db.read() as conn:
            value = conn.execute(select(meta.c.value).where(meta.c.key == CREDENTIALS_CHANGED)).scalar()
        return value or ""

    def _existing(self, sid: str) -> Account:
        account = self.get(sid)
        if account is None:
            raise NotFound(f"no account {sid}")
        return account

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
                _credentials_changed(conn)
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
