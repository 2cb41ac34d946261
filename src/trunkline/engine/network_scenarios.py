"""The simulated network's scenario, kept in the store so that every process and restart share it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from trunkline.domain.errors import InvalidParameter
from trunkline.domain.network.scenarios import DEFAULT_SCENARIO, Scenario, parse_scenario
from trunkline.store import meta_values
from trunkline.store.database import Database
from trunkline.store.processes import bump_generation

SCENARIO_KEY = "network.scenario"


def load(db: Database) -> Scenario:
    raw = meta_values.get(db, SCENARIO_KEY)
    if raw is None:
        return DEFAULT_SCENARIO
    return parse_scenario(orjson.loads(raw))


def save(db: Database, document: Any) -> Scenario:
    """Validate (400 on any mistake) and store a scenario; returns it parsed."""
    scenario = parse_scenario(document)
    with db.write() as conn:
        meta_values.write(conn, SCENARIO_KEY, orjson.dumps(scenario.document).decode())
        bump_generation(conn)  # every live server process takes it up (services/processes.py)
    return scenario


def read_file(path: str) -> Any:
    try:
        return orjson.loads(Path(path).read_bytes())
    except OSError as exc:
        raise InvalidParameter(f"cannot read scenario file {path}: {exc.strerror}") from None
    except orjson.JSONDecodeError as exc:
        raise InvalidParameter(f"scenario file {path} is not valid JSON: {exc}") from None
