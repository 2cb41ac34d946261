"""``trunkline clock`` and ``trunkline scenario``: sandbox controls that act on the stored clock and
scenario (``StoredSandbox``).

A running server picks the change up within half a second (its engine re-reads both on every
tick), and a stopped one on its next start: advancing the virtual clock while the server is down
makes every timer that fell due meanwhile fire when it comes back, in order.
"""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.console import Console

from trunkline.cli.common import DatabaseUrlOption, services_of
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.errors import InvalidParameter
from trunkline.engine.clock import MAX_ADVANCE_MS

clock_app = typer.Typer(help="The virtual network clock (servers started with --clock virtual).")
scenario_app = typer.Typer(help="Scenario rules of the simulated network.")
console = Console()


@clock_app.command("show")
def show_clock(database_url: DatabaseUrlOption = None) -> None:
    """Print the stored virtual clock."""
    value = services_of(database_url).sandbox.clock_ms()
    if value is None:
        console.print("The virtual clock has not been started (no server ran with --clock virtual).")
        return
    console.print_json(data={"now_ms": value, "now_ist": ms_to_ist(value)})


@clock_app.command("advance")
def advance_clock(
    seconds: Annotated[float, typer.Argument(help="How far to move the virtual clock, in seconds.")],
    database_url: DatabaseUrlOption = None,
) -> None:
    """Move the virtual clock forward; calls whose timers fall due run on the server."""
    ms = int(seconds * 1000)
    if ms <= 0 or ms > MAX_ADVANCE_MS:
        console.print("[red]seconds must be above 0 and at most 366 days[/red]")
        raise typer.Exit(2)
    value = services_of(database_url).sandbox.advance_clock(ms)
    console.print_json(data={"now_ms": value, "now_ist": ms_to_ist(value)})


@scenario_app.command("show")
def show_scenario(database_url: DatabaseUrlOption = None) -> None:
    """Print the stored scenario rules."""
    scenario = services_of(database_url).sandbox.scenario()
    console.print_json(data=scenario.document or {"rules": []})


@scenario_app.command("set")
def set_scenario(
    path: Annotated[str, typer.Argument(help="JSON file of scenario rules (docs/simulated-network.md).")],
    database_url: DatabaseUrlOption = None,
) -> None:
    """Validate and store scenario rules from a JSON file."""
    sandbox = services_of(database_url).sandbox
    try:
        scenario = sandbox.set_scenario_file(path)
    except InvalidParameter as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    console.print(f"Stored {len(scenario.rules)} rule(s).")
    console.print_json(orjson.dumps(scenario.document).decode())
