"""Clearing what an account set up in the sandbox, for the sandbox's full reset.

A test suite that shares one server between tests (the pytest plugin) needs each test to start from
a clean account: not only without calls (``CallWrites.purge``), but without the flows, agents,
call-tracking properties and traffic generators an earlier test made. Those rows live in several
features' tables; deleting them in one transaction here keeps the reset all-or-nothing, and keeps
each feature's store free of a "delete everything" door that only the sandbox uses.

The account itself, its credentials and its ExoPhones stay (numbers bought into a property stay
ExoPhones, as when a property is deleted), with no flow answering them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, update

from trunkline.store.database import Database
from trunkline.store.schema.accounts import exophones
from trunkline.store.schema.agents import agents
from trunkline.store.schema.flows import flows
from trunkline.store.schema.tracking import (
    tracked_call_counts,
    tracked_call_summary,
    tracking_numbers,
    tracking_properties,
)
from trunkline.store.schema.traffic import traffic_generators
from trunkline.store.schema.webhooks import webhook_deliveries


@dataclass(frozen=True, slots=True)
class ClearedSetup:
    """How many of each were deleted."""

    flows: int
    agents: int
    properties: int
    generators: int
    webhook_deliveries: int


def clear_account_setup(db: Database, account_id: int) -> ClearedSetup:
    """Delete one account's flows (unassigning its ExoPhones), agents, properties with their tracking
    numbers, traffic generators and any webhook delivery left without a call. Run after the account's
    calls are purged, so no tracked call still points at a property."""
    with db.write() as conn:
        conn.execute(update(exophones).where(exophones.c.account_id == account_id).values(flow_app_id=None))
        flow_count = conn.execute(delete(flows).where(flows.c.account_id == account_id)).rowcount
        agent_count = conn.execute(delete(agents).where(agents.c.account_id == account_id)).rowcount
        for rollup in (tracked_call_counts, tracked_call_summary):
            conn.execute(delete(rollup).where(rollup.c.account_id == account_id))
        conn.execute(delete(tracking_numbers).where(tracking_numbers.c.account_id == account_id))
        property_count = conn.execute(
            delete(tracking_properties).where(tracking_properties.c.account_id == account_id)
        ).rowcount
        generator_count = conn.execute(
            delete(traffic_generators).where(traffic_generators.c.account_id == account_id)
        ).rowcount
        delivery_count = conn.execute(
            delete(webhook_deliveries).where(webhook_deliveries.c.account_id == account_id)
        ).rowcount
    return ClearedSetup(
        int(flow_count), int(agent_count), int(property_count), int(generator_count), int(delivery_count)
    )
