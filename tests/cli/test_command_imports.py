"""A CLI command loads only what it runs (services/commands.py): no web stack, no HTTP client, no
psycopg on SQLite, and no Alembic once the store is up to date. Each was loaded by every command
before, ~39 MiB of the ~105 MiB a command held before any work, which put ``trunkline seed`` of a
million calls at its 200 MB budget."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from trunkline.cli.main import app
from trunkline.store.database import Database, schema_head

_NEVER_IN_A_COMMAND = (
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "httpx",
    "psycopg",
    "pyarrow",
    "trunkline.api",
    "trunkline.engine.calls.engine",
)

_PROBE = """
import json, sys
from typer.testing import CliRunner
from trunkline.cli.main import app
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"exit": result.exit_code, "output": result.output,
                  "modules": sorted(m for m in sys.modules)}))
"""


def _loaded(*args: str) -> tuple[int, str, set[str]]:
    """Run ``trunkline *args`` in a fresh interpreter; its exit code, output and loaded modules."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TRUNKLINE_LOG_LEVEL": "warning"},
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["exit"], found["output"], set(found["modules"])


def _heavy(modules: set[str]) -> list[str]:
    return sorted(
        name
        for name in _NEVER_IN_A_COMMAND
        if name in modules or any(m.startswith(name + ".") for m in modules)
    )


def test_everyday_commands_load_no_web_stack_no_http_client_and_no_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    created = CliRunner().invoke(
        app, ["accounts", "create", "--sid", "acme", "--exophone", "+918047110001", "--database-url", url]
    )
    assert created.exit_code == 0, created.output
    for command in (
        ["agents", "list", "acme", "--database-url", url],
        ["flows", "list", "acme", "--database-url", url],
        ["seed", "--account", "acme", "--calls", "50", "--days", "2", "--database-url", url],
        [
            "calls",
            "export",
            "--account",
            "acme",
            "--format",
            "jsonl",
            "--output",
            str(tmp_path / "out.jsonl"),
            "--database-url",
            url,
        ],
    ):
        code, output, modules = _loaded(*command)
        assert code == 0, (command, output)
        assert _heavy(modules) == [], command


def test_a_store_behind_the_code_is_still_migrated(tmp_path: Path) -> None:
    """The shortcut reads the store's revision; a store one migration behind goes through Alembic."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    db = Database(url)
    try:
        db.migrate()
        assert db.revision() == schema_head()
        with db.write() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0016'")
            conn.exec_driver_sql("DROP INDEX ix_call_caller_counts_caller")
        db.migrate()
        assert db.revision() == schema_head()
        with db.read() as conn:
            indexes = {row[1] for row in conn.exec_driver_sql("PRAGMA index_list('call_caller_counts')")}
        assert "ix_call_caller_counts_caller" in indexes
    finally:
        db.dispose()


def test_the_head_read_from_file_names_is_alembics_own() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    import trunkline.store

    config = Config()
    config.set_main_option("script_location", str(Path(trunkline.store.__file__).parent / "migrations"))
    assert ScriptDirectory.from_config(config).get_heads() == [schema_head()]
