"""A thin fast path for the few statements every message runs, on SQLite.

SQLAlchemy's per-statement bookkeeping costs more than SQLite's own work for the
small inserts and lookups of the hot path. Here each Core statement is compiled
once per set of parameter names and run straight on the DB-API connection of
the caller's transaction, with values converted exactly as SQLAlchemy stores
them (UTC timestamps as text, decimals as REAL, JSON as text), so both paths
read and write the same rows. Other databases use SQLAlchemy unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.sql import ClauseElement

_STAMP = "%Y-%m-%d %H:%M:%S.%f"


class Prepared:
    """A Core statement ready to run many times."""

    def __init__(self, statement: ClauseElement, *, json_columns: tuple[str, ...] = ()) -> None:
        self.statement = statement
        self._json = frozenset(json_columns)
        self._compiled: dict[frozenset[str], tuple[str, tuple[str, ...], dict[str, Any]]] = {}

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run a query and return all its rows as tuples."""
        if conn.dialect.name != "sqlite":
            return [tuple(row) for row in conn.execute(self.statement, dict(params))]
        sql, values = self._bind(conn, params)
        with _translated(conn, sql):
            return _raw(conn).execute(sql, values).fetchall()

    def insert(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run an insert and return the new row's primary key."""
        if conn.dialect.name != "sqlite":
            result = conn.execute(self.statement, dict(params))
            return int(result.inserted_primary_key[0])
        sql, values = self._bind(conn, params)
        with _translated(conn, sql):
            cursor = _raw(conn).execute(sql, values)
        return int(cursor.lastrowid or 0)

    def many(self, conn: Connection, params: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement once per parameter set."""
        if not params:
            return
        if conn.dialect.name != "sqlite":
            conn.execute(self.statement, [dict(p) for p in params])
            return
        sql, _ = self._bind(conn, params[0])
        order = self._compiled[frozenset(params[0])][1]
        with _translated(conn, sql):
            _raw(conn).executemany(sql, [self._values(p, order) for p in params])

    def _bind(self, conn: Connection, params: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
        key = frozenset(params)
        compiled = self._compiled.get(key)
        if compiled is None:
            done = self.statement.compile(dialect=conn.dialect, column_keys=list(params))
            every = done.construct_params(_check=False)
            defaults = {k: v for k, v in every.items() if k not in params}
            compiled = (done.string, tuple(done.positiontup or ()), defaults)
            self._compiled[key] = compiled
        sql, order, defaults = compiled
        merged = {**defaults, **params} if defaults else params
        return sql, self._values(merged, order)

    def _values(self, params: Mapping[str, Any], order: tuple[str, ...]) -> tuple[Any, ...]:
        return tuple(_sqlite_value(params[name], name in self._json) for name in order)


@contextmanager
def _translated(conn: Connection, sql: str) -> Iterator[None]:
    """Raise the DB-API's errors as SQLAlchemy's, as the SQLAlchemy path would."""
    dbapi = conn.dialect.loaded_dbapi
    try:
        yield
    except dbapi.IntegrityError as exc:
        raise IntegrityError(sql, None, exc) from exc
    except dbapi.Error as exc:
        raise DBAPIError(sql, None, exc) from exc


def _raw(conn: Connection) -> Any:
    """The DB-API connection under ``conn``, inside the same transaction."""
    return conn.connection.driver_connection


def _sqlite_value(value: Any, is_json: bool) -> Any:
    if value is None:
        return None
    if is_json:
        return json.dumps(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the ledger; pass an aware one")
        return value.astimezone(UTC).strftime(_STAMP)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    return value


def decimal(value: Any) -> Decimal:
    """A quantity read back from either path, as an exact decimal."""
    return value if isinstance(value, Decimal) else Decimal(str(value))
