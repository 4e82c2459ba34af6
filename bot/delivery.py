"""The two workers every transport shares: the inbox into the core, the outbox out to platforms.

Both are plain loops over database rows, so what they do survives a crash: a
delivery is handled until it is marked done, and a message is sent at most once
(see :mod:`orders.outbox` for the one instant where that means "maybe not at all").
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from orders import inbox, outbox
from orders.inbox import InboxRow
from orders.outbox import OutboxRow
from schedules.clock import Clock

log = logging.getLogger("orderbot.delivery")

InboxHandler = Callable[[InboxRow], Awaitable[None] | None]
FailureHook = Callable[[Connection, OutboxRow, str, datetime], None]


class RetryLater(Exception):
    """A send that may work later: a network error, a 5xx, a 429 with its ``retry_after``."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class SendFailed(Exception):
    """A send the platform refused for good (a bad chat, a blocked bot): not retried."""


class Sender(Protocol):
    """Sends outbox rows of one platform, within that platform's rate limits."""

    platform: str
    idempotent_kinds: frozenset[str]

    def delay(self, row: OutboxRow, now: datetime) -> float:
        """Seconds before the platform's budget allows this row (0: now)."""
        ...

    async def send(self, row: OutboxRow) -> str | None:
        """Send the row; return the platform's id for it."""
        ...


def backoff(attempts: int) -> float:
    """Seconds to wait after the n-th failed attempt: 2, 4, 8 ... capped at 5 minutes."""
    return float(min(2**attempts, 300))


class OutboxWorker:
    """Sends due outbox rows: claim (committed), send, then record the platform's id."""

    def __init__(
        self,
        engine: Engine,
        senders: Sequence[Sender],
        clock: Clock,
        *,
        max_attempts: int = 8,
        on_failure: FailureHook | None = None,
        idle: float = 1.0,
    ) -> None:
        self.engine = engine
        self.senders = {s.platform: s for s in senders}
        self.clock = clock
        self.max_attempts = max_attempts
        self.on_failure = on_failure or report_to_organisers
        self.idle = idle
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look at the queue now rather than at the next tick (a new row was written)."""
        self._wake.set()

    def recover(self) -> list[OutboxRow]:
        """At start-up: settle rows a killed run left half-sent (see :func:`outbox.recover`)."""
        kinds = frozenset().union(*(s.idempotent_kinds for s in self.senders.values()))
        with self.engine.begin() as conn:
            uncertain = outbox.recover(conn, self.clock.now(), kinds)
        for row in uncertain:
            log.warning(
                "outbox row %d (%s %s) was being sent when the bot stopped; not sent again",
                row.id,
                row.platform,
                row.kind,
            )
        return uncertain

    async def run_once(self) -> int:
        """Send every row that is due and allowed now; return how many were attempted."""
        if not self.senders:
            return 0
        now = self.clock.now()
        with self.engine.connect() as conn:
            rows = outbox.due(conn, now, platforms=self.senders.keys())
        attempted = 0
        for row in rows:
            sender = self.senders[row.platform]
            if sender.delay(row, self.clock.now()) > 0:
                continue  # over the platform's budget for that chat: later, in queue order
            if await self._send(sender, row):
                attempted += 1
        return attempted

    async def _send(self, sender: Sender, row: OutboxRow) -> bool:
        with self.engine.begin() as conn:
            # Re-read: the sender may have merged this row into another meanwhile.
            current = outbox.find(conn, row.id)
            if current is None or not outbox.claim(conn, row.id, self.clock.now()):
                return False
        row = current
        try:
            remote_id = await sender.send(row)
        except RetryLater as exc:
            self._retry_or_fail(row, str(exc), exc.after)
        except SendFailed as exc:
            self._fail(row, str(exc))
        except Exception as exc:  # a bug or an unexpected answer: retried, then reported
            log.exception("outbox row %d: unexpected error", row.id)
            self._retry_or_fail(row, f"{type(exc).__name__}: {exc}", None)
        else:
            with self.engine.begin() as conn:
                outbox.mark_sent(conn, row.id, self.clock.now(), remote_id)
        return True

    def _retry_or_fail(self, row: OutboxRow, reason: str, after: float | None) -> None:
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            self._fail(row, reason)
            return
        wait = max(after or 0.0, backoff(attempts))
        log.info("outbox row %d: %s; retry in %.0f s", row.id, reason, wait)
        with self.engine.begin() as conn:
            outbox.mark_retry(conn, row.id, self.clock.now() + timedelta(seconds=wait), reason)

    def _fail(self, row: OutboxRow, reason: str) -> None:
        log.warning("outbox row %d (%s %s) failed: %s", row.id, row.platform, row.kind, reason)
        with self.engine.begin() as conn:
            outbox.mark_failed(conn, row.id, self.clock.now(), reason)
            if row.kind != "report":  # a failed report is not reported again
                self.on_failure(conn, row, reason, self.clock.now())

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set; the row in hand is finished first."""
        self.recover()
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("outbox worker: pass failed; trying again")
            await _sleep_or_wake(self._wake, stop, self.idle)


