"""The ``trunkline`` command: every subcommand is registered here and lives in its own module."""

from __future__ import annotations

from typing import Annotated

import typer

import trunkline
from trunkline.cli.accounts import accounts_app
from trunkline.cli.agents import agents_app
from trunkline.cli.common import DatabaseUrlOption, services_of
from trunkline.cli.export import calls_app
from trunkline.cli.flows import flows_app, inbound_app, traffic_app
from trunkline.cli.network import clock_app, scenario_app
from trunkline.cli.numbering import dnd_app, numbering_app
from trunkline.cli.openapi import openapi_command
from trunkline.cli.seed import seed_command
from trunkline.cli.serve import serve
from trunkline.cli.sync import sync_command
from trunkline.cli.tracking import properties_app

app = typer.Typer(help="Trunkline: a self-hosted voice-call API (Exotel dialects).", no_args_is_help=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trunkline {trunkline.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Trunkline: a self-hosted voice-call API (Exotel dialects)."""


@app.command("migrate")
def migrate(database_url: DatabaseUrlOption = None) -> None:
    """Create the store if needed, bring its schema up to date, and exit (no demo account)."""
    services = services_of(database_url, create=True)
    try:
        typer.echo(f"Store {services.db.engine.url.render_as_string()} is up to date.")
    finally:
        services.close()


app.command("serve")(serve)
app.add_typer(accounts_app, name="accounts")
app.add_typer(agents_app, name="agents")
app.command("seed")(seed_command)
app.add_typer(numbering_app, name="numbering")
app.add_typer(dnd_app, name="dnd")
app.add_typer(clock_app, name="clock")
app.add_typer(scenario_app, name="scenario")
app.add_typer(flows_app, name="flows")
app.add_typer(inbound_app, name="inbound")
app.add_typer(traffic_app, name="traffic")
app.add_typer(properties_app, name="properties")
app.add_typer(calls_app, name="calls")
app.command("sync")(sync_command)
app.command("openapi")(openapi_command)

if __name__ == "__main__":
    app()
