"""What several server processes sharing one store (PostgreSQL) keep there to behave as one: who is
alive (``server_processes``) and the per-account rate-limit buckets they spend from together
(``rate_buckets``)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Integer, String, Table

from trunkline.store.schema.catalog import metadata

server_processes = Table(
    "server_processes",
    metadata,
    # One row per live server process, written by the process itself: it inserts the row on start,
    # refreshes ``heartbeat_ms`` about every second and deletes the row when it stops. A row whose
    # heartbeat is older than the stated timeout is a dead process's: another one deletes it and
    # takes back its leases. Times are the database server's epoch ms (one clock for every host).
    Column("instance_id", String(64), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_ms", BigInteger, nullable=False),
    Column("heartbeat_ms", BigInteger, nullable=False),
    # The newest sandbox generation (a clock move, a reset, a scenario) the process has taken up:
    # an admin request waits until every live process shows the generation it made.
    Column("generation", BigInteger, nullable=False, default=0),
)

rate_buckets = Table(
    "rate_buckets",
    metadata,
    # The per-account token bucket every process spends from (PostgreSQL only: a lone SQLite process
    # keeps its bucket in memory). Unlogged on PostgreSQL: losing it in a crash refills every bucket,
    # which a rate limit can afford, and no WAL is written for a row updated this often.
    Column("account_sid", String(64), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    # How many tokens the last reservation handed out (read back by the statement that made it).
    Column("granted", Integer, nullable=False, default=0),
)
