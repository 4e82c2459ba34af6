"""SQLite specifics: the bot writes under the write lock, readers are never blocked by it."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.app import build_app
from bot.replay import final_orders
from bot.settings import Settings
from orders.db import take_write_lock_at_begin
from orders.messages import InboundMessage

FISH = Path(__file__).parent / "fixtures" / "fish-club" / "catalog.yaml"
PARIS = ZoneInfo("Europe/Paris")


def test_a_reader_is_not_blocked_by_a_writer(tmp_path: Path) -> None:
    app = build_app(Settings(database_url=f"sqlite:///{tmp_path / 'l.sqlite3'}"))
    try:
        club = app.import_catalog(FISH, bind=("test", "c"))
        app.bot.handle(
            InboundMessage(
                "test",
                "c",
                "m1",
                "u-laure",
                "Laure",
                "2 soles",
                datetime(2026, 11, 2, 9, tzinfo=PARIS),
            )
        )
        writer = app.engine.connect()
        take_write_lock_at_begin(writer)
        with writer.begin():
            writer.execute(text("UPDATE club SET pickup = 'ailleurs'"))
            started = time.monotonic()
            assert final_orders(app, club.club_id) == {"u-laure": {"sole": 2}}
            assert time.monotonic() - started < 1
        writer.close()
    finally:
        app.close()


def test_the_hour_repeated_at_the_dst_change_is_stored_twice(tmp_path: Path) -> None:
    app = build_app(Settings(database_url=f"sqlite:///{tmp_path / 'l.sqlite3'}"))
    try:
        app.import_catalog(FISH, bind=("test", "c"))
        first = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS, fold=0)
        second = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS, fold=1)
        for number, when in enumerate((first, second)):
            app.bot.handle(
                InboundMessage("test", "c", f"m{number}", "u-laure", "Laure", "bonjour", when)
            )
        with app.engine.connect() as conn:
            stamps = [
                row[0]
                for row in conn.execute(text("SELECT sent_at FROM inboundrecord ORDER BY id"))
            ]
        assert stamps == ["2026-10-25 00:30:00.000000", "2026-10-25 01:30:00.000000"]
    finally:
        app.close()


def test_the_fast_path_gives_a_left_out_column_its_python_default(tmp_path: Path) -> None:
    """Inserts that bypass SQLAlchemy still write what SQLAlchemy would have written."""
    from sqlalchemy import insert, select

    from orders.fastsql import Prepared
    from orders.models import Clarification

    table = Clarification.__table__  # type: ignore[attr-defined]
    app = build_app(Settings(database_url=f"sqlite:///{tmp_path / 'l.sqlite3'}"))
    try:
        with app.engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            with conn.begin():
                row = {
                    "window_id": 1,
                    "member_id": 1,
                    "record_id": 1,
                    "kind": "unit",
                    "created_at": datetime(2026, 11, 2, 9, tzinfo=PARIS),
                }
                Prepared(insert(table)).insert(conn, row)
                conn.execute(insert(table), row)
                stored = conn.execute(select(table.c.mode, table.c.status)).all()
        assert stored == [("set", "open"), ("set", "open")]
    finally:
        app.close()


def test_a_ledger_from_an_earlier_version_gets_the_indexes_added_since(tmp_path: Path) -> None:
    from sqlalchemy import inspect

    from orders.db import create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    create_schema(engine)
    with engine.begin() as conn:  # the ledger as an earlier version left it
        conn.execute(text("DROP INDEX ix_clarification_member_open_window"))
        conn.execute(
            text("CREATE INDEX ix_clarification_member_open ON clarification (member_id, status)")
        )
    create_schema(engine)
    names = {index["name"] for index in inspect(engine).get_indexes("clarification")}
    assert "ix_clarification_member_open_window" in names
    engine.dispose()
