"""Where each sync of an account from a source stands (``schema/sync.py``); written in the
transaction of each page's calls (``CallWrites.upsert_finished``), so the two never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from trunkline.store.database import Database
from trunkline.store.schema.sync import sync_state


@dataclass(frozen=True, slots=True)
class SyncPosition:
    account_id: int
    source_url: str
    source_account: str
    window_start: int | None = None
    """The DateCreated window of a run in progress; None when the last run finished."""
    window_end: int | None = None
    next_page: str | None = None
    """The NextPageUri to fetch next in that window; None: its first page."""
    newest_ms: int | None = None
    finished_at: int | None = None


class SyncStateStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def find(self, account_id: int, source_url: str, source_account: str) -> SyncPosition | None:
        with self._db.read() as conn:
            row = conn.execute(
                select(sync_state).where(
                    sync_state.c.account_id == account_id,
                    sync_state.c.source_url == source_url,
                    sync_state.c.source_account == source_account,
                )
            ).first()
        if row is None:
            return None
        return SyncPosition(
            row.account_id,
            row.source_url,
            row.source_account,
            row.window_start,
            row.window_end,
            row.next_page,
            row.newest_ms,
            row.finished_at,
        )

    @staticmethod
    def save(conn: Connection, position: SyncPosition) -> None:
        """Insert or replace the position, in the caller's transaction."""
        values = {
            "window_start": position.window_start,
            "window_end": position.window_end,
            "next_page": position.next_page,
            "newest_ms": position.newest_ms,
            "finished_at": position.finished_at,
        }
        updated = conn.execute(
            sync_state.update()
            .where(
                sync_state.c.account_id == position.account_id,
                sync_state.c.source_url == position.source_url,
                sync_state.c.source_account == position.source_account,
            )
            .values(values)
        ).rowcount
        if not updated:
            conn.execute(
                sync_state.insert().values(
                    account_id=position.account_id,
                    source_url=position.source_url,
                    source_account=position.source_account,
                    **values,
                )
            )
