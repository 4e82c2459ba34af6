"""Two workers on one ledger: a member's additions never overwrite each other."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import orders.models  # noqa: F401  (registers the tables to drop)
from bot.app import App, build_app
from bot.replay import final_orders
from bot.settings import Settings
from orders.db import make_engine
from orders.messages import InboundMessage

FISH = Path(__file__).parent / "fixtures" / "fish-club" / "catalog.yaml"
POSTGRES = os.environ.get(
    "ORDERBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
ROUNDS = 25


def _message(worker: int, n: int, text_: str, author: str = "u-laure") -> InboundMessage:
    return InboundMessage(
        "test",
        "chat-1",
        f"w{worker}-{n}",
        author,
        author[2:].title(),
        text_,
        START + timedelta(seconds=n),
    )


def _race(first: App, second: App, club_id: int) -> None:
    first.bot.handle(_message(0, 0, "2 bars"))
    errors: list[str] = []

    def worker(app: App, number: int) -> None:
        for n in range(1, ROUNDS + 1):
            outcome = app.bot.handle(_message(number, n, "+1 bar"))
            if outcome.kind == "error" or outcome.duplicate:
                errors.append(f"worker {number} message {n}: {outcome.kind}")

    threads = [threading.Thread(target=worker, args=pair) for pair in ((first, 1), (second, 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert final_orders(first, club_id) == {"u-laure": {"bar": 2 + 2 * ROUNDS}}


def _race_on(url: str) -> None:
    first = build_app(Settings(database_url=url))
    second = build_app(Settings(database_url=url))
    try:
        club = first.import_catalog(FISH, bind=("test", "chat-1"))
        _race(first, second, club.club_id)
    finally:
        first.close()
        second.close()


def test_two_workers_on_one_sqlite_file(tmp_path: Path) -> None:
    _race_on(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")


@pytest.mark.postgres
def test_two_workers_on_postgresql() -> None:
    engine = make_engine(POSTGRES)
    try:
        with engine.begin() as conn:
            for table in inspect(conn).get_table_names():
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        SQLModel.metadata.drop_all(engine)
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES}: {type(exc).__name__}")
    finally:
        engine.dispose()
    _race_on(POSTGRES)
