"""Database engine and column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel, create_engine


class UTCDateTime(TypeDecorator[datetime]):
    """Store instants in UTC and always hand back timezone-aware values.

    SQLite keeps no offset, PostgreSQL keeps ``timestamptz``: normalising to UTC
    on the way in makes both return the same aware ``datetime``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the ledger; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL and foreign keys switched on."""
    # hide_parameters: an error logged from the ledger never shows ids or message text.
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "factory": _SQLiteConnection}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # SQLAlchemy calls do_begin inside its own error handling: a locked database
        # then fails like any other statement and leaves the connection usable.
        engine.dialect.do_begin = _sqlite_begin  # type: ignore[method-assign]
    return engine


class _SQLiteConnection(sqlite3.Connection):
    """sqlite3's connection, able to remember that it begins with the write lock."""

    begin_immediate = False


def take_write_lock_at_begin(conn: Connection) -> None:
    """Make every transaction of this SQLite connection start with the write lock.

    The bot's connection uses it: two workers on one file then handle messages one
    after the other, so neither computes an order from lines the other is about to
    change. Other connections (reports, imports) begin deferred and read freely.
    """
    if conn.dialect.name == "sqlite":
        conn.connection.driver_connection.begin_immediate = True


def _sqlite_begin(dbapi_connection: Any) -> None:
    raw = getattr(dbapi_connection, "driver_connection", dbapi_connection)
    raw.execute("BEGIN IMMEDIATE" if getattr(raw, "begin_immediate", False) else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is switched off: _sqlite_begin issues ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA page_size=1024")  # small rows: smaller pages, less log to write
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Checkpoint (and fsync) every 10,000 pages (~10 MiB with 1 KiB pages), not every 1,000.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: the hot indexes stay in memory
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Create every ledger table that does not exist yet."""
    from orders import inbox, models, outbox, stock  # noqa: F401  (registers the tables)
    from schedules import models as schedule_models  # noqa: F401
    from suppliers import models as supplier_models  # noqa: F401

    SQLModel.metadata.create_all(engine)
