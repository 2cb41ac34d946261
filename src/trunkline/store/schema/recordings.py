"""What each recording file must be."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from trunkline.store.schema.catalog import ROW_ID, metadata

recordings = Table(
    "recordings",
    metadata,
    # One row per recording a call made: what the audio file must be (its length, channels and
    # format). The file itself is rendered from this row and kept under the recordings directory.
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("call_id", ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("path", String(300), nullable=False),
    Column("kind", String(16), nullable=False),  # conversation | voicemail
    Column("channels", String(8), nullable=False),  # single | dual
    Column("format", String(8), nullable=False),  # mp3 | mp3-hq
    Column("duration_ms", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_recordings_call", "call_id"),
    UniqueConstraint("path", name="uq_recordings_path"),
)
