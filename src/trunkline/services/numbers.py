"""Number metadata: a number's operator, telecom circle and DND preference, and loading their tables."""

from __future__ import annotations

from pathlib import Path

from trunkline.domain.numbers.metadata import NumberMetadata
from trunkline.services.store_runner import StoreRunner
from trunkline.store.numbering import NumberingStore


class NumberService:
    def __init__(self, runner: StoreRunner, store: NumberingStore) -> None:
        self._runner, self._store = runner, store

    async def lookup(self, raw: str) -> NumberMetadata:
        return await self._runner.read(self._store.lookup, raw)

    def import_series(self, path: str | Path, *, replace: bool = False) -> int:
        return self._store.import_series(path, replace=replace)

    def import_dnd(self, path: str | Path) -> int:
        return self._store.import_dnd(path)

    def ensure_seed(self) -> None:
        """Load the shipped illustrative series table into an empty store."""
        self._store.ensure_seed()
