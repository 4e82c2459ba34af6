"""Group commit: ``handle_batch`` gives the ledger single delivery gives, duplicates included."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.app import App, build_app
from bot.replay import final_orders
from bot.settings import Settings
from bot.threads import read_thread
from orders.models import InboundRecord, OrderChange

FIXTURES = Path(__file__).parent / "fixtures"
THREADS = sorted(FIXTURES.glob("*/*.thread.jsonl"))
HELD_OUT = sorted(Path(__file__).parent.glob("heldout*/*/*.thread.jsonl"))


def _app(tmp_path: Path, thread: Path, name: str) -> tuple[App, int, list]:
    app = build_app(Settings(database_url=f"sqlite:///{tmp_path / name}.sqlite3"))
    messages = list(read_thread(thread, platform="test", chat_id="chat"))
    club = app.import_catalog(thread.parent / "catalog.yaml", bind=("test", "chat"))
    return app, club.club_id, messages


@pytest.mark.parametrize("thread", THREADS + HELD_OUT, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_batches_give_the_same_orders_as_single_delivery(tmp_path: Path, thread: Path) -> None:
    single, single_club, messages = _app(tmp_path, thread, "single")
    batched, batched_club, _ = _app(tmp_path, thread, "batched")
    try:
        for message in messages:
            single.bot.handle(message)
        for start in range(0, len(messages), 7):
            outcomes = batched.bot.handle_batch(messages[start : start + 7])
            assert all(o.kind != "error" for o in outcomes)
        assert final_orders(batched, batched_club) == final_orders(single, single_club)
        assert final_orders(single, single_club)
    finally:
        single.close()
        batched.close()


def test_a_duplicate_inside_a_batch_counts_once(tmp_path: Path) -> None:
    app, club_id, messages = _app(tmp_path, THREADS[0], "dup")
    try:
        orders = [m for m in messages if m.author_id == "u-laure"][:1]
        outcomes = app.bot.handle_batch([orders[0], orders[0]])
        assert [o.duplicate for o in outcomes] == [False, True]
        again = app.bot.handle_batch([orders[0], replace(orders[0], message_id="other")])
        assert again[0].duplicate and not again[1].duplicate
        assert final_orders(app, club_id)["u-laure"] == {"moules": 1, "dorade": 2}
    finally:
        app.close()


def test_fast_path_rows_read_back_through_sqlalchemy(tmp_path: Path) -> None:
    """What the SQLite fast path writes is what the SQLAlchemy models read."""
    app, _club_id, messages = _app(tmp_path, THREADS[0], "rows")
    try:
        first = next(m for m in messages if m.author_id == "u-laure")
        app.bot.handle(first)
        with Session(app.engine) as session:
            record = session.exec(
                select(InboundRecord).where(InboundRecord.message_id == first.message_id)
            ).one()
            change = session.exec(select(OrderChange)).first()
        assert record.sent_at == first.sent_at
        assert record.ops and record.ops[0][0] == "set"
        assert change is not None and change.after in (Decimal(1), Decimal(2))
        assert change.changed_at == first.sent_at
    finally:
        app.close()
