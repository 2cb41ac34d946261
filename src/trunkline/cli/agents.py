"""``trunkline agents``: an account's agents (CCM v2 users), through the same agent service as the
admin API ``/admin/accounts/<sid>/users``. A running server sees changes at once."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer

from trunkline.cli.common import AccountArg, DatabaseUrlOption, fail, print_table, services_of
from trunkline.domain.agents.model import DEVICE_STATES
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.errors import TrunklineError
from trunkline.services.agents import Agent

agents_app = typer.Typer(
    help="Agents (CCM v2 users) an agent-to-customer call rings first.", no_args_is_help=True
)

UserArg = Annotated[str, typer.Argument(help="The agent's user_id.")]
_STATES = "/".join(DEVICE_STATES)


def _print(agent: Agent) -> None:
    document = {
        "user_id": agent.user_id,
        "name": agent.name,
        "contact_uri": agent.contact_uri,
        "device_state": agent.device_state,
    }
    typer.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())


@agents_app.command("add")
def add(
    account_sid: AccountArg,
    name: Annotated[str, typer.Option("--name", help="The agent's name.")],
    contact_uri: Annotated[str, typer.Option("--contact-uri", help="Phone number or sip: URI rung first.")],
    user_id: Annotated[str | None, typer.Option("--user-id", help="Generated (a UUID) when omitted.")] = None,
    device_state: Annotated[str, typer.Option("--device-state", help=_STATES)] = "on",
    database_url: DatabaseUrlOption = None,
) -> None:
    """Add an agent and print it as JSON."""
    agents = services_of(database_url).agents
    try:
        agent = agents.create(
            account_sid, user_id=user_id, name=name, contact_uri=contact_uri, device_state=device_state
        )
    except TrunklineError as exc:
        raise fail(exc.message) from None
    _print(agent)


@agents_app.command("list")
def list_agents(account_sid: AccountArg, database_url: DatabaseUrlOption = None) -> None:
    """The account's agents, as a table."""
    try:
        agents = services_of(database_url).agents.list(account_sid)
    except TrunklineError as exc:
        raise fail(exc.message) from None
    print_table(
        ("user_id", "name", "contact_uri", "device", "updated (IST)"),
        (
            (agent.user_id, agent.name, agent.contact_uri, agent.device_state, ms_to_ist(agent.updated_at))
            for agent in agents
        ),
        ids=("user_id",),
        title=f"Agents of {account_sid}",
    )


@agents_app.command("set")
def set_agent(
    account_sid: AccountArg,
    user_id: UserArg,
    name: Annotated[str | None, typer.Option("--name")] = None,
    contact_uri: Annotated[str | None, typer.Option("--contact-uri")] = None,
    device_state: Annotated[str | None, typer.Option("--device-state", help=_STATES)] = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Change an agent's name, contact URI or device state."""
    try:
        agent = services_of(database_url).agents.update(
            account_sid,
            user_id,
            name=name,
            contact_uri=contact_uri,
            device_state=device_state,
            nothing_given="give at least one of --name, --contact-uri, --device-state",
        )
    except TrunklineError as exc:
        raise fail(exc.message) from None
    _print(agent)


@agents_app.command("remove")
def remove(account_sid: AccountArg, user_id: UserArg, database_url: DatabaseUrlOption = None) -> None:
    """Remove an agent (its past calls keep its user_id)."""
    try:
        deleted = services_of(database_url).agents.delete(account_sid, user_id)
    except TrunklineError as exc:
        raise fail(exc.message) from None
    if not deleted:
        raise fail(f"no user {user_id}")
    typer.echo(f"removed {user_id}")
