"""A club's week run by a real APScheduler on a real SQLite file, on an injected clock.

The clock walks the week in quarter-hours across the end of summer time in
Europe/Paris; restarts happen while a step is due and after a step stopped
being useful; two schedulers on one database run each step once.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from weekly_helpers import Thread, club_app, scheduler, weekly_catalog

from orders import outbox
from schedules.clock import FixedClock
from schedules.models import JobRun
from schedules.runner import WeeklyScheduler, following_clock
from schedules.week import occurrences, parse_when

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)  # type: ignore[misc]


def walk(
    runners: list[WeeklyScheduler], clock: FixedClock, until: datetime, step: int = 15
) -> None:
    """Tick every scheduler, then move the clock on, until ``until``."""
    while clock.now() < until:
        for runner in runners:
            runner.tick()
        clock.advance(minutes=step)
    for runner in runners:
        runner.tick()


def kinds(app, kind: str) -> list[outbox.OutboxRow]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as conn:
        return [row for row in outbox.rows(conn) if row.kind == kind]


def test_a_whole_week_across_the_end_of_summer_time(tmp_path: Path) -> None:
    clock = FixedClock(paris(2026, 10, 24, 12, 0))  # Saturday; clocks go back Sunday 25th
    app, _club_id, recorder = club_app(tmp_path / "week.sqlite3", clock, weekly_catalog(tmp_path))
    thread = Thread(app, clock)
    with following_clock(clock):
        runner = scheduler(app)
        walk([runner], clock, paris(2026, 10, 26, 9, 0))
        assert "Noté" in thread.say("2 kg de moules").replies[0].text
        thread.say("une dorade", author="u-paul")
        walk([runner], clock, paris(2026, 10, 29, 20, 15))
        late = thread.say("1 kg de moules", author="u-zoe")
        assert "closes" in late.replies[0].text
        walk([runner], clock, paris(2026, 10, 31, 10, 15))
        assert "Laure" in thread.say("/recupere laure", author="u-patrick").replies[0].text
        walk([runner], clock, paris(2026, 10, 31, 15, 0))
        runner.stop()

    ran = [(event, due) for _club, event, due, _what in runner.ran]
    assert ran == [
        ("not_collected", paris(2026, 10, 24, 12, 30)),  # no week yet: nothing to say
        ("opens", paris(2026, 10, 24, 14, 0)),
        ("last_call", paris(2026, 10, 28, 18, 0)),
        ("closes", paris(2026, 10, 29, 20, 0)),
        ("supplier", paris(2026, 10, 29, 20, 30)),
        ("confirm_by", paris(2026, 10, 30, 12, 0)),
        ("reminder", paris(2026, 10, 31, 8, 0)),
        ("not_collected", paris(2026, 10, 31, 12, 30)),
        ("opens", paris(2026, 10, 31, 14, 0)),
    ]
    # Before the change Paris is UTC+2, after it UTC+1: both show on the UTC instants.
    assert ran[1][1] == datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert ran[2][1] == datetime(2026, 10, 28, 17, 0, tzinfo=UTC)
    assert runner.ran[0][3] == "no week"
    assert [item.kind for item in recorder.items] == [
        "opening", "last_call", "closing", "pickup_reminder", "opening",
    ]  # fmt: skip
    reminder = recorder.items[3]
    assert set(reminder.bags) == {"u-laure", "u-paul"}
    assert "13,00 €" in reminder.bags["u-laure"] and "Moules" in reminder.bags["u-laure"]
    assert "grange" in reminder.text
    [order] = kinds(app, "supplier_order")
    assert (order.platform, order.chat_id) == ("email", "charles@example.fr")
    assert "Laure" in order.text and "Paul" in order.text and "Zoe" not in order.text
    [unconfirmed] = kinds(app, "unconfirmed")
    assert "pas encore confirmé" in unconfirmed.text
    [missing] = kinds(app, "not_collected")
    assert "Paul" in missing.text and "Laure" not in missing.text
    app.close()


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # 02:30 does not exist on 28 March 2027: the step runs when clocks jump, once.
        ((2027, 3, 20), (2027, 4, 5), [(3, 21, 1, 30), (3, 28, 1, 30), (4, 4, 0, 30)]),
        # 02:30 exists twice on 25 October 2026: the step runs at the first, once.
        ((2026, 10, 17), (2026, 11, 2), [(10, 18, 0, 30), (10, 25, 0, 30), (11, 1, 1, 30)]),
    ],
)
def test_a_step_inside_a_changing_hour_runs_once(
    tmp_path: Path, start: tuple[int, int, int], end: tuple[int, int, int], expected: list
) -> None:
    year = start[0]
    schedule = {"last_call": "sun 02:30", "opens": "sat 14:00", "closes": "mon 20:00"}
    catalog = weekly_catalog(tmp_path, schedule=schedule)
    clock = FixedClock(paris(*start, 12, 0))
    app, _club_id, _recorder = club_app(tmp_path / "dst.sqlite3", clock, catalog)
    with following_clock(clock):
        runner = scheduler(app)
        walk([runner], clock, paris(*end, 0, 0), step=10)
        runner.stop()
    calls = [due for _c, event, due, _w in runner.ran if event == "last_call"]
    assert calls == [datetime(year, m, d, h, mi, tzinfo=UTC) for m, d, h, mi in expected]
    # The pure computation agrees with what the scheduler did.
    when = parse_when("sun 02:30")
    assert when is not None
    assert occurrences(when, PARIS, paris(*start, 12, 0), paris(*end, 0, 0)) == calls
    app.close()


def _week_until_close(tmp_path: Path, clock: FixedClock):  # type: ignore[no-untyped-def]
    app, club_id, recorder = club_app(tmp_path / "restart.sqlite3", clock, weekly_catalog(tmp_path))
    thread = Thread(app, clock)
    return app, club_id, recorder, thread


def test_a_restart_while_the_supplier_order_is_due_sends_it_once_late(tmp_path: Path) -> None:
    clock = FixedClock(paris(2026, 11, 28, 15, 0))
    app, _club, _rec, thread = _week_until_close(tmp_path, clock)
    with following_clock(clock):
        first = scheduler(app)
        walk([first], clock, paris(2026, 11, 30, 9, 0))
        thread.say("2 kg de moules")
        walk([first], clock, paris(2026, 12, 3, 20, 15))
        # The process dies without letting go of its lease; back up at 20:40.
        clock.advance(minutes=25)
        second = scheduler(app)
        second.tick()
        second.tick()
        walk([second], clock, paris(2026, 12, 3, 23, 0))
        second.stop()
    # The week was opened by its first order (the schedule was set after Saturday 14:00).
    assert [e for _c, e, _d, _w in first.ran] == ["last_call", "closes"]
    late = [(e, d) for _c, e, d, _w in second.ran]
    assert late[0] == ("supplier", paris(2026, 12, 3, 20, 30))
    assert len(kinds(app, "supplier_order")) == 1
    with app.engine.connect() as conn:
        runs = conn.execute(select(func.count()).select_from(JobRun.__table__)).scalar()
    assert runs == 3
    app.close()


def test_a_restart_after_pickup_does_not_send_the_reminder(tmp_path: Path) -> None:
    clock = FixedClock(paris(2026, 11, 28, 15, 0))
    app, _club, recorder, thread = _week_until_close(tmp_path, clock)
    with following_clock(clock):
        first = scheduler(app)
        walk([first], clock, paris(2026, 11, 30, 9, 0))
        thread.say("2 kg de moules")
        walk([first], clock, paris(2026, 12, 5, 7, 0))
        first.stop()  # a clean stop: the lease is given back
        clock.advance(hours=3, minutes=30)  # down through the reminder and the pickup
        second = scheduler(app)
        walk([second], clock, paris(2026, 12, 5, 13, 0))
        second.stop()
    assert "pickup_reminder" not in [item.kind for item in recorder.items]
    assert "reminder" not in [e for _c, e, _d, _w in first.ran + second.ran]
    # The list of bags not collected (12:30) is still useful, and goes.
    assert [e for _c, e, _d, _w in second.ran] == ["not_collected"]
    app.close()


def test_two_schedulers_on_one_database_run_each_step_once(tmp_path: Path) -> None:
    clock = FixedClock(paris(2026, 11, 28, 12, 0))
    app, _club, recorder, _thread = _week_until_close(tmp_path, clock)
    with following_clock(clock):
        one, two = scheduler(app), scheduler(app)
        walk([one, two], clock, paris(2026, 12, 3, 21, 0))
        assert one.acquire() and not two.acquire()
        steps = [e for _c, e, _d, _w in one.ran]
        # Running a step again by hand (a double fire) changes nothing.
        club_id, event, due, _what = one.ran[-1]
        assert one.run_step(club_id, event, due) == "already ran"
        one.stop()
        two.stop()
    assert two.ran == []
    assert steps == ["not_collected", "opens", "last_call", "closes", "supplier"]
    assert len(kinds(app, "supplier_order")) == 1
    assert [item.kind for item in recorder.items] == ["opening", "last_call", "closing"]
    app.close()


def test_the_lease_passes_to_another_process_when_the_holder_stops_renewing(tmp_path: Path) -> None:
    clock = FixedClock(paris(2026, 11, 28, 12, 0))
    app, _club, _rec, _thread = _week_until_close(tmp_path, clock)
    one = WeeklyScheduler(app.engine, None, clock, lease_seconds=60)  # type: ignore[arg-type]
    two = WeeklyScheduler(app.engine, None, clock, lease_seconds=60)  # type: ignore[arg-type]
    assert one.acquire() and not two.acquire()
    clock.advance(seconds=59)
    assert not two.acquire()
    clock.advance(seconds=2)
    assert two.acquire() and not one.acquire()
    two.release()
    assert one.acquire()
    app.close()


POSTGRES_URL = os.environ.get(
    "ORDERBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.mark.postgres
def test_one_scheduler_per_postgresql_database() -> None:
    from sqlalchemy.exc import OperationalError

    from orders.db import make_engine

    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        pytest.skip(f"PostgreSQL unreachable at 127.0.0.1:5432: {exc.orig}")
    clock = FixedClock(datetime(2026, 12, 1, tzinfo=UTC))
    one = WeeklyScheduler(engine, None, clock)  # type: ignore[arg-type]
    two = WeeklyScheduler(engine, None, clock)  # type: ignore[arg-type]
    try:
        assert one.acquire()
        assert one.acquire()  # renewing keeps it
        assert not two.acquire()
        one.release()
        assert two.acquire()
        assert not one.acquire()
    finally:
        one.release()
        two.release()
        engine.dispose()


def test_walk_helper_moves_time() -> None:
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    walk([], clock, datetime(2026, 1, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2026, 1, 1, 1, tzinfo=UTC) + timedelta(minutes=0)
