"""The Parquet writer of an export (``formats``). Importing this module needs pyarrow, an optional
extra (``pip install 'trunkline[parquet]'``); ``formats.parquet_writer`` turns its absence into a
clear message.

Columns are built straight from the store's tuples with pyarrow's C conversions: times as int64
reinterpreted as ``timestamp[ms, UTC]``, Price's micro-units reinterpreted as ``decimal128(19, 6)``
(the same integer, six places), so no Python ``Decimal`` or ``datetime`` is made per row.
"""

from __future__ import annotations

from typing import Any

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


def _column(name: str, values: tuple[Any, ...]) -> pa.Array:
    kind = _TYPES.get(name, pa.string())
    if kind == _TIME:
        return pa.array(values, pa.int64()).view(_TIME)
    if kind == _PRICE:
        unscaled = pa.array(values, pa.int64()).cast(pa.decimal128(19, 0))
        return pa.Array.from_buffers(_PRICE, len(unscaled), unscaled.buffers())
    return pa.array(values, kind)


class ParquetWriter:
    def __init__(self, path: str, account_sid: str, legs: bool) -> None:
        # The system allocator hands a batch's buffers back as they are freed; pyarrow's default
        # (jemalloc/mimalloc) keeps them cached, which alone took the export past 200 MB.
        pa.set_memory_pool(pa.system_memory_pool())
        fields = [pa.field(name, _TYPES.get(name, pa.string())) for name in FIELDS]
        if legs:
            fields.append(pa.field("legs", pa.list_(_LEG)))
        self._schema = pa.schema(fields)
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")
        self._account, self._legs = account_sid, legs

    def write(self, batch: CallBatch) -> None:
        if not batch.rows:
            return
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
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))

    def close(self) -> None:
        self._writer.close()
