"""``trunkline accounts``: create, list and delete accounts; add, rotate and revoke their key/token
pairs; add and remove their ExoPhones. Every rule is ``AccountService``'s (the admin API asks the same)."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.console import Console

from trunkline.cli.common import DatabaseUrlOption, services_of
from trunkline.domain.errors import TrunklineError

accounts_app = typer.Typer(help="Accounts, their API credentials and ExoPhones.", no_args_is_help=True)
SidOption = Annotated[str, typer.Option("--sid", help="Existing account SID.")]
KeyOption = Annotated[str, typer.Option("--api-key", help="The credential's API key.")]
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
    except TrunklineError as exc:
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
    except TrunklineError as exc:
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
    except TrunklineError as exc:
        _err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    _print({"sid": sid, "exophones": list(numbers)})


@accounts_app.command("remove-exophone")
def remove_exophone(
    sid: SidOption,
    number: Annotated[list[str], typer.Argument(help="ExoPhone numbers to remove.")],
    database_url: DatabaseUrlOption = None,
) -> None:
    """Take ExoPhones from an account, with their flow assignment and tracking set-up."""
    accounts = services_of(database_url).accounts
    try:
        numbers = accounts.remove_exophones(sid, number)
    except TrunklineError as exc:
        _err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    _print({"sid": sid, "exophones": list(numbers)})


@accounts_app.command("list")
def list_accounts(database_url: DatabaseUrlOption = None) -> None:
    """Every account with its ExoPhones and API keys, as JSON (tokens are stored hashed: never shown)."""
    accounts = services_of(database_url).accounts
    _print(
        {
            "accounts": [
                {
                    "sid": account.sid,
                    "name": account.name,
                    "exophones": list(account.exophones),
                    "api_keys": [c.api_key for c in accounts.credentials(account.sid)],
                }
                for account in accounts.all()
            ]
        }
    )


@accounts_app.command("rotate-credential")
def rotate_credential(
    sid: SidOption,
    api_key: KeyOption,
    api_token: Annotated[
        str | None, typer.Option("--api-token", help="The new token; generated when omitted.")
    ] = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Give a credential a new token, printed this once; the old token is refused within seconds."""
    accounts = services_of(database_url).accounts
    try:
        credential = accounts.rotate_credential(sid, api_key, api_token)
    except TrunklineError as exc:
        _err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    _print({"sid": sid, "api_key": credential.api_key, "api_token": credential.api_token})


@accounts_app.command("revoke-credential")
def revoke_credential(sid: SidOption, api_key: KeyOption, database_url: DatabaseUrlOption = None) -> None:
    """Delete a credential (not the account's last one); servers refuse it within seconds."""
    accounts = services_of(database_url).accounts
    try:
        accounts.revoke_credential(sid, api_key)
    except TrunklineError as exc:
        _err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    _print({"sid": sid, "revoked": api_key})


@accounts_app.command("delete")
def delete_account(
    sid: SidOption,
    force: Annotated[
        bool,
        typer.Option("--force", help="Also delete its calls, flows, agents, properties and generators."),
    ] = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Delete an account with its credentials and ExoPhones. One that still owns calls, flows,
    agents, properties or generators is refused unless --force, which deletes them too."""
    accounts = services_of(database_url).accounts
    try:
        accounts.delete(sid, force=force)
    except TrunklineError as exc:
        _err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    _print({"deleted": sid})
