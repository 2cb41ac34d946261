"""CCM agents (v2 "users"): the people a CCM call rings first. One path creates, changes and removes
them, whether the admin API or the CLI asks."""

from __future__ import annotations

from trunkline.domain.agents.model import (
    Agent,
    AgentChanges,
    check_device_state,
    check_name,
    check_user_id,
    new_user_id,
    normalise_contact_uri,
)
from trunkline.domain.errors import InvalidParameter
from trunkline.engine.clock import wall_ms
from trunkline.services.accounts import AccountService
from trunkline.store.agents import AgentStore

__all__ = ["Agent", "AgentService"]


class AgentService:
    def __init__(self, accounts: AccountService, store: AgentStore) -> None:
        self._accounts, self._store = accounts, store

    def create(
        self, account_sid: str, *, user_id: str | None, name: str, contact_uri: str, device_state: str
    ) -> Agent:
        """A new agent of the account, every field checked; a UUID user_id when none is given.
        A duplicate user_id or contact URI is a ``Conflict``."""
        account = self._accounts.get(account_sid)
        now = wall_ms()
        agent = Agent(
            user_id=check_user_id(user_id) if user_id is not None else new_user_id(),
            name=check_name(name),
            contact_uri=normalise_contact_uri(contact_uri),
            device_state=check_device_state(device_state),
            created_at=now,
            updated_at=now,
        )
        return self._store.create(account.id, agent)

    def list(self, account_sid: str) -> list[Agent]:
        return self._store.list(self._accounts.get(account_sid).id)

    def get(self, account_sid: str, user_id: str) -> Agent | None:
        return self._store.get(self._accounts.get(account_sid).id, user_id)

    def update(
        self,
        account_sid: str,
        user_id: str,
        *,
        name: str | None = None,
        contact_uri: str | None = None,
        device_state: str | None = None,
        nothing_given: str = "give at least one of name, contact_uri, device_state",
    ) -> Agent:
        """Change the fields given (at least one: else ``InvalidParameter(nothing_given)``)."""
        account = self._accounts.get(account_sid)
        changes = AgentChanges(
            name=check_name(name) if name is not None else None,
            contact_uri=normalise_contact_uri(contact_uri) if contact_uri is not None else None,
            device_state=check_device_state(device_state) if device_state is not None else None,
        )
        if changes == AgentChanges():
            raise InvalidParameter(nothing_given)
        return self._store.update(account.id, user_id, changes, wall_ms())

    def delete(self, account_sid: str, user_id: str) -> bool:
        return self._store.delete(self._accounts.get(account_sid).id, user_id)
