"""Running the clubs' weeks with APScheduler 3: jobs derived from the schedule rows.

The schedule rows are the truth; on every pass the jobs are derived from them
(one per club and step, id ``week:<club>:<step>``, ``replace_existing``), each a
module-level function with plain arguments, a ``DateTrigger`` at the step's
next (or just missed) instant in UTC, its own ``misfire_grace_time`` (how long
the step stays useful: a late supplier's order still goes, a reminder after
pickup does not) and ``coalesce``. What ran is recorded in :class:`JobRun`, so a
restart neither repeats nor forgets a step. Only one process per database runs
the jobs: the holder of a PostgreSQL advisory lock, or of a lease row on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from orders.db import take_write_lock_at_begin
from schedules.clock import Clock
from schedules.cycle import Cycle, club_week, run_step
from schedules.models import ClubSchedule, JobRun, SchedulerLease
from schedules.week import JOB_EVENTS, following, previous

log = logging.getLogger("orderbot.schedule")
run_t, lease_t = JobRun.__table__, SchedulerLease.__table__  # type: ignore[attr-defined]
schedule_t = ClubSchedule.__table__  # type: ignore[attr-defined]

# The step after which each step is no longer worth running.
USEFUL_UNTIL = {
    "opens": "closes",
    "last_call": "closes",
    "closes": "opens",
    "supplier": "pickup",
    "confirm_by": "pickup",
    "reminder": "pickup",
    "not_collected": "opens",
}
ADVISORY_KEY = 0x6F72646572626F74 & 0x7FFFFFFFFFFFFFFF  # "orderbot"
_RUNNING: dict[str, WeeklyScheduler] = {}


def run_week_step(runner: str, club_id: int, event: str, due: str) -> str:
    """The job every step runs as: plain arguments, so any job store can keep it."""
    scheduler = _RUNNING.get(runner)
    if scheduler is None:
        return "scheduler gone"
    return scheduler.run_step(club_id, event, datetime.fromisoformat(due))


class _StepScheduler(BaseScheduler):
    """APScheduler driven by our own loop: :meth:`tick` runs what is due, in this thread."""

    def wakeup(self) -> None:
        """Nothing to wake: the loop calls :meth:`tick`."""

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def _create_default_executor(self) -> DebugExecutor:
        return DebugExecutor()

    def tick(self) -> float | None:
        return self._process_jobs()  # type: ignore[no-any-return]


class WeeklyScheduler:
    """Derives each club's jobs from its schedule and runs them, if this process holds the lock."""

    def __init__(
        self, engine: Engine, cycle: Cycle, clock: Clock, *, lease_seconds: float = 120
    ) -> None:
        self.engine = engine
        self.cycle = cycle
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock_conn: Connection | None = None
        self._held = False
        self._scheduler = _StepScheduler(timezone=UTC)
        self.ran: list[tuple[int, str, datetime, str]] = []

    # -- the lock ---------------------------------------------------------------
    def acquire(self) -> bool:
        """Take (or renew) the right to run jobs; False if another process has it."""
        if self.engine.dialect.name == "postgresql":
            self._held = self._advisory()
        else:
            self._held = self._lease()
        return self._held

    def _advisory(self) -> bool:
        if self._held and self._lock_conn is not None:
            try:
                self._lock_conn.execute(text("select 1"))
                self._lock_conn.commit()
                return True
            except Exception:
                self._drop_lock_conn(invalidate=True)
        self._lock_conn = self._lock_conn or self.engine.connect()
        got = bool(
            self._lock_conn.execute(
                text("select pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}
            ).scalar()
        )
        self._lock_conn.commit()
        if not got:
            self._drop_lock_conn()
        return got

    def _drop_lock_conn(self, *, invalidate: bool = False) -> None:
        # A pooled connection outlives close(): one whose session may still hold the lock
        # is invalidated so the pool never hands that session out again.
        if self._lock_conn is not None:
            with contextlib.suppress(Exception):
                if invalidate:
                    self._lock_conn.invalidate()
                self._lock_conn.close()
            self._lock_conn = None

    def _lease(self) -> bool:
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = conn.execute(select(lease_t).where(lease_t.c.name == "weekly")).first()
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            lease_t.insert().values(
                                name="weekly", holder=self.name, expires_at=now + self.lease
                            )
                        )
                except IntegrityError:
                    return False
                return True
            if row.holder != self.name and row.expires_at > now:
                return False
            done = conn.execute(
                lease_t.update()
                .where(lease_t.c.name == "weekly", lease_t.c.holder == row.holder,
                       lease_t.c.expires_at == row.expires_at)
                .values(holder=self.name, expires_at=now + self.lease)
            )  # fmt: skip
            return done.rowcount == 1

    def release(self) -> None:
        """Give the lock up (on shutdown), so another process takes over at once."""
        if self.engine.dialect.name == "postgresql":
            if self._held and self._lock_conn is not None:
                with contextlib.suppress(Exception):
                    self._lock_conn.execute(
                        text("select pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY}
                    )
                    self._lock_conn.commit()
            self._drop_lock_conn()
        elif self._held:
            with self.engine.begin() as conn:
                conn.execute(
                    lease_t.delete().where(
                        lease_t.c.name == "weekly", lease_t.c.holder == self.name
                    )
                )
        self._held = False

    # -- jobs -------------------------------------------------------------------
    def start(self) -> None:
        _RUNNING[self.name] = self
        self._scheduler.start()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._scheduler.shutdown(wait=False)
        _RUNNING.pop(self.name, None)
        self.release()

    def jobs(self) -> list[Any]:
        return list(self._scheduler.get_jobs())

    def sync(self) -> int:
        """(Re)derive every scheduled club's jobs from its rows; return how many there are."""
        now = self.clock.now()
        with self.engine.connect() as conn:
            club_ids = list(conn.execute(select(schedule_t.c.club_id)).scalars())
            wanted: dict[str, tuple[int, str, datetime, float]] = {}
            for club_id in club_ids:
                for event, due, grace in self._plan(conn, club_id, now):
                    wanted[f"week:{club_id}:{event}"] = (club_id, event, due, grace)
        for job in self._scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
        for job_id, (club_id, event, due, grace) in wanted.items():
            current = self._scheduler.get_job(job_id)
            if current is not None and current.args[3] == due.isoformat():
                continue
            self._scheduler.add_job(
                run_week_step,
                DateTrigger(run_date=due, timezone=UTC),
                args=[self.name, club_id, event, due.isoformat()],
                id=job_id,
                name=job_id,
                replace_existing=True,
                misfire_grace_time=int(grace),
                coalesce=True,
                max_instances=1,
            )
        return len(wanted)

    def _plan(
        self, conn: Connection, club_id: int, now: datetime
    ) -> Iterator[tuple[str, datetime, float]]:
        week = club_week(conn, club_id)
        if week is None:
            return
        for event in JOB_EVENTS:
            when = week.times.get(event)
            if when is None:
                continue
            last = previous(when, week.zone, now)
            grace = self._grace(week, event, last)
            useful = (now - last).total_seconds() <= grace
            known = week.since is not None and last >= week.since
            if useful and known and not self._done(conn, club_id, event, last):
                yield event, last, grace  # missed while down, still useful: runs at once
            else:
                due = following(when, week.zone, now)
                yield event, due, self._grace(week, event, due)

    @staticmethod
    def _grace(week: Any, event: str, due: datetime) -> float:
        limit = week.times.get(USEFUL_UNTIL[event])
        if limit is None:
            return 3600.0
        return max(60.0, (following(limit, week.zone, due) - due).total_seconds() - 1)

    @staticmethod
    def _done(conn: Connection, club_id: int, event: str, due: datetime) -> bool:
        found = conn.execute(
            select(run_t.c.id).where(
                run_t.c.club_id == club_id, run_t.c.event == event, run_t.c.due_at == due
            )
        ).first()
        return found is not None

    def run_step(self, club_id: int, event: str, due: datetime) -> str:
        """Run one step once: its JobRun row and its effects commit together."""
        now = self.clock.now()
        try:
            with self.engine.connect() as conn:
                # Like the bot's own connection: wait for the write lock up front (SQLite).
                take_write_lock_at_begin(conn)
                with conn.begin():
                    conn.execute(
                        run_t.insert().values(club_id=club_id, event=event, due_at=due, ran_at=now)
                    )
                    what = run_step(conn, self.cycle, club_id, event, now)
        except IntegrityError:
            what = "already ran"
        log.info("club=%s step=%s due=%s: %s", club_id, event, due.isoformat(), what)
        self.ran.append((club_id, event, due, what))
        return what

    def tick(self) -> float:
        """One pass: hold the lock, derive the jobs, run what is due; seconds until the next."""
        if not self.acquire():
            return self.lease.total_seconds() / 2
        self.sync()
        wait = self._scheduler.tick()
        self.sync()  # a step that ran makes way for its next occurrence
        lease_wait = self.lease.total_seconds() / 2
        return lease_wait if wait is None else min(wait, lease_wait)

    async def run(self, stop: asyncio.Event, *, at_most: float = 60.0) -> None:
        """Tick until ``stop`` is set (the `orderbot serve` background task)."""
        self.start()
        try:
            while not stop.is_set():
                try:
                    wait = await asyncio.to_thread(self.tick)
                except Exception:
                    log.exception("weekly scheduler pass failed; trying again")
                    wait = at_most
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=max(0.05, min(wait, at_most)))
        finally:
            self.stop()


@contextlib.contextmanager
def following_clock(clock: Clock) -> Iterator[None]:
    """Make APScheduler read ``clock`` instead of the system time (tests, the accelerated demo).

    APScheduler 3 calls ``datetime.now()`` itself when it looks for due jobs and
    checks misfires; this swaps the ``datetime`` its two modules use for one that
    asks ``clock``, and puts the real one back on exit.
    """
    import apscheduler.executors.base as executors
    import apscheduler.schedulers.base as schedulers

    class _ClockDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            current = clock.now()
            return current.astimezone(tz) if tz is not None else current.replace(tzinfo=None)

    saved = schedulers.datetime, executors.datetime
    schedulers.datetime = executors.datetime = _ClockDatetime  # type: ignore[misc]
    try:
        yield
    finally:
        schedulers.datetime, executors.datetime = saved  # type: ignore[misc]
