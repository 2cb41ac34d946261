"""`trunkline properties add|list|remove` act on the store; what they create is what the Fone API
and the admin API see."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.support.factories import make_account
from trunkline.cli.main import app
from trunkline.store.database import Database
from trunkline.store.tracking.numbers import TrackingNumberStore
from trunkline.store.tracking.properties import PropertyStore

runner = CliRunner()


def test_properties_add_list_and_remove(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracking.db'}"
    db = Database(url)
    db.migrate()
    try:
        account = make_account(db)
        run = lambda *args: runner.invoke(app, ["properties", *args, "--database-url", url])  # noqa: E731
        added = run(
            "add",
            account.sid,
            "Website",
            "--sid",
            "PRweb",
            "--number",
            "08047100001",
            "--number",
            "+918047100002",
        )
        assert added.exit_code == 0, added.output
        assert added.output.strip() == "PRweb"
        generated = run("add", account.sid, "Shop")
        assert generated.exit_code == 0 and generated.output.strip().startswith("PR")
        listed = run("list", account.sid)
        assert listed.exit_code == 0 and "PRweb" in listed.output and "+918047100002" in listed.output
        assert "Shop" in listed.output
        store = TrackingNumberStore(db)
        numbers = store.numbers(account.account_id)
        assert [n.number for n in numbers] == ["+918047100001", "+918047100002"]
        again = run("add", account.sid, "Other", "--sid", "PRother", "--number", "+918047100001")
        assert again.exit_code == 2 and "belongs to property PRweb" in again.output
        assert run("add", account.sid, "Dup", "--sid", "PRweb").exit_code == 2
        assert run("add", "nobody", "X").exit_code == 2
        # A Sid the Fone paths could not name, or a bad name, is refused before anything is stored.
        for args in (["Bad", "--sid", "PR/web"], ["Bad", "--sid", "a b"], ["", "--sid", "PRok"], ["x" * 201]):
            refused = run("add", account.sid, *args, "--number", "+918047100009")
            assert refused.exit_code == 2 and (
                "sid must be" in refused.output or "name must be" in refused.output
            )
        assert [p.sid for p in PropertyStore(db).properties(account.account_id)] == [
            "PRweb",
            generated.output.strip(),
        ]
        assert store.number(account.account_id, "+918047100009") is None
        removed = run("remove", account.sid, "PRweb")
        assert removed.exit_code == 0 and "removed PRweb" in removed.output
        assert run("remove", account.sid, "PRweb").exit_code == 2
        assert store.numbers(account.account_id) == []
    finally:
        db.dispose()
