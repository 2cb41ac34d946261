"""Recording rows: what each call's audio file must be. The engine adds one, in the transaction
where a recorded call ends; the file is rendered from it (``engine.recordings``).

Calls loaded in bulk (``trunkline seed``) carry a ``recording_path`` but no row: ``find`` then
describes their recording from the call itself (single channel, mp3, the conversation's length).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import Connection, select

from trunkline.store.database import Database
from trunkline.store.schema.accounts import accounts
from trunkline.store.schema.calls import calls
from trunkline.store.schema.recordings import recordings


@dataclass(frozen=True, slots=True)
class NewRecording:
    account_id: int
    call_id: int
    path: str
    """``exotelrecordings/<AccountSid>/<CallSid>.mp3``: also the call's ``recording_path``."""
    kind: str  # conversation | voicemail
    channels: str  # single | dual
    format: str  # mp3 | mp3-hq
    duration_ms: int
    created_at: int


@dataclass(frozen=True, slots=True)
class Recording:
    account_id: int
    account_sid: str
    call_sid: str
    path: str
    kind: str
    channels: str
    format: str
    duration_ms: int


def insert(conn: Connection, rows: Sequence[NewRecording]) -> None:
    if rows:
        conn.execute(recordings.insert(), [asdict(row) for row in rows])


class RecordingStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def find(self, path: str) -> Recording | None:
        """The recording served at ``path`` (relative, as stored in ``calls.recording_path``)."""
        with self._db.read() as conn:
            row = conn.execute(
                select(
                    recordings.c.account_id,
                    accounts.c.sid,
                    calls.c.sid,
                    recordings.c.kind,
                    recordings.c.channels,
                    recordings.c.format,
                    recordings.c.duration_ms,
                )
                .join(calls, calls.c.id == recordings.c.call_id)
                .join(accounts, accounts.c.id == recordings.c.account_id)
                .where(recordings.c.path == path)
            ).first()
            if row is not None:
                return Recording(row[0], row[1], row[2], path, row[3], row[4], row[5], int(row[6]))
            # A bulk-loaded call: its recording is described by the call record alone. The path ends
            # in the Sid, so the lookup uses the Sid's unique index.
            call_sid = path.rsplit("/", 1)[-1].split(".", 1)[0]
            legacy = conn.execute(
                select(calls.c.account_id, accounts.c.sid, calls.c.sid, calls.c.conversation_duration)
                .join(accounts, accounts.c.id == calls.c.account_id)
                .where(calls.c.sid == call_sid, calls.c.recording_path == path)
            ).first()
        if legacy is None:
            return None
        seconds = int(legacy[3] or 0)
        return Recording(
            legacy[0], legacy[1], legacy[2], path, "conversation", "single", "mp3", seconds * 1000
        )
