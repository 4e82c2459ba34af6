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
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Numeric
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.sql import ClauseElement

from orders.db import UTCDateTime


class Prepared:
    """A Core statement ready to run many times."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[frozenset[str], _Compiled] = {}
        # The same, by the parameters' names in the order given: callers build their
        # dictionaries the same way each time, and a tuple is cheaper to make than a set.
        self._by_order: dict[tuple[str, ...], _Compiled] = {}

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run a query and return all its rows as tuples."""
        raw = _sqlite(conn)
        if raw is None:
            return [tuple(row) for row in conn.execute(self.statement, dict(params))]
        compiled = self._compile(conn, params)
        try:
            return raw.execute(compiled.sql, compiled.values(params)).fetchall()
        except sqlite3.Error as exc:
            raise _translated(compiled.sql, exc) from exc

    def insert(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run an insert and return the new row's primary key."""
        raw = _sqlite(conn)
        if raw is None:
            result = conn.execute(self.statement, dict(params))
            return int(result.inserted_primary_key[0])
        compiled = self._compile(conn, params)
        try:
            cursor = raw.execute(compiled.sql, compiled.values(params))
        except sqlite3.Error as exc:
            raise _translated(compiled.sql, exc) from exc
        return int(cursor.lastrowid or 0)

    def run(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run an update or a delete; return how many rows it touched."""
        raw = _sqlite(conn)
        if raw is None:
            return int(conn.execute(self.statement, dict(params)).rowcount or 0)
        compiled = self._compile(conn, params)
        try:
            return int(raw.execute(compiled.sql, compiled.values(params)).rowcount)
        except sqlite3.Error as exc:
            raise _translated(compiled.sql, exc) from exc

    def many(self, conn: Connection, params: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement once per parameter set."""
        if not params:
            return
        raw = _sqlite(conn)
        if raw is None:
            conn.execute(self.statement, [dict(p) for p in params])
            return
        compiled = self._compile(conn, params[0])
        if len(params) > 1 and any(p.keys() != compiled.keys for p in params):
            raise ValueError("every parameter set of one executemany names the same columns")
        try:
            raw.executemany(compiled.sql, [compiled.values(p) for p in params])
        except sqlite3.Error as exc:
            raise _translated(compiled.sql, exc) from exc

    def _compile(self, conn: Connection, params: Mapping[str, Any]) -> _Compiled:
        order = tuple(params)
        compiled = self._by_order.get(order)
        if compiled is None:
            key = frozenset(order)
            compiled = self._compiled.get(key)
            if compiled is None:
                compiled = self._compiled[key] = _Compiled.of(self.statement, conn, list(order))
            self._by_order[order] = compiled
        return compiled


class _Compiled:
    """SQL text, parameter order, fixed values and a converter per parameter."""

    def __init__(
        self,
        sql: str,
        order: tuple[str, ...],
        defaults: dict[str, Any],
        converters: tuple[Callable[[Any], Any] | None, ...],
        generated: dict[str, Callable[[Any], Any]] | None = None,
        keys: frozenset[str] | None = None,
    ) -> None:
        self.sql, self.order, self.defaults = sql, order, defaults
        self.generated = generated or {}  # Python-side defaults computed per execution
        self.keys = frozenset(order) if keys is None else keys
        self.values = _valuer(order, self.keys, defaults, self.generated, converters)

    @classmethod
    def of(cls, statement: ClauseElement, conn: Connection, keys: list[str]) -> _Compiled:
        done = statement.compile(dialect=conn.dialect, column_keys=keys)
        order = tuple(done.positiontup or ())
        every = done.construct_params(_check=False)
        defaults = {k: v for k, v in every.items() if k not in keys}
        # Columns left out that have a Python-side default get it, as SQLAlchemy gives it.
        generated: dict[str, Callable[[Any], Any]] = {}
        prefetch = [(c, c.default) for c in getattr(done, "insert_prefetch", ())] + [
            (c, c.onupdate) for c in getattr(done, "update_prefetch", ())
        ]
        for column, default in prefetch:
            if default is None or column.key in keys:
                continue
            if default.is_scalar:
                defaults[column.key] = default.arg
            elif default.is_callable:
                generated[column.key] = default.arg
        converters = tuple(_converter(done.binds[name].type) for name in order)
        return cls(done.string, order, defaults, converters, generated, frozenset(keys))


def _valuer(
    order: tuple[str, ...],
    keys: frozenset[str],
    defaults: dict[str, Any],
    generated: dict[str, Callable[[Any], Any]],
    converters: tuple[Callable[[Any], Any] | None, ...],
) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """The statement's values from its parameters, as one expression built for this set
    of parameter names (as namedtuple builds its methods).

    Each position is a parameter, a Python-side default computed per execution or a
    fixed value (converted once, here), in that order of precedence; converters run
    on values that are not None. Every message runs a few of these: a generic loop
    that merges dictionaries costs more than the statement's own work.
    """
    scope: dict[str, Any] = {}
    parts: list[str] = []
    for n, (name, convert) in enumerate(zip(order, converters, strict=True)):
        if name in keys or (name not in generated and name not in defaults):
            value = f"p[{name!r}]"  # a missing parameter raises KeyError, as indexing does
        elif name in generated:
            scope[f"g{n}"] = generated[name]
            value = f"g{n}(None)"
        else:
            fixed = defaults[name]
            scope[f"k{n}"] = convert(fixed) if convert is not None and fixed is not None else fixed
            parts.append(f"k{n}")
            continue
        if convert is None:
            parts.append(value)
        else:
            scope[f"c{n}"] = convert
            parts.append(f"(None if (v{n} := {value}) is None else c{n}(v{n}))")
    source = f"lambda p: ({''.join(part + ', ' for part in parts)})"
    return eval(source, scope)  # built above from the statement's own names only


def _translated(sql: str, exc: sqlite3.Error) -> DBAPIError:
    """SQLite's errors raised as SQLAlchemy's, as the SQLAlchemy path would."""
    if isinstance(exc, sqlite3.IntegrityError):
        return IntegrityError(sql, None, exc)
    return DBAPIError(sql, None, exc)


def _sqlite(conn: Connection) -> Any:
    """The SQLite connection under ``conn``, in the same transaction; None on other databases.

    Looked up once per pooled connection: SQLAlchemy's property chain to the driver's
    connection costs more than a small statement.
    """
    info = conn.info
    raw = info.get(_RAW, _UNSET)
    if raw is _UNSET:
        raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        info[_RAW] = raw
    return raw


_RAW = "orderbot.sqlite"
_UNSET = object()


def _converter(sql_type: Any) -> Callable[[Any], Any] | None:
    """How SQLAlchemy stores a value of this column type in SQLite."""
    if isinstance(sql_type, UTCDateTime | DateTime):
        return _stamp
    if isinstance(sql_type, JSON):
        return json.dumps
    if isinstance(sql_type, Numeric):
        return float
    if isinstance(sql_type, Boolean):
        return int
    return None


def _stamp(value: datetime) -> str:
    """A timestamp as SQLAlchemy stores it in SQLite: UTC, as text, to the microsecond."""
    global _last_stamp
    last = _last_stamp
    if last[0] is value:  # a message's statements mostly stamp its own sent_at
        return last[1]
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the ledger; pass an aware one")
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    _last_stamp = (value, text)  # one tuple, swapped atomically between threads
    return text


_last_stamp: tuple[datetime | None, str] = (None, "")


def decimal(value: Any) -> Decimal:
    """A quantity read back from either path, as an exact decimal."""
    return value if isinstance(value, Decimal) else Decimal(str(value))
