"""Call tracking (Fone Dynamics, issue 5; migrations 0009 and 0010): properties, tracking numbers,
a row per tracked call, and the two rollups that answer Get Calls' TotalCount and deep skips."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, SmallInteger, String, Table, Text

from trunkline.store.schema.catalog import ROW_ID, metadata

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
    # only rows with one are listed). Kept in step with ``calls`` by
    # ``store.tracking.observer.TrackingObserver``.
    Column("call_id", ROW_ID, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
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
    # the skipped rows (``store.tracking.call_lists``). Missing values are stored as "".
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