_REPORT = {
    "fr": "⚠️ Un message du bot ({kind}) n'a pas pu être envoyé à {chat} après {n} essais : {why}",
    "en": "⚠️ A message of the bot ({kind}) could not be sent to {chat} after {n} attempts: {why}",
}


# Platforms whose club "threads" are one-to-one chats (WhatsApp, SMS) tell the organisers
# alone, their own way, rather than post in every thread of the club.
FAILURE_REPORTERS: dict[str, FailureHook] = {}


def report_to_organisers(conn: Connection, row: OutboxRow, reason: str, now: datetime) -> None:
    """Tell the club, in its own threads on that platform, that a message could not be sent."""
    if row.club_id is None:
        return
    special = FAILURE_REPORTERS.get(row.platform)
    if special is not None:
        special(conn, row, reason, now)
        return
    from orders.models import Club, ClubChat

    chat_t, club_t = ClubChat.__table__, Club.__table__  # type: ignore[attr-defined]
    locale = conn.execute(select(club_t.c.locale).where(club_t.c.id == row.club_id)).scalar()
    chats = conn.execute(
        select(chat_t.c.chat_id).where(
            chat_t.c.club_id == row.club_id, chat_t.c.platform == row.platform
        )
    ).scalars()
    template = _REPORT.get(locale or "fr", _REPORT["fr"])
    text = template.format(kind=row.kind, chat=row.chat_id, n=row.attempts + 1, why=reason[:200])
    for chat_id in chats:
        outbox.enqueue(
            conn,
            platform=row.platform,
            chat_id=chat_id,
            club_id=row.club_id,
            kind="report",
            text=text,
            dedupe_key=f"report:{row.id}:{chat_id}",
            priority=outbox.PRIORITY_REPLY,
            now=now,
        )


class InboxWorker:
    """Hands recorded deliveries to their platform's handler, in arrival order."""

    def __init__(
        self,
        engine: Engine,
        handlers: Mapping[str, InboxHandler],
        clock: Clock,
        *,
        max_attempts: int = 5,
        idle: float = 1.0,
        after_each: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.handlers = dict(handlers)
        self.clock = clock
        self.max_attempts = max_attempts
        self.idle = idle
        self.after_each = after_each
        self._wake = asyncio.Event()

    def put(self, source: str, key: str, payload: str) -> bool:
        """Record a delivery (committed when this returns) and wake the loop."""
        with self.engine.begin() as conn:
            new = inbox.put(conn, source=source, key=key, payload=payload, now=self.clock.now())
        if new:
            self._wake.set()
        return new

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Handle every pending delivery; return how many were handled."""
        handled = 0
        while True:
            with self.engine.connect() as conn:
                rows = inbox.pending(conn, sources=self.handlers.keys())
            if not rows:
                return handled
            for row in rows:
                if not await self._handle(row):
                    return handled  # keep arrival order: do not skip past a failing row
                handled += 1

    async def _handle(self, row: InboxRow) -> bool:
        try:
            result = self.handlers[row.source](row)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:
            log.exception("inbox row %d (%s) failed", row.id, row.source)
            with self.engine.begin() as conn:
                if row.attempts + 1 >= self.max_attempts:
                    inbox.mark_failed(conn, row.id, self.clock.now(), f"{type(exc).__name__}")
                    return True  # given up on; the rows behind it go on
                inbox.mark_retry(conn, row.id, f"{type(exc).__name__}: {exc}")
            return False
        with self.engine.begin() as conn:
            inbox.mark_done(conn, row.id, self.clock.now())
        if self.after_each is not None:
            self.after_each()
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Handle deliveries until ``stop`` is set; the one in hand is finished first."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("inbox worker: pass failed; trying again")
            await _sleep_or_wake(self._wake, stop, self.idle)


async def _sleep_or_wake(wake: asyncio.Event, stop: asyncio.Event, seconds: float) -> None:
    """Wait until woken, stopped, or ``seconds`` have passed."""
    wake.clear()
    waiters = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
