"""The inbox: every raw platform delivery, committed before the platform is told it arrived.

Telegram forgets an update once the next ``getUpdates`` confirms it, and Twilio
once its webhook gets a 2xx answer. Writing the raw delivery here first, and only
then confirming, means a crash at any moment loses nothing: whatever is still
``pending`` at start-up is handled again. Handling twice is harmless, since the
core stores each platform message under a unique key and a repeat changes nothing.
The same delivery arriving twice (a retried webhook) is one row: ``(source, key)``
is unique.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from orders.db import UTCDateTime

PENDING, DONE, FAILED = "pending", "done", "failed"


class InboxItem(SQLModel, table=True):
    """One platform delivery as it arrived (usually its JSON), and whether it was handled."""

    __table_args__ = (
        UniqueConstraint("source", "key"),
        Index("ix_inbox_status", "status", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    key: str = Field(max_length=160)
    payload: str = Field(default="", sa_type=Text)  # type: ignore[call-overload]
    received_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]
    status: str = Field(default=PENDING, max_length=8)
    attempts: int = 0
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # type: ignore[call-overload]
    error: str = Field(default="", max_length=500)


inbox_t = InboxItem.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class InboxRow:
    id: int
    source: str
    key: str
    payload: str
    received_at: datetime
    attempts: int


_COLUMNS = [inbox_t.c[name] for name in InboxRow.__slots__]  # type: ignore[attr-defined]


def put(conn: Connection, *, source: str, key: str, payload: str, now: datetime) -> bool:
    """Record a delivery; False (and nothing written) when ``(source, key)`` is already here."""
    if known(conn, source, key):
        return False
    try:
        with conn.begin_nested():
            conn.execute(
                insert(inbox_t).values(
                    source=source,
                    key=key[:160],
                    payload=payload,
                    received_at=now,
                    status=PENDING,
                    attempts=0,
                    error="",
                )
            )
    except IntegrityError:
        return False  # the same delivery, recorded by another request a moment ago
    return True


def known(conn: Connection, source: str, key: str) -> bool:
    found = conn.execute(
        select(inbox_t.c.id).where(inbox_t.c.source == source, inbox_t.c.key == key[:160])
    ).first()
    return found is not None


def pending(
    conn: Connection, *, sources: Collection[str] | None = None, limit: int = 100
) -> list[InboxRow]:
    """Deliveries not handled yet, in arrival order."""
    statement = select(*_COLUMNS).where(inbox_t.c.status == PENDING)
    if sources is not None:
        statement = statement.where(inbox_t.c.source.in_(list(sources)))
    statement = statement.order_by(inbox_t.c.id).limit(limit)
    return [InboxRow(*r) for r in conn.execute(statement)]


def mark_done(conn: Connection, item_id: int, now: datetime) -> None:
    conn.execute(
        update(inbox_t)
        .where(inbox_t.c.id == item_id)
        .values(status=DONE, handled_at=now, attempts=inbox_t.c.attempts + 1)
    )


def mark_retry(conn: Connection, item_id: int, error: str) -> None:
    """Count a failed attempt; the row stays pending and is tried again later."""
    conn.execute(
        update(inbox_t)
        .where(inbox_t.c.id == item_id)
        .values(attempts=inbox_t.c.attempts + 1, error=error[:500])
    )


def mark_failed(conn: Connection, item_id: int, now: datetime, error: str) -> None:
    """Give up on a delivery that keeps failing; it stays in the table for an audit."""
    conn.execute(
        update(inbox_t)
        .where(inbox_t.c.id == item_id)
        .values(status=FAILED, handled_at=now, attempts=inbox_t.c.attempts + 1, error=error[:500])
    )


def counts(conn: Connection) -> dict[str, int]:
    """How many deliveries are in each state (for /healthz)."""
    statement = select(inbox_t.c.status, func.count()).group_by(inbox_t.c.status)
    return {status: int(n) for status, n in conn.execute(statement)}
