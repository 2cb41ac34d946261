"""Migration 0011 on a store where two accounts already share a number: both keep it, the migration
logs it, and from then on no account can take a number another one holds."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from trunkline.domain.accounts.errors import NumberHeldElsewhere
from trunkline.services.commands import CommandServices
from trunkline.store.database import Database

MIGRATIONS = Path(__file__).parents[2] / "src" / "trunkline" / "store" / "migrations"


def test_shared_numbers_keep_working_and_are_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0010")
        for account_id, sid in ((1, "first"), (2, "second")):
            conn.execute(
                text("INSERT INTO accounts (id, sid, name, created_at) VALUES (:i, :s, :s, 0)"),
                {"i": account_id, "s": sid},
            )
            conn.execute(
                text("INSERT INTO exophones (account_id, number) VALUES (:i, '+918047112233')"),
                {"i": account_id},
            )
        conn.execute(text("INSERT INTO exophones (account_id, number) VALUES (1, '+918047112234')"))
    with caplog.at_level(logging.WARNING, logger="trunkline.migrations"):
        db.migrate()
    assert any("+918047112233" in r.message and "first, second" in r.message for r in caplog.records)
    assert not any("+918047112234" in r.message for r in caplog.records)
    accounts = CommandServices.over(db).accounts
    assert accounts.get("first").exophones == ("+918047112233", "+918047112234")  # type: ignore[union-attr]
    assert accounts.get("second").exophones == ("+918047112233",)  # type: ignore[union-attr]
    accounts.create("third")
    for number in ("+918047112233", "+918047112234"):
        with pytest.raises(NumberHeldElsewhere):
            accounts.add_exophones("third", [number])
    db.dispose()
