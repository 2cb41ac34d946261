"""``trunkline properties``: an account's call-tracking properties, acting on the store directly
(the admin API does the same over HTTP). Tracking numbers are bought into a property through the
Fone Dynamics API (``POST /v2/Properties/<sid>/Numbers``) or with ``--number`` here."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from trunkline.cli.common import AccountArg, DatabaseUrlOption, account_of, fail, open_database
from trunkline.domain.errors import TrunklineError
from trunkline.domain.tracking.numbers import e164
from trunkline.engine.clock import wall_ms
from trunkline.store.tracking.numbers import TrackingNumberStore
from trunkline.store.tracking.properties import PropertyStore

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
    db = open_database(database_url)
    try:
        properties, tracking_numbers = PropertyStore(db), TrackingNumberStore(db)
        account_id = account_of(db, account_sid).id
        wanted = [e164(number, "number") for number in numbers or []]
        for number in wanted:  # checked first, so a refused number leaves no property behind
            held = tracking_numbers.number(account_id, number)
            if held is not None:
                raise fail(f"{number} belongs to property {held.property_sid} of this account")
        prop = properties.create_property(account_id, name, wall_ms(), sid)
        for number in wanted:
            tracking_numbers.buy_number(prop, number, None, wall_ms())
    except TrunklineError as exc:
        raise fail(exc.message) from None
    finally:
        db.dispose()
    typer.echo(prop.sid)


@properties_app.command("list")
def list_properties(account_sid: AccountArg, database_url: DatabaseUrlOption = None) -> None:
    """The account's properties with their tracking numbers."""
    db = open_database(database_url)
    try:
        account_id = account_of(db, account_sid).id
        props = PropertyStore(db).properties(account_id)
        numbers = TrackingNumberStore(db).numbers(account_id)
    finally:
        db.dispose()
    table = Table("Sid", "Name", "Numbers")
    for prop in props:
        table.add_row(prop.sid, prop.name, ", ".join(n.number for n in numbers if n.property_id == prop.id))
    console.print(table)


@properties_app.command("remove")
def remove(
    account_sid: AccountArg,
    property_sid: Annotated[str, typer.Argument(help="The property's Sid.")],
    database_url: DatabaseUrlOption = None,
) -> None:
    """Delete a property with its tracking numbers and tracking rows (calls and ExoPhones stay)."""
    db = open_database(database_url)
    try:
        if not PropertyStore(db).delete_property(account_of(db, account_sid).id, property_sid):
            raise fail(f"no property {property_sid} in account {account_sid}")
    finally:
        db.dispose()
    typer.echo(f"removed {property_sid}")
