"""The Parquet writer of an export (``formats``). Importing this module needs pyarrow, an optional
extra (``pip install 'trunkline[parquet]'``); ``formats.parquet_writer`` turns its absence into a
clear message.

Columns are built straight from the store's tuples with pyarrow's C conversions: times as int64
reinterpreted as ``timestamp[ms, UTC]``, Price's micro-units reinterpreted as ``decimal128(19, 6)``
(the same integer, six places), so no Python ``Decimal`` or ``datetime`` is made per row.

Memory (issue 15: under 200 MB at any store size, most of which is the interpreter and its imports):
the store's batches are converted to Arrow as they come, so their Python tuples are dropped at
once, and the compact Arrow columns are gathered into one row group of ``row_group_rows`` calls
(``export_batch_size``: 50,000; at 10,000 the metadata of the 1,000 row groups of a 10M-call export,
which the writer keeps until it closes the file, took it to 222 MiB).
The decimal is assembled with numpy rather than pyarrow's ``cast``, whose first use loads the
compute function registry (about 10 MB of resident memory for one conversion).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from trunkline.services.archive.formats import FIELDS
from trunkline.store.call_export import CallBatch

_TIME = pa.timestamp("ms", tz="UTC")
_PRICE = pa.decimal128(19, 6)
_LEG = pa.struct(
    [
        ("leg_id", pa.int32()),
        ("number", pa.string()),
        ("status", pa.string()),
        ("on_call_duration", pa.int32()),
        ("answered_by", pa.string()),
    ]
)
_TYPES: dict[str, pa.DataType] = {
    "date_created": _TIME,
    "date_updated": _TIME,
    "start_time": _TIME,
    "end_time": _TIME,
    "duration": pa.int32(),
    "price": _PRICE,
    "conversation_duration": pa.int32(),
}

STATISTICS_COLUMNS = [*_TYPES, "status", "direction"]
"""Columns whose min/max each row group records, for readers that skip row groups by time, status
or duration. Not the long strings (Sids, numbers, URLs): their statistics were most of the footer,
which the writer holds in memory until the file closes, so it grew with the store (~1.8 MB a
million calls) and would have passed the 200 MB bound at about five million."""


def _column(name: str, values: tuple[Any, ...]) -> pa.Array:
    kind = _TYPES.get(name, pa.string())
    if kind == _TIME:
        return pa.array(values, pa.int64()).view(_TIME)
    if kind == _PRICE:
        return _decimal(pa.array(values, pa.int64()))
    return pa.array(values, kind)


def _decimal(micros: pa.Array) -> pa.Array:
    """Micro-units as ``decimal128(19, 6)``: each int64 widened to a little-endian 128-bit two's
    complement integer (low word, then the sign), which is the same number with six places."""
    count = len(micros)
    low = np.frombuffer(micros.buffers()[1], dtype=np.int64, count=count)
    wide = np.empty((count, 2), dtype=np.int64)
    wide[:, 0] = low
    wide[:, 1] = low >> 63
    return pa.Array.from_buffers(_PRICE, count, [micros.buffers()[0], pa.py_buffer(wide)], micros.null_count)


class ParquetWriter:
    def __init__(self, path: str, account_sid: str, legs: bool, row_group_rows: int) -> None:
        # The system allocator hands a batch's buffers back as they are freed; pyarrow's default
        # (jemalloc/mimalloc) keeps them cached, which alone took the export past 200 MB.
        pa.set_memory_pool(pa.system_memory_pool())
        fields = [pa.field(name, _TYPES.get(name, pa.string())) for name in FIELDS]
        if legs:
            fields.append(pa.field("legs", pa.list_(_LEG)))
        self._schema = pa.schema(fields)
        self._writer = pq.ParquetWriter(
            path, self._schema, compression="zstd", write_statistics=STATISTICS_COLUMNS
        )
        self._account, self._legs = account_sid, legs
        self._group_rows = row_group_rows
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0

    def write(self, batch: CallBatch) -> None:
        if not batch.rows:
            return
        converted = self._convert(batch)
        self._pending.append(converted)
        self._pending_rows += converted.num_rows
        if self._pending_rows >= self._group_rows:
            self._flush()

    def _flush(self) -> None:
        """Write the gathered batches as one row group (their columns stay chunked: no copy)."""
        if self._pending:
            table = pa.Table.from_batches(self._pending, schema=self._schema)
            self._pending, self._pending_rows = [], 0
            self._writer.write_table(table, row_group_size=table.num_rows)

    def _convert(self, batch: CallBatch) -> pa.RecordBatch:
        columns = list(zip(*batch.rows, strict=True))
        ids, stored = columns[0], columns[1:]
        arrays = [_column("sid", stored[0]), pa.array([self._account] * len(ids), pa.string())]
        arrays += [_column(name, values) for name, values in zip(FIELDS[2:], stored[1:], strict=True)]
        if self._legs:
            legs = [
                [dict(zip(_LEG.names, leg, strict=True)) for leg in batch.legs.get(call_id, ())]
                for call_id in ids
            ]
            arrays.append(pa.array(legs, pa.list_(_LEG)))
        return pa.RecordBatch.from_arrays(arrays, schema=self._schema)

    def close(self) -> None:
        try:
            self._flush()
        finally:
            self._writer.close()
