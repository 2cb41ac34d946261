"""A Get Calls list request as the store reads it: a ``CallsQuery`` the store turns into one SQL
query, and the Prompts_keys rule it implements (``matches_keys``). The Fone Dynamics dialect parses
its query string into one (``api/fone_dynamics/params.py``)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_COUNT = 200


@dataclass(frozen=True, slots=True)
class CallsQuery:
    """One Get Calls list request. Times are epoch ms, [date_from, date_to); empty tuples mean
    "any"; ``repeat`` is None (All), False (Unique) or True (Repeat)."""

    date_from_ms: int | None = None
    date_to_ms: int | None = None
    dispositions: tuple[str, ...] = ()
    to_numbers: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    attribution_source: tuple[str, ...] = ()
    attribution_medium: tuple[str, ...] = ()
    attribution_campaign: tuple[str, ...] = ()
    attribution_content: tuple[str, ...] = ()
    prompts_keys: tuple[str, ...] = ()
    """Key paths (``1,2``); a call matches one when its keys start with that path."""
    repeat: bool | None = None
    count: int = DEFAULT_COUNT
    skip: int = 0


def matches_keys(pressed: str | None, paths: tuple[str, ...]) -> bool:
    """The Prompts_keys rule in Python (tests, and documentation of the SQL): a call matches a path
    when its keys are that path or start with it, whole keys at a time."""
    if not paths:
        return True
    if not pressed:
        return False
    return any(pressed == path or pressed.startswith(path + ",") for path in paths)
