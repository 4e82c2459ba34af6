"""Database engine and column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel, create_engine

EXAMPLES = "sqlite:///orderbot.sqlite3 or postgresql+psycopg://USER@HOST:5432/DB"
# The pip extra that brings each database driver the ledger can use.
DRIVER_EXTRAS = {"psycopg": "postgres", "psycopg2": "postgres"}


class LedgerUnavailable(RuntimeError):
    """The ledger cannot be opened: one line with the cause and what to do."""


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
    """Create an engine for ``url``; SQLite gets WAL and foreign keys switched on.

    Raises :class:`LedgerUnavailable` for a URL that cannot name a ledger here.
    """
    _check_url(url)
    # hide_parameters: an error logged from the ledger never shows ids or message text.
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "factory": _SQLiteConnection}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(url, **kwargs)
    except ImportError as exc:
        module = (exc.name or "its driver").split(".")[0]
        extra = DRIVER_EXTRAS.get(module)
        fix = f"pip install 'orderbot[{extra}]'" if extra else f"pip install {module}"
        raise LedgerUnavailable(
            f"the ledger {_shown(url)} needs the Python module {module}, which is not "
            f"installed: {fix}"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # SQLAlchemy calls do_begin inside its own error handling: a locked database
        # then fails like any other statement and leaves the connection usable.
        engine.dialect.do_begin = _sqlite_begin  # type: ignore[method-assign]
    return engine


def _check_url(url: str) -> None:
    """Refuse what is not a URL of a database SQLAlchemy knows, and missing SQLite folders."""
    try:
        parsed = make_url(url)
        parsed.get_dialect()
    except NoSuchModuleError:
        raise LedgerUnavailable(
            f"unknown kind of database {url.split(':', 1)[0]!r} in the ledger URL "
            f"(DATABASE_URL or --database); use {EXAMPLES}"
        ) from None
    except ArgumentError:
        raise LedgerUnavailable(
            f"{url!r} is not a database URL (DATABASE_URL or --database); use {EXAMPLES}"
        ) from None
    except ImportError:
        return  # a missing driver: make_engine says which pip install brings it
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:"):
        folder = Path(database).parent
        if not database.startswith("file:") and not folder.is_dir():
            raise LedgerUnavailable(
                f"the folder {folder} does not exist (ledger file {database}): create it, "
                "or set DATABASE_URL to a file in an existing folder"
            )


def _shown(url: str) -> str:
    """The URL as it may be printed: never with its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


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
    """Create every ledger table and index that does not exist yet.

    This is the first time the ledger is reached: a server that refuses, a missing
    database or a file that is not one raises :class:`LedgerUnavailable`.
    """
    from orders import inbox, models, outbox, stock  # noqa: F401  (registers the tables)
    from schedules import models as schedule_models  # noqa: F401
    from suppliers import models as supplier_models  # noqa: F401

    try:
        SQLModel.metadata.create_all(engine)
        # A ledger made by an earlier version gets the indexes added since.
        for table in SQLModel.metadata.sorted_tables:
            for index in table.indexes:
                index.create(engine, checkfirst=True)
    except DBAPIError as exc:
        cause = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise LedgerUnavailable(
            f"cannot reach the ledger {engine.url.render_as_string(hide_password=True)}: "
            f"{cause.removeprefix('connection failed: ')} (check DATABASE_URL or --database)"
        ) from None
