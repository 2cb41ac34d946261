"""Call tracking (Fone Dynamics): properties, their tracking numbers (Purchase and Configure
Numbers), and tracked calls."""

from __future__ import annotations

from trunkline.domain.client_text import has_control
from trunkline.domain.errors import Conflict, NotFound
from trunkline.domain.tracking.numbers import TrackingNumber
from trunkline.domain.tracking.properties import Property
from trunkline.domain.tracking.query import CallsQuery
from trunkline.domain.tracking.tracked_calls import CallsPage, TrackedCall
from trunkline.engine.clock import wall_ms
from trunkline.engine.tracking.numbers import NumberConfigurator
from trunkline.services.accounts import AccountService
from trunkline.services.store_runner import StoreRunner
from trunkline.store.database import Database
from trunkline.store.flows import FlowStore
from trunkline.store.tracking.call_lists import TrackedCallStore
from trunkline.store.tracking.numbers import TrackingNumberStore
from trunkline.store.tracking.properties import PropertyStore

__all__ = ["CallsPage", "Property", "TrackedCall", "TrackingNumber", "TrackingService"]


class TrackingService:
    def __init__(
        self,
        runner: StoreRunner,
        db: Database,
        accounts: AccountService,
        flows: FlowStore,
    ) -> None:
        self._runner, self._accounts = runner, accounts
        self._properties = PropertyStore(db)
        self._numbers = TrackingNumberStore(db)
        self._calls = TrackedCallStore(db)
        self._configurator = NumberConfigurator(db, self._numbers, flows)

    # --- properties (administration) ---

    def create_property(self, account_sid: str, name: str, sid: str | None, numbers: list[str]) -> Property:
        """A new property with tracking numbers bought into it (E.164). The numbers are checked
        first, so a number another property holds leaves no property behind."""
        account_id = self._accounts.get(account_sid).id
        for number in numbers:
            held = self._numbers.number(account_id, number)
            if held is not None:
                raise Conflict(f"{number} belongs to property {held.property_sid} of this account")
        prop = self._properties.create_property(account_id, name, wall_ms(), sid)
        for number in numbers:
            self._numbers.buy_number(prop, number, None, wall_ms())
        return prop

    def properties(self, account_sid: str) -> list[tuple[Property, list[TrackingNumber]]]:
        """The account's properties, each with its tracking numbers."""
        account_id = self._accounts.get(account_sid).id
        props, numbers = self._properties.properties(account_id), self._numbers.numbers(account_id)
        return [(p, [n for n in numbers if n.property_id == p.id]) for p in props]

    def property_with_numbers(self, account_sid: str, sid: str) -> tuple[Property, list[TrackingNumber]]:
        account_id = self._accounts.get(account_sid).id
        prop = self._properties.property_by_sid(sid)
        if prop is None or prop.account_id != account_id:
            raise NotFound(f"no property {sid} in this account")
        return prop, self._numbers.numbers(account_id, prop.id)

    def delete_property(self, account_sid: str, sid: str) -> bool:
        """Delete it with its tracking numbers and tracking rows (calls and ExoPhones stay)."""
        return self._properties.delete_property(self._accounts.get(account_sid).id, sid)

    # --- the Fone Dynamics API ---

    async def own_property(self, account_id: int, sid: str) -> Property:
        """The account's property; another account's answers like a missing one (no existence leak)."""
        if has_control(sid):
            raise NotFound(f"No property {sid!r}", parameter="PropertySid")
        found = await self._runner.read(self._properties.property_by_sid, sid)
        if found is None or found.account_id != account_id:
            raise NotFound(f"No property {sid}", parameter="PropertySid")
        return found

    async def buy_number(self, prop: Property, number: str, address_sid: str | None) -> TrackingNumber:
        return await self._runner.blocking(self._numbers.buy_number, prop, number, address_sid, wall_ms())

    async def configure_number(self, account_id: int, number: str, params: dict[str, str]) -> TrackingNumber:
        """Apply a Configure Numbers request: settings, generated flow and its assignment at once."""
        return await self._runner.blocking(
            self._configurator.configure, account_id, number, params, wall_ms()
        )

    async def number(self, account_id: int, number: str) -> TrackingNumber | None:
        return await self._runner.read(self._numbers.number, account_id, number)

    async def call(self, account_id: int, sid: str) -> TrackedCall | None:
        return await self._runner.read(self._calls.get_call, account_id, sid)

    async def calls(self, account_id: int, property_id: int | None, query: CallsQuery) -> CallsPage:
        return await self._runner.read(self._calls.list_calls, account_id, property_id, query)
