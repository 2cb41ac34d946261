"""Number metadata from the store: the mobile series table, the DND registry and their CSV imports.

Imports validate every row before writing and write in one transaction, so a bad file changes
nothing; upserts are delete-then-insert by key, which reads the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, delete, select
from sqlalchemy.exc import IntegrityError

from trunkline.domain.clock import now_ms
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.metadata import (
    SERIES_SEED,
    NumberMetadata,
    Series,
    build_metadata,
    circle_code,
    classify,
    dnd_flag,
    operator_code,
    series_prefix,
    series_prefixes,
)
from trunkline.store.database import Database
from trunkline.store.schema.numbering import dnd_registry, mobile_series

SEED_RESOURCE = SERIES_SEED
_CHUNK = 500  # keys per DELETE ... IN, well under every driver's parameter limit
_MAX_REPORTED = 5

T = TypeVar("T")


class NumberingStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def lookup(self, raw: str) -> NumberMetadata:
        """Metadata for any spelling of an Indian number: at most two primary-key queries."""
        number = classify(raw)
        prefixes = series_prefixes(number)
        series: Series | None = None
        with self._db.read() as conn:
            if prefixes:
                rows = conn.execute(
                    select(
                        mobile_series.c.prefix, mobile_series.c.operator_code, mobile_series.c.circle_code
                    ).where(mobile_series.c.prefix.in_(prefixes))
                ).all()
                if rows:
                    best = max(rows, key=lambda row: len(row.prefix))
                    series = Series(best.operator_code, best.circle_code)
            dnd = conn.execute(
                select(dnd_registry.c.dnd).where(dnd_registry.c.number == number.e164)
            ).scalar_one_or_none()
        return build_metadata(number, series, None if dnd is None else bool(dnd))

    def import_series(self, path: str | Path, replace: bool = False) -> int:
        """Load ``prefix,operator_code,circle_code[,source]`` rows; ``replace`` drops all others first."""
        path = Path(path)

        def parse(fields: list[str]) -> dict[str, Any]:
            if len(fields) not in (3, 4):
                raise ValueError(
                    f"expected prefix,operator_code,circle_code[,source], got {len(fields)} fields"
                )
            source = fields[3].strip() if len(fields) == 4 else ""
            return {
                "prefix": series_prefix(fields[0]),
                "operator_code": operator_code(fields[1]),
                "circle_code": circle_code(fields[2]),
                "source": _bounded(source or f"import {path.name}", "source", 200),
            }

        rows = _parse_file(path, "prefix", parse, key="prefix")
        if replace and not rows:
            raise InvalidParameter(
                f"{path.name}: no rows; refusing to replace the series table with nothing", parameter="file"
            )
        with self._db.write() as conn:
            if replace:
                conn.execute(delete(mobile_series))
                _insert(conn, mobile_series, rows)
            else:
                _upsert(conn, mobile_series, mobile_series.c.prefix.key, rows)
        return len(rows)

    def import_dnd(self, path: str | Path) -> int:
        """Load ``number,dnd[,categories,source]`` rows into the local DND registry (upsert by number)."""
        path = Path(path)
        updated_at = now_ms()

        def parse(fields: list[str]) -> dict[str, Any]:
            if not 2 <= len(fields) <= 4:
                raise ValueError(f"expected number,dnd[,categories,source], got {len(fields)} fields")
            try:
                e164 = classify(fields[0]).e164
            except InvalidParameter as exc:
                raise ValueError(exc.message) from exc
            categories = fields[2].strip() if len(fields) > 2 else ""
            source = fields[3].strip() if len(fields) > 3 else ""
            return {
                "number": e164,
                "dnd": dnd_flag(fields[1]),
                "categories": _bounded(categories, "categories", 100),
                "source": _bounded(source or f"import {path.name}", "source", 200),
                "updated_at": updated_at,
            }

        rows = _parse_file(path, "number", parse, key="number")
        with self._db.write() as conn:
            _upsert(conn, dnd_registry, dnd_registry.c.number.key, rows)
        return len(rows)

    def ensure_seed(self) -> None:
        """Load the shipped seed series when the table is empty, so a new server answers something."""
        with self._db.read() as conn:
            if conn.execute(select(mobile_series.c.prefix).limit(1)).first() is not None:
                return
        package, resource = SEED_RESOURCE
        # Another server process may seed the table at the same moment; its rows are the same.
        with as_file(files(package).joinpath(resource)) as seed, suppress(IntegrityError):
            self.import_series(seed)


def _bounded(text: str, name: str, limit: int) -> str:
    if len(text) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")
    return text


def _data_lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every line that is neither blank nor a ``#`` comment."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidParameter(f"cannot read {path}: {exc.strerror or exc}", parameter="file") from exc
    except UnicodeDecodeError as exc:
        raise InvalidParameter(f"{path.name} is not UTF-8 text", parameter="file") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, next(csv.reader([stripped]))


def _parse_file(
    path: Path, header: str, parse: Callable[[list[str]], dict[str, Any]], *, key: str
) -> list[dict[str, Any]]:
    """Every row parsed, or one InvalidParameter naming each bad line; a later duplicate key wins."""
    rows: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    first = True
    for number, fields in _data_lines(path):
        if first and fields[0].strip().lower() == header:
            first = False
            continue
        first = False
        try:
            row = parse(fields)
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        rows[row[key]] = row
    if errors:
        more = f" (and {len(errors) - _MAX_REPORTED} more)" if len(errors) > _MAX_REPORTED else ""
        raise InvalidParameter(
            f"{path.name}: nothing imported; " + "; ".join(errors[:_MAX_REPORTED]) + more, parameter="file"
        )
    return list(rows.values())


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        conn.execute(table.insert(), list(chunk))


def _upsert(conn: Connection, table: Table, key: str, rows: Sequence[dict[str, Any]]) -> None:
    column = table.c[key]
    for chunk in _chunks(rows):
        conn.execute(delete(table).where(column.in_([row[key] for row in chunk])))
        conn.execute(table.insert(), list(chunk))
