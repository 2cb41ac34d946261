"""``trunkline accounts``: create accounts, add key/token pairs and ExoPhones."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.console import Console

from trunkline.cli.common import DatabaseUrlOption, services_of
from trunkline.domain.errors import InvalidParameter

accounts_app = typer.Typer(help="Accounts, their API credentials and ExoPhones.", no_args_is_help=True)
_err = Console(stderr=True)


def _print(document: dict[str, object]) -> None:
    typer.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())


@accounts_app.command("create")
def create(
    sid: Annotated[str, typer.Option("--sid", help="Account SID, e.g. acme.")],
    name: Annotated[str, typer.Option("--name", help="Display name; defaults to the SID.")] = "",
    api_key: Annotated[str | None, typer.Option("--api-key", help="API key; generated when omitted.")] = None,
    api_token: Annotated[
        str | None, typer.Option("--api-token", help="API token; generated (random) when omitted.")
    ] = None,
    exophone: Annotated[
        list[str] | None, typer.Option("--exophone", help="An ExoPhone (virtual number); repeatable.")
    ] = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Create an account and print its credentials as JSON. The token is shown only this once."""
    accounts = services_of(database_url, create=True).accounts
    try:
        account, credential = accounts.create(
            sid, name=name, api_key=api_key, api_token=api_token, exophone_numbers=exophone or []
        )
    except InvalidParameter as exc:
        _err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    _print(
        {
            "sid": account.sid,
            "api_key": credential.api_key,
            "api_token": credential.api_token,
            "exophones": list(account.exophones),
        }
    )


@accounts_app.command("add-credential")
def add_credential(
    sid: Annotated[str, typer.Option("--sid", help="Existing account SID.")],
    api_key: Annotated[str | None, typer.Option("--api-key", help="API key; generated when omitted.")] = None,
    api_token: Annotated[
        str | None, typer.Option("--api-token", help="API token; generated when omitted.")
    ] = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Add another API key/token pair to an account."""
    accounts = services_of(database_url).accounts
    try:
        credential = accounts.add_credential(sid, api_key=api_key, api_token=api_token)
    except InvalidParameter as exc:
        _err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    _print({"sid": sid, "api_key": credential.api_key, "api_token": credential.api_token})


@accounts_app.command("add-exophone")
def add_exophone(
    sid: Annotated[str, typer.Option("--sid", help="Existing account SID.")],
    number: Annotated[list[str], typer.Argument(help="ExoPhone numbers to add.")],
    database_url: DatabaseUrlOption = None,
) -> None:
    """Give an account more ExoPhones."""
    accounts = services_of(database_url).accounts
    try:
        numbers = accounts.add_exophones(sid, number)
    except InvalidParameter as exc:
        _err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    _print({"sid": sid, "exophones": list(numbers)})
