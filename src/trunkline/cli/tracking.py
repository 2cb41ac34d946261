"""``trunkline properties``: an account's call-tracking properties, through the same tracking
service as the admin API. Tracking numbers are bought into a property through the
Fone Dynamics API (``POST /v2/Properties/<sid>/Numbers``) or with ``--number`` here."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from trunkline.cli.common import AccountArg, DatabaseUrlOption, fail, print_table, services_of
from trunkline.domain.errors import TrunklineError
from trunkline.domain.tracking.numbers import e164

properties_app = typer.Typer(help="Call-tracking properties (Fone Dynamics) of an account.")
console = Console()


@properties_app.command("add")
def add(
    account_sid: AccountArg,
    name: Annotated[str, typer.Argument(help="The property's name (a website, a business line).")],
    sid: Annotated[
        str | None, typer.Option("--sid", help="The property's Sid; generated when omitted.")
    ] = None,
    numbers: Annotated[
        list[str] | None, typer.Option("--number", help="Buy this number into it (E.164; repeatable).")
    ] = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Create a property (and buy tracking numbers into it)."""
    services = services_of(database_url)
    try:
        services.accounts.get(account_sid)
        wanted = [e164(number, "number") for number in numbers or []]
        prop = services.tracking.create_property(account_sid, name, sid, wanted)
    except TrunklineError as exc:
        raise fail(exc.message) from None
    finally:
        services.close()
    typer.echo(prop.sid)


@properties_app.command("list")
def list_properties(account_sid: AccountArg, database_url: DatabaseUrlOption = None) -> None:
    """The account's properties with their tracking numbers."""
    services = services_of(database_url)
    try:
        props = services.tracking.properties(account_sid)
    except TrunklineError as exc:
        raise fail(exc.message) from None
    finally:
        services.close()
    print_table(
        ("Sid", "Name", "Numbers"),
        ((prop.sid, prop.name, ", ".join(n.number for n in numbers)) for prop, numbers in props),
        ids=("Sid",),
    )


@properties_app.command("remove")
def remove(
    account_sid: AccountArg,
    property_sid: Annotated[str, typer.Argument(help="The property's Sid.")],
    database_url: DatabaseUrlOption = None,
) -> None:
    """Delete a property with its tracking numbers and tracking rows (calls and ExoPhones stay)."""
    services = services_of(database_url)
    try:
        if not services.tracking.delete_property(account_sid, property_sid):
            raise fail(f"no property {property_sid} in account {account_sid}")
    except TrunklineError as exc:
        raise fail(exc.message) from None
    finally:
        services.close()
    typer.echo(f"removed {property_sid}")
