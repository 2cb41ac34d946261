"""Where each ``trunkline sync`` of an account from a source stands (docs/archive.md)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table, UniqueConstraint

from trunkline.store.schema.catalog import metadata

sync_state = Table(
    "sync_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The local account the calls go into, and the source account they come from.
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("source_url", String(500), nullable=False),
    Column("source_account", String(64), nullable=False),
    # A run in progress (NULL when the last one finished): the DateCreated window being walked, and
    # the NextPageUri of the page to fetch next in it (NULL: its first page). Written in the
    # transaction of each page's calls, so a killed run resumes at the page after the last stored.
    Column("window_start", BigInteger),
    Column("window_end", BigInteger),
    Column("next_page", String(4000)),
    # The newest DateCreated stored from this source: a later run starts a look-back before it.
    Column("newest_ms", BigInteger),
    Column("finished_at", BigInteger),
    UniqueConstraint("account_id", "source_url", "source_account", name="uq_sync_state_source"),
)
