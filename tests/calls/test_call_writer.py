"""``CallWriter``: calls placed together are stored together, and one bad call fails alone."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import pytest

from trunkline.engine.calls.admission import CallWriter


class _Runs:
    """Stands in for ``CallRunStore``: stores names, refuses ``"bad"``, writes groups when let go."""

    def __init__(self) -> None:
        self.stored: list[str] = []
        self.groups: list[list[str]] = []
        self.let_go = threading.Event()

    def start_many(self, items: Sequence[Any]) -> list[int | None]:
        self.let_go.wait(timeout=5)
        self.groups.append(list(items))
        if "bad" in items:
            raise ValueError("a row the store refuses")
        self.stored += items
        return [len(self.stored) - len(items) + n + 1 for n in range(len(items))]


def test_a_call_the_store_refuses_fails_alone_and_its_group_is_stored() -> None:
    runs = _Runs()
    writer = CallWriter(runs)  # type: ignore[arg-type]
    try:
        # The writer waits in start_many until let go, so the calls after the first queue together.
        first = writer.submit("first")  # type: ignore[arg-type]
        rest = [writer.submit(name) for name in ("a", "bad", "b")]  # type: ignore[arg-type]
        runs.let_go.set()
        assert first.result(timeout=5) == 1
        assert [future.exception(timeout=5) is None for future in rest] == [True, False, True]
        assert isinstance(rest[1].exception(), ValueError)
        assert runs.stored == ["first", "a", "b"]
        assert any("bad" in group and len(group) > 1 for group in runs.groups)  # tried together first
        assert rest[0].result() == 2 and rest[2].result() == 3
    finally:
        writer.close()


def test_a_lone_call_the_store_refuses_fails() -> None:
    runs = _Runs()
    runs.let_go.set()
    writer = CallWriter(runs)  # type: ignore[arg-type]
    try:
        with pytest.raises(ValueError):
            writer.submit("bad").result(timeout=5)  # type: ignore[arg-type]
        assert writer.submit("good").result(timeout=5) == 1  # type: ignore[arg-type]
    finally:
        writer.close()
