"""Attaching a store to its read replicas (``TRUNKLINE_READ_REPLICA_URLS``, docs/scaling.md): the
same for a server and for a CLI command, whose writes must also open the accounts' read-your-writes
window in every server."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from trunkline.config import Settings
from trunkline.store.database import Database, normalise_url

if TYPE_CHECKING:
    from trunkline.store.replicas import ReplicaRouter

log = logging.getLogger("trunkline.services.replica_setup")

REPLICA_CHECK_SECONDS = 0.5
"""How often each process checks its replicas' health and lag (``Settings._replicas_fit`` counts on it)."""


def use_replicas(settings: Settings, db: Database) -> ReplicaRouter | None:
    """The replicas reads of call records may go to, attached to ``db`` (docs/scaling.md). A CLI
    command's router is never started: it reads from the primary, but its writes still start the
    accounts' read-your-writes window in every server."""
    urls = settings.replica_urls()
    if not urls:
        return None
    if db.is_sqlite:
        log.warning("TRUNKLINE_READ_REPLICA_URLS ignored: the store is SQLite, which has no replicas")
        return None
    from trunkline.store.replicas import ReplicaRouter  # psycopg's pool: only where replicas are set

    router = ReplicaRouter(
        db.url,
        [normalise_url(url) for url in urls],
        window_s=settings.read_your_writes_seconds,
        max_lag_s=settings.replica_max_lag_seconds,
        interval_s=REPLICA_CHECK_SECONDS,
    )
    db.use_replicas(router)
    return router
