"""Call tracking (Fone Dynamics Get Calls): properties, tracking numbers, a row per tracked call and
its per-day rollup.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tracking_properties",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sid"),
    )
    op.create_index("ix_tracking_properties_account", "tracking_properties", ["account_id", "id"])
    op.create_table(
        "tracking_numbers",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("friendly", sa.String(length=200), nullable=True),
        sa.Column("address_sid", sa.String(length=64), nullable=True),
        sa.Column("attribution_source", sa.String(length=200), nullable=True),
        sa.Column("attribution_medium", sa.String(length=200), nullable=True),
        sa.Column("attribution_campaign", sa.String(length=200), nullable=True),
        sa.Column("attribution_content", sa.String(length=200), nullable=True),
        sa.Column("routing_method", sa.String(length=16), nullable=True),
        sa.Column("endpoint_number", sa.String(length=32), nullable=True),
        sa.Column("flow", sa.String(length=64), nullable=True),
        sa.Column("recording", sa.String(length=8), nullable=False),
        sa.Column("send_sms_from", sa.String(length=32), nullable=True),
        sa.Column("send_sms_to", sa.String(length=200), nullable=True),
        sa.Column("send_email_from", sa.String(length=200), nullable=True),
        sa.Column("send_email_to", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["property_id"], ["tracking_properties.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "number"),
    )
    op.create_index("ix_tracking_numbers_property", "tracking_numbers", ["property_id", "number"])
    op.create_table(
        "tracked_calls",
        sa.Column("call_id", ROW_ID, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("date_start", sa.BigInteger(), nullable=False),
        sa.Column("from_number", sa.String(length=128), nullable=False),
        sa.Column("to_number", sa.String(length=32), nullable=False),
        sa.Column("to_friendly", sa.String(length=200), nullable=True),
        sa.Column("endpoint", sa.String(length=128), nullable=True),
        sa.Column("disposition", sa.String(length=16), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("is_repeat", sa.SmallInteger(), nullable=False),
        sa.Column("attribution_source", sa.String(length=200), nullable=True),
        sa.Column("attribution_medium", sa.String(length=200), nullable=True),
        sa.Column("attribution_campaign", sa.String(length=200), nullable=True),
        sa.Column("attribution_content", sa.String(length=200), nullable=True),
        sa.Column("session_traffic_type", sa.String(length=16), nullable=True),
        sa.Column("session_keywords", sa.String(length=200), nullable=True),
        sa.Column("session_landing_uri", sa.String(length=500), nullable=True),
        sa.Column("session_conversion_uri", sa.String(length=500), nullable=True),
        sa.Column("ga_client_id", sa.String(length=64), nullable=True),
        sa.Column("ads_click_id", sa.String(length=128), nullable=True),
        sa.Column("from_country", sa.String(length=4), nullable=True),
        sa.Column("from_region", sa.String(length=100), nullable=True),
        sa.Column("from_city", sa.String(length=100), nullable=True),
        sa.Column("prompts_keys", sa.String(length=64), nullable=True),
        sa.Column("recording_path", sa.String(length=300), nullable=True),
        sa.Column("call_type", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("survey_type", sa.String(length=64), nullable=True),
        sa.Column("survey_value", sa.String(length=64), nullable=True),
        sa.Column("survey_custom1", sa.String(length=200), nullable=True),
        sa.Column("survey_custom2", sa.String(length=200), nullable=True),
        sa.Column("survey_custom3", sa.String(length=200), nullable=True),
        sa.Column("survey_unique_code", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["property_id"], ["tracking_properties.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("call_id"),
    )
    op.create_index(
        "ix_tracked_calls_account_repeat",
        "tracked_calls",
        ["account_id", "is_repeat", "date_start", "call_id", "disposition", "to_number"],
    )
    op.create_index(
        "ix_tracked_calls_account",
        "tracked_calls",
        ["account_id", "date_start", "call_id", "disposition", "to_number"],
    )
    op.create_index("ix_tracked_calls_caller", "tracked_calls", ["property_id", "from_number", "date_start"])
    op.create_index(
        "ix_tracked_calls_property",
        "tracked_calls",
        ["property_id", "date_start", "call_id", "disposition", "to_number"],
    )
    op.create_index("ix_tracked_calls_sid", "tracked_calls", ["call_sid"])
    op.create_index(
        "ix_tracked_calls_property_repeat",
        "tracked_calls",
        ["property_id", "is_repeat", "date_start", "call_id", "disposition", "to_number"],
    )
    op.create_table(
        "tracked_call_counts",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day_start", sa.BigInteger(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("to_number", sa.String(length=32), nullable=False),
        sa.Column("disposition", sa.String(length=16), nullable=False),
        sa.Column("is_repeat", sa.SmallInteger(), nullable=False),
        sa.Column("endpoint", sa.String(length=128), nullable=False),
        sa.Column("attribution_source", sa.String(length=200), nullable=False),
        sa.Column("attribution_medium", sa.String(length=200), nullable=False),
        sa.Column("attribution_campaign", sa.String(length=200), nullable=False),
        sa.Column("attribution_content", sa.String(length=200), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "account_id",
            "day_start",
            "property_id",
            "to_number",
            "disposition",
            "is_repeat",
            "endpoint",
            "attribution_source",
            "attribution_medium",
            "attribution_campaign",
            "attribution_content",
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for table in ("tracked_call_counts", "tracked_calls", "tracking_numbers", "tracking_properties"):
        op.drop_table(table)
