"""Tables of the call store (SQLAlchemy Core). Changes go through an Alembic migration too.

Times are UTC epoch milliseconds (BIGINT) and numbers E.164, so SQLite and PostgreSQL compare
them identically and every dialect formats them its own way.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sid", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False, default=""),
    Column("created_at", BigInteger, nullable=False),
)

api_credentials = Table(
    "api_credentials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("api_key", String(128), nullable=False, unique=True),
    Column("token_hash", String(200), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

exophones = Table(
    "exophones",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("number", String(32), primary_key=True),
    Column("flow_app_id", String(64)),  # the flow that answers inbound calls to this number
)

_COVERED = ("status", "direction", "duration", "price_micros")

calls = Table(
    "calls",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("sid", String(64), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("parent_call_sid", String(64)),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Column("from_number", String(128), nullable=False),
    Column("to_number", String(128)),
    Column("phone_number", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("start_time", BigInteger),
    Column("end_time", BigInteger),
    Column("duration", Integer),
    Column("price_micros", BigInteger),
    Column("answered_by", String(16)),
    Column("forwarded_from", String(128)),
    Column("caller_name", String(200)),
    Column("recording_path", String(300)),
    Column("conversation_duration", Integer),
    Column("custom_field", String(128)),
    Column("flow_app_id", String(64)),  # the flow (app_id) the call ran, if any
    Column("ivr_keys", String(64)),  # IVR keys pressed, in order, comma-joined (Fone's Prompts_Keys)
    # The bulk list walks this index in (date_created, sid) order for one account; the trailing
    # columns let it count and filter Status/Direction/Duration/Price without touching the table.
    Index(
        "ix_calls_account_created",
        "account_id",
        "date_created",
        "sid",
        "status",
        "direction",
        "duration",
        "price_micros",
    ),
    # One per number filter, covering the same columns, so counting one customer's calls never
    # reads the table (migration 0003).
    *(
        Index(f"ix_calls_account_{name}", "account_id", column, "date_created", "sid", *_COVERED)
        for name, column in (("to", "to_number"), ("from", "from_number"), ("phone", "phone_number"))
    ),
    # Exact counts of a Duration bucket that a filter cuts through (``store.call_value_counts``): one
    # seek per second, then the window's dates, never reading the table (migration 0006).
    Index(
        "ix_calls_account_duration",
        "account_id",
        "duration",
        "date_created",
        "status",
        "direction",
        "price_micros",
        "phone_number",
    ),
)

call_legs = Table(
    "call_legs",
    metadata,
    Column(
        "call_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("calls.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("leg_id", Integer, primary_key=True),
    Column("number", String(128)),
    Column("status", String(16)),
    Column("on_call_duration", Integer, nullable=False, default=0),
    Column("answered_by", String(16)),
)

call_counts = Table(
    "call_counts",
    metadata,
    # Final calls per account, period, status, direction and ExoPhone: the bulk list's Total sums whole
    # periods from here (hours, UTC days and eight-day blocks: ``store.rollup_periods``) and counts only
    # the minutes at the window's ends in ``calls``. Kept by ``store.call_counts`` (``add`` on insert,
    # ``rebuild`` after bulk loads); calls before 1970 are left out.
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("period_ms", BigInteger, primary_key=True),
    Column("period_start", BigInteger, primary_key=True),
    Column("status", String(16), primary_key=True),
    Column("direction", String(16), primary_key=True),
    Column("phone_number", String(32), primary_key=True),
    Column("calls", BigInteger, nullable=False),
)

call_value_counts = Table(
    "call_value_counts",
    metadata,
    # ``call_counts`` split further by Duration bucket and exact Price, so a Duration/Price filter over a
    # month sums a few thousand rows (``store.call_value_counts``). ``settled``: bit 1 when Duration is
    # known, bit 2 when Price is; an unknown value is stored as 0 and never matched by a filter on it.
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("period_ms", BigInteger, primary_key=True),
    Column("period_start", BigInteger, primary_key=True),
    Column("status", String(16), primary_key=True),
    Column("direction", String(16), primary_key=True),
    Column("phone_number", String(32), primary_key=True),
    Column("settled", SmallInteger, primary_key=True),
    Column("duration_from", BigInteger, primary_key=True),
    Column("price_micros", BigInteger, primary_key=True),
    Column("calls", BigInteger, nullable=False),
    # SQLite: the rows live in the primary key's b-tree, so summing a month reads no second structure.
    sqlite_with_rowid=False,
)

mobile_series = Table(
    "mobile_series",
    metadata,
    Column("prefix", String(8), primary_key=True),
    Column("operator_code", String(4), nullable=False),
    Column("circle_code", String(4), nullable=False),
    Column("source", String(200), nullable=False, default=""),
)

dnd_registry = Table(
    "dnd_registry",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("dnd", Boolean, nullable=False),
    Column("categories", String(100), nullable=False, default=""),
    Column("source", String(200), nullable=False, default=""),
    Column("updated_at", BigInteger, nullable=False),
)


_ROW_ID = BigInteger().with_variant(Integer, "sqlite")

call_runs = Table(
    "call_runs",
    metadata,
    # The engine's durable state of a call it drives: the state machine (JSON, ``domain.calls.lifecycle``)
    # with its pending timers, and the earliest of them, which the engine polls on. NULL once the call
    # has nothing left to do. The row outlives the call, so the request it was made with stays readable.
    Column("call_id", _ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("next_due_at", BigInteger),
    Column("state", Text, nullable=False),
    Index("ix_call_runs_due", "next_due_at"),
)

call_events = Table(
    "call_events",
    metadata,
    # Every transition of a call with its (network clock) time: the admin events feed.
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("call_id", _ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("name", String(40), nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_call_events_call", "call_id", "id"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    # The outbox of status callbacks: one row per webhook to deliver, written in the transaction that
    # produced it, so a crash can delay a callback but never lose it. Times are wall-clock epoch ms:
    # retries wait real time even under a virtual network clock.
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("call_id", _ROW_ID, ForeignKey("calls.id", ondelete="CASCADE")),
    Column("event", String(32), nullable=False),
    Column("url", Text, nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", BigInteger),
    Column("created_at", BigInteger, nullable=False),
    Column("last_response_status", Integer),
    Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
    Index("ix_webhook_deliveries_call", "call_id"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    # Every delivery attempt: when, how long, what came back (status and the start of the body) or why not.
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("delivery_id", _ROW_ID, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False),
    Column("attempted_at", BigInteger, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("response_status", Integer),
    Column("response_excerpt", Text, nullable=False, default=""),
    Column("error", Text),
    Index("ix_webhook_attempts_delivery", "delivery_id", "id"),
)

flows = Table(
    "flows",
    metadata,
    # A call flow (Exotel's "app"): its applets as validated JSON (``domain.flows.definition``).
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("app_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("definition", Text, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

traffic_generators = Table(
    "traffic_generators",
    metadata,
    # Inbound traffic from the simulated network: the spec (JSON), how many calls it placed, and
    # when (network clock) the next one arrives; NULL once it has finished or was stopped.
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("spec", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("next_at", BigInteger),
    Column("placed", Integer, nullable=False, default=0),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_traffic_generators_due", "next_at"),
)

flow_requests = Table(
    "flow_requests",
    metadata,
    # The outbox of HTTP requests a flow makes (Passthru): written with the step that asked for it,
    # done by a worker, and kept as the log of what was asked and what came back.
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("call_id", _ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("applet", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("params", Text, nullable=False),
    Column("requested_at", BigInteger, nullable=False),  # network clock
    Column("timeout_ms", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # pending | done
    Column("lease_until", BigInteger),  # wall clock
    Column("response_status", Integer),
    Column("error", Text),
    Column("duration_ms", Integer),
    Index("ix_flow_requests_due", "state", "lease_until"),
    Index("ix_flow_requests_call", "call_id"),
)

recordings = Table(
    "recordings",
    metadata,
    # One row per recording a call made: what the audio file must be (its length, channels and
    # format). The file itself is rendered from this row and kept under the recordings directory.
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("call_id", _ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False),
    Column("path", String(300), nullable=False),
    Column("kind", String(16), nullable=False),  # conversation | voicemail
    Column("channels", String(8), nullable=False),  # single | dual
    Column("format", String(8), nullable=False),  # mp3 | mp3-hq
    Column("duration_ms", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_recordings_call", "call_id"),
    UniqueConstraint("path", name="uq_recordings_path"),
)

agents = Table(
    "agents",
    metadata,
    # An account's agents (CCM v2 "users"): a CCM call rings the agent's device first, then the
    # customer. ``contact_uri`` is a number (E.164) or a ``sip:`` URI; ``device_state`` is on, off,
    # busy or unverified.
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("contact_uri", String(128), nullable=False),
    Column("device_state", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    UniqueConstraint("account_id", "contact_uri", name="uq_agents_contact_uri"),
)


agent_calls = Table(
    "agent_calls",
    metadata,
    # Which agent a CCM call rang first, written with the call (a ``CallRunStore`` observer). Keeps
    # the user_id the call was placed for even if the agent is later edited or removed, and answers
    # "has this agent a live call?" by joining the agent's calls to their status.
    Column("call_id", _ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", Integer, nullable=False),
    Column("call_sid", String(64), nullable=False, unique=True),
    Column("user_id", String(64), nullable=False),
    Index("ix_agent_calls_user", "account_id", "user_id"),
)


# --- Call tracking (Fone Dynamics, issue 5; migration 0009) ---

tracking_properties = Table(
    "tracking_properties",
    metadata,
    # A property (a website or business line) of an account: tracking numbers and their calls belong to one.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("sid", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_tracking_properties_account", "account_id", "id"),
)

tracking_numbers = Table(
    "tracking_numbers",
    metadata,
    # An ExoPhone bought into a property (``exophones`` holds the same number, so the inbound machinery
    # rings it), with its configuration: attribution, routing, SMS/email notifications.
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("number", String(32), primary_key=True),
    Column("property_id", Integer, ForeignKey("tracking_properties.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("friendly", String(200)),
    Column("address_sid", String(64)),
    Column("attribution_source", String(200)),
    Column("attribution_medium", String(200)),
    Column("attribution_campaign", String(200)),
    Column("attribution_content", String(200)),
    Column("routing_method", String(16)),
    Column("endpoint_number", String(32)),
    Column("flow", String(64)),
    Column("recording", String(8), nullable=False, default="Off"),
    Column("send_sms_from", String(32)),
    Column("send_sms_to", String(200)),
    Column("send_email_from", String(200)),
    Column("send_email_to", String(500)),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Index("ix_tracking_numbers_property", "property_id", "number"),
)

_TRACKED_TAIL = ("disposition", "to_number")
"""Filter columns the list indexes carry, so the common filters never read the table."""

tracked_calls = Table(
    "tracked_calls",
    metadata,
    # One row per inbound call to a tracking number, denormalised for Fone's Get Calls: what the call
    # was attributed to when it was placed, the caller's geography, whether the caller had called the
    # property before (``is_repeat``), and the outcome (``disposition`` NULL until the call has ended;
    # only rows with one are listed). Kept in step with ``calls`` by ``store.tracking.TrackingObserver``.
    Column("call_id", _ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("property_id", Integer, ForeignKey("tracking_properties.id", ondelete="CASCADE"), nullable=False),
    Column("call_sid", String(64), nullable=False),
    Column("date_start", BigInteger, nullable=False),
    Column("from_number", String(128), nullable=False),
    Column("to_number", String(32), nullable=False),
    Column("to_friendly", String(200)),
    Column("endpoint", String(128)),
    Column("disposition", String(16)),
    Column("duration", Integer),
    Column("is_repeat", SmallInteger, nullable=False),
    Column("attribution_source", String(200)),
    Column("attribution_medium", String(200)),
    Column("attribution_campaign", String(200)),
    Column("attribution_content", String(200)),
    Column("session_traffic_type", String(16)),
    Column("session_keywords", String(200)),
    Column("session_landing_uri", String(500)),
    Column("session_conversion_uri", String(500)),
    Column("ga_client_id", String(64)),
    Column("ads_click_id", String(128)),
    Column("from_country", String(4)),
    Column("from_region", String(100)),
    Column("from_city", String(100)),
    Column("prompts_keys", String(64)),
    Column("recording_path", String(300)),
    Column("call_type", String(64)),
    Column("notes", Text),
    Column("survey_type", String(64)),
    Column("survey_value", String(64)),
    Column("survey_custom1", String(200)),
    Column("survey_custom2", String(200)),
    Column("survey_custom3", String(200)),
    Column("survey_unique_code", String(64)),
    # The lists walk one of these in (date_start, call_id) order; Unique=Unique|Repeat has its own pair
    # with ``is_repeat`` ahead of the date, so either answer is a contiguous range of the index.
    Index("ix_tracked_calls_account", "account_id", "date_start", "call_id", *_TRACKED_TAIL),
    Index(
        "ix_tracked_calls_account_repeat", "account_id", "is_repeat", "date_start", "call_id", *_TRACKED_TAIL
    ),
    Index("ix_tracked_calls_property", "property_id", "date_start", "call_id", *_TRACKED_TAIL),
    Index(
        "ix_tracked_calls_property_repeat",
        "property_id",
        "is_repeat",
        "date_start",
        "call_id",
        *_TRACKED_TAIL,
    ),
    # Has this caller called the property before? One seek when a call is placed.
    Index("ix_tracked_calls_caller", "property_id", "from_number", "date_start"),
    Index("ix_tracked_calls_sid", "call_sid"),
)

tracked_call_counts = Table(
    "tracked_call_counts",
    metadata,
    # Listed (ended) tracked calls per account, UTC day and every filter value a rollup can hold: Get
    # Calls' TotalCount sums it, and a deep Results_Skip finds the day it lands in here instead of walking
    # the skipped rows (``store.tracking``). Missing values are stored as "".
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("day_start", BigInteger, primary_key=True),
    Column("property_id", Integer, primary_key=True),
    Column("to_number", String(32), primary_key=True),
    Column("disposition", String(16), primary_key=True),
    Column("is_repeat", SmallInteger, primary_key=True),
    Column("endpoint", String(128), primary_key=True),
    Column("attribution_source", String(200), primary_key=True),
    Column("attribution_medium", String(200), primary_key=True),
    Column("attribution_campaign", String(200), primary_key=True),
    Column("attribution_content", String(200), primary_key=True),
    Column("calls", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

tracked_call_summary = Table(
    "tracked_call_summary",
    metadata,
    # Listed tracked calls by the filters most lists use (property, Unique, Disposition, the IVR key path;
    # "" when no key was pressed), per hour and per UTC day (``period_ms``): a month's TotalCount sums a
    # few hundred day rows instead of thousands, Prompts_keys is answered without reading the calls, and
    # a deep Results_Skip finds the hour it lands in, so it walks at most an hour of rows.
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("period_ms", BigInteger, primary_key=True),
    Column("period_start", BigInteger, primary_key=True),
    Column("property_id", Integer, primary_key=True),
    Column("is_repeat", SmallInteger, primary_key=True),
    Column("disposition", String(16), primary_key=True),
    Column("prompts_keys", String(64), primary_key=True),
    Column("calls", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)
