"""``trunkline flows``, ``trunkline inbound`` and ``trunkline traffic``: flows and inbound traffic,
through the same flow service as the admin API.

Inbound calls and generators started here begin at the running server's network clock: the
engine starts them the next time it looks (within half a second), whatever its clock mode.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
import yaml
from rich.console import Console

from trunkline.cli.common import AccountArg, DatabaseUrlOption, fail, print_table, services_of
from trunkline.domain.errors import TrunklineError
from trunkline.domain.flows.definition import parse_flow
from trunkline.domain.traffic.generator import caller_number

if TYPE_CHECKING:
    from trunkline.services.flows import FlowService

flows_app = typer.Typer(help="Call flows (applets) of an account, and the ExoPhones they answer.")
inbound_app = typer.Typer(help="Inbound calls from the simulated network to an account's ExoPhones.")
traffic_app = typer.Typer(help="Inbound traffic generators.")
console = Console()


def read_document(path: Path) -> Any:
    """A JSON or YAML file (by its extension; YAML also reads JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
        return orjson.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise fail(f"cannot read {path}: {str(exc).splitlines()[0]}") from None


@flows_app.command("set")
def set_flow(
    account_sid: AccountArg,
    app_id: Annotated[str, typer.Argument(help="The flow's app id, as in start_voice/<app_id>.")],
    path: Annotated[Path, typer.Argument(help="The flow as a JSON or YAML file (docs/flows.md).")],
    database_url: DatabaseUrlOption = None,
) -> None:
    """Validate and store a flow (create or replace)."""
    services = services_of(database_url)
    try:
        services.accounts.get(account_sid)
        flow = parse_flow(app_id, read_document(path))
        created, _ = services.flows.put(account_sid, flow)
    except TrunklineError as exc:
        raise fail(exc.message) from None
    console.print(f"{'Created' if created else 'Replaced'} flow {app_id} ({len(flow.applets)} applets).")


@flows_app.command("show")
def show_flow(account_sid: AccountArg, app_id: str, database_url: DatabaseUrlOption = None) -> None:
    """Print a flow as stored."""
    try:
        stored = services_of(database_url).flows.get(account_sid, app_id)
    except TrunklineError as exc:
        raise fail(exc.message) from None
    if stored is None:
        raise fail(f"no flow {app_id} in account {account_sid}")
    console.print_json(data={"app_id": stored.app_id, "exophones": stored.exophones, **stored.document})


@flows_app.command("list")
def list_flows(account_sid: AccountArg, database_url: DatabaseUrlOption = None) -> None:
    """The account's flows and the ExoPhones each answers."""
    try:
        flows = services_of(database_url).flows.of_account(account_sid)
    except TrunklineError as exc:
        raise fail(exc.message) from None
    print_table(
        ("app_id", "name", "applets", "ExoPhones"),
        (
            (stored.app_id, stored.name, str(len(stored.document["applets"])), ", ".join(stored.exophones))
            for stored in flows
        ),
        ids=("app_id",),
    )


@flows_app.command("delete")
def delete_flow(account_sid: AccountArg, app_id: str, database_url: DatabaseUrlOption = None) -> None:
    """Delete a flow that no ExoPhone answers with."""
    try:
        deleted = services_of(database_url).flows.delete(account_sid, app_id)
    except TrunklineError as exc:
        raise fail(exc.message) from None
    if not deleted:
        raise fail(f"no flow {app_id} in account {account_sid}")
    console.print(f"Deleted flow {app_id}.")


@flows_app.command("assign")
def assign_flow(
    account_sid: AccountArg,
    exophone: Annotated[str, typer.Argument(help="One of the account's ExoPhones.")],
    app_id: Annotated[
        str | None, typer.Argument(help="The flow to answer its calls with; omit to unassign.")
    ] = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Make an ExoPhone answer inbound calls with a flow."""
    services = services_of(database_url)
    try:
        services.accounts.get(account_sid)
        number = caller_number(exophone, "exophone")
        services.flows.assign(account_sid, number, app_id)
    except TrunklineError as exc:
        raise fail(exc.message) from None
    console.print(f"{number} answers with {app_id or 'no flow'}.")


def _start(flows: FlowService, account_sid: str, document: dict[str, Any]) -> int:
    try:
        return flows.start_traffic(account_sid, document).id
    except TrunklineError as exc:
        raise fail(exc.message) from None


@inbound_app.command("call")
def inbound_call(
    account_sid: AccountArg,
    from_number: Annotated[str, typer.Option("--from", help="The caller's number.")],
    to: Annotated[str, typer.Option("--to", help="The ExoPhone called (it must have a flow).")],
    database_url: DatabaseUrlOption = None,
) -> None:
    """Place one inbound call (a generator of one call, so it starts on the server's clock)."""
    document = {"exophones": [to], "numbers": [from_number], "rate_per_minute": 60, "count": 1}
    generator_id = _start(services_of(database_url).flows, account_sid, document)
    console.print(f"Inbound call queued (generator {generator_id}); the running server places it.")


@traffic_app.command("start")
def start_traffic(
    account_sid: AccountArg,
    exophone: Annotated[list[str], typer.Option("--exophone", help="An ExoPhone to call (repeat for more).")],
    rate: Annotated[float, typer.Option("--rate", help="Calls per minute.")],
    count: Annotated[int | None, typer.Option("--count", help="Stop after this many calls.")] = None,
    duration: Annotated[int | None, typer.Option("--duration", help="Stop after this many seconds.")] = None,
    arrival: Annotated[str, typer.Option("--arrival", help="poisson or uniform.")] = "poisson",
    callers: Annotated[int, typer.Option("--callers", help="Distinct customers calling.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same calls.")] = 0,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Start a traffic generator."""
    document: dict[str, Any] = {"exophones": exophone, "rate_per_minute": rate, "arrival": arrival}
    document |= {"callers": callers, "seed": seed}
    if count is not None:
        document["count"] = count
    if duration is not None:
        document["duration_seconds"] = duration
    generator_id = _start(services_of(database_url).flows, account_sid, document)
    console.print_json(data={"id": generator_id, "state": "running"})


@traffic_app.command("list")
def list_traffic(account_sid: AccountArg, database_url: DatabaseUrlOption = None) -> None:
    """The account's generators and their progress."""
    try:
        generators = services_of(database_url).flows.traffic(account_sid)
    except TrunklineError as exc:
        raise fail(exc.message) from None
    rows = []
    for generator in generators:
        spec = generator.spec
        until = f"{spec['count']} calls" if spec.get("count") else f"{spec.get('duration_seconds')} s"
        rows.append(
            (str(generator.id), generator.state, str(generator.placed), f"{spec['rate_per_minute']:g}", until)
        )
    print_table(("id", "state", "placed", "rate/min", "until"), rows, ids=("id",))


@traffic_app.command("stop")
def stop_traffic(generator_id: int, database_url: DatabaseUrlOption = None) -> None:
    """Stop a generator; calls already placed go on."""
    if not services_of(database_url).flows.stop_traffic(generator_id):
        raise fail(f"no running traffic generator {generator_id}")
    console.print(f"Stopped generator {generator_id}.")
