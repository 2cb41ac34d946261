"""The one ``MetaData`` every table of the store is declared on, and the type of row ids.

Times are UTC epoch milliseconds (BIGINT) and numbers E.164, so SQLite and PostgreSQL compare
them identically and every dialect formats them its own way.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, MetaData

metadata = MetaData()

ROW_ID = BigInteger().with_variant(Integer, "sqlite")
"""BIGINT on PostgreSQL; INTEGER on SQLite, where only an INTEGER primary key is the rowid."""
