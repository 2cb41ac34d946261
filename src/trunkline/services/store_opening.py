"""Opening a store for a front end: one clear error when it cannot be opened, and no store made by
accident.

A new user's first stumbles were here: a command run in another folder quietly created and
migrated an empty ``./trunkline.db`` and then reported "no account demo"; a PostgreSQL server that
was not running, or a ``mysql://`` URL, printed a 470-line traceback. Every front end opens its
store through ``open_store``, which raises ``StoreUnavailable`` with one line that names the URL
(never its password) and says what to do.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from trunkline.domain.errors import ServiceUnavailable, TrunklineError
from trunkline.store.database import Database, normalise_url, unreachable

_URL_HELP = "pass --database-url or set TRUNKLINE_DATABASE_URL"
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


class StoreUnavailable(TrunklineError):
    """The store named by the settings cannot be opened (or does not exist, where that matters)."""

    status = 503
    code = "store-unavailable"


def display_url(url: str) -> str:
    """The URL as given (a bare path as its SQLite URL), as it may be shown to anyone: the password
    masked."""
    try:
        return make_url(url if "://" in url else normalise_url(url)).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _PASSWORD.sub(r"\1***@", url)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for PostgreSQL, an in-memory store or a bad URL)."""
    try:
        parsed = make_url(normalise_url(url))
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def open_store(url: str, *, create: bool) -> Database:
    """Open and migrate the store at ``url``. Without ``create``, a SQLite file that does not
    exist is an error and nothing is made on disk: only the commands that set a store up
    (``serve``, ``migrate``, ``accounts create``, ``seed``) pass ``create=True``."""
    shown = display_url(url)
    path = sqlite_file(url)
    if path is not None and not create and not path.exists():
        raise StoreUnavailable(
            f"no store at {shown} (looked for {path.resolve()}); start one with `trunkline serve` "
            f"or `trunkline migrate`, or {_URL_HELP} to the store you use"
        )
    backend = _backend(url)
    if backend not in ("sqlite", "postgresql"):
        what = f"{backend} is not supported" if backend else "not a database URL"
        raise StoreUnavailable(f"cannot open the store {shown}: {what}; {_advice(url)}")
    db: Database | None = None
    try:
        db = Database(url)
        db.migrate()
    except Exception as exc:  # noqa: BLE001 - any failure to open becomes the one line below
        if db is not None:
            db.dispose()
        raise StoreUnavailable(f"cannot open the store {shown}: {_reason(exc, url)}; {_advice(url)}") from exc
    return db


def _reason(exc: BaseException, url: str) -> str:
    """The first line of the driver's own message, without the URL's password if it quotes it."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    password = _password(url)
    if password and len(password) >= 4:  # a shorter one would mask parts of ordinary words
        text = text.replace(password, "***")
    return text.rstrip(".")


def _password(url: str) -> str | None:
    try:
        return make_url(normalise_url(url)).password
    except (ArgumentError, ValueError):
        return None


def _backend(url: str) -> str:
    try:
        return make_url(normalise_url(url)).get_backend_name()
    except (ArgumentError, ValueError):
        return ""


def _advice(url: str) -> str:
    backend = _backend(url)
    if backend == "sqlite":
        return f"check that the folder exists and is writable, or {_URL_HELP}"
    if backend == "postgresql":
        return f"check that PostgreSQL is running and the database exists, or {_URL_HELP}"
    return (
        "Trunkline stores calls in SQLite (sqlite:///path/file.db) or PostgreSQL "
        f"(postgresql://user:pass@host/db); {_URL_HELP}"
    )


def unreachable_store(exc: BaseException) -> ServiceUnavailable | None:
    """The 503 to answer when ``exc`` says the store cannot be reached right now (PostgreSQL
    restarting, a connection lost: ``store.database.unreachable``); None for any other failure,
    which stays a bug (a 500). The front ends answer it in their own envelope, so a database
    restart is a clean, retryable answer for clients, never a 500 or a reset connection."""
    if unreachable(exc):
        return ServiceUnavailable("the database cannot be reached; try again shortly")
    return None


RETRY_AFTER = {"Retry-After": "1"}
"""What a 503 for an unreachable store tells the client: try again in a second."""
