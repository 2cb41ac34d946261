"""The documented example of each operation, read from ``openapi_examples.json`` beside this file.

The examples are real answers of a server seeded with a fixed seed at a fixed instant
(``trunkline openapi --examples`` writes the file; ``tests/openapi`` checks that writing it again gives
the same bytes), so a mock server serving the document answers what Trunkline would."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

EXAMPLES_FILE = Path(__file__).with_name("openapi_examples.json")


@functools.cache
def _examples() -> dict[str, Any]:
    if not EXAMPLES_FILE.exists():
        return {}
    loaded: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text())
    return loaded


def example_of(operation_id: str) -> Any:
    """The example answer of ``operation_id``'s success (None: it has none)."""
    return _examples().get(operation_id)
