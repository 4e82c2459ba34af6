"""The outbox: every message the bot sends, written in the transaction that caused it.

A reply is a row here before it is anything else, so a crash after the ledger
changed can never lose the answer, and a redelivered message (a duplicate, which
changes nothing) can never queue it twice. A sender claims a row (``sending``,
attempts + 1, committed) *before* calling the platform and marks it ``sent`` with
the platform's message id after. A row a killed process left in ``sending`` may or
may not have reached the platform: :func:`recover` sends again only kinds that are
harmless to repeat (a reaction) and marks the others ``uncertain``, never resent.

Platform-neutral: the platform is a name and the payload a JSON object that the
platform's sender reads (an emoji, attachments, a template id).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from orders.db import UTCDateTime

PRIORITY_REPLY = 0  # something to say to a member: a question, a refusal
PRIORITY_NORMAL = 10
PRIORITY_ACK = 20  # "noted" without words: a reaction, a grouped acknowledgement
PRIORITY_BULK = 30  # reminders to every member, exports

PENDING, SENDING, SENT = "pending", "sending", "sent"
FAILED, MERGED, UNCERTAIN = "failed", "merged", "uncertain"


class OutboxItem(SQLModel, table=True):
    """One message to send (or reaction to set), and what became of it."""

    __table_args__ = (Index("ix_outbox_due", "status", "priority", "not_before"),)
    id: int | None = Field(default=None, primary_key=True)
    club_id: int | None = Field(default=None, foreign_key="club.id")
    platform: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)
    kind: str = Field(default="reply", max_length=16)
    text: str = Field(default="", sa_type=Text)  # type: ignore[call-overload]
    reply_to: str | None = Field(default=None, max_length=160)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    priority: int = PRIORITY_NORMAL
    status: str = Field(default=PENDING, max_length=10)
    attempts: int = 0
    not_before: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]
    created_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # type: ignore[call-overload]
    remote_id: str | None = Field(default=None, max_length=160)
    error: str = Field(default="", max_length=500)


outbox_t = OutboxItem.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An outbox row as senders see it."""

    id: int
    club_id: int | None
    platform: str
    chat_id: str
    kind: str
    text: str
    reply_to: str | None
    payload: dict[str, Any]
    priority: int
    status: str
    attempts: int
    not_before: datetime
    created_at: datetime
    remote_id: str | None
    error: str
    dedupe_key: str | None


_COLUMNS = [outbox_t.c[name] for name in OutboxRow.__slots__]  # type: ignore[attr-defined]


def _row(found: Any) -> OutboxRow:
    values = list(found)
    values[7] = values[7] or {}
    return OutboxRow(*values)


def enqueue(
    conn: Connection,
    *,
    platform: str,
    chat_id: str,
    now: datetime,
    text: str = "",
    kind: str = "reply",
    club_id: int | None = None,
    reply_to: str | None = None,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    priority: int = PRIORITY_NORMAL,
    not_before: datetime | None = None,
) -> int | None:
    """Queue one message; with ``dedupe_key``, a second call queues nothing and returns None.

    The dedupe key is what makes a scheduled send that runs twice (a restart, two
    workers) go out once: the job derives it from what it sends and for which week.
    """
    values = {
        "club_id": club_id,
        "platform": platform,
        "chat_id": chat_id,
        "kind": kind,
        "text": text,
        "reply_to": reply_to,
        "payload": payload or {},
        "dedupe_key": dedupe_key,
        "priority": priority,
        "status": PENDING,
        "attempts": 0,
        "not_before": not_before or now,
        "created_at": now,
        "error": "",
    }
    if dedupe_key is not None and queued(conn, dedupe_key) is not None:
        return None
    if dedupe_key is None:
        return int(conn.execute(insert(outbox_t).values(values)).inserted_primary_key[0])
    try:
        with conn.begin_nested():
            result = conn.execute(insert(outbox_t).values(values))
    except IntegrityError:
        return None  # another worker queued the same key a moment ago
    return int(result.inserted_primary_key[0])


def queued(conn: Connection, dedupe_key: str) -> OutboxRow | None:
    """The row queued under a dedupe key, if any."""
    found = conn.execute(select(*_COLUMNS).where(outbox_t.c.dedupe_key == dedupe_key)).first()
    return _row(found) if found is not None else None


def find(conn: Connection, item_id: int) -> OutboxRow | None:
    found = conn.execute(select(*_COLUMNS).where(outbox_t.c.id == item_id)).first()
    return _row(found) if found is not None else None


def due(
    conn: Connection,
    now: datetime,
    *,
    platforms: Collection[str] | None = None,
    limit: int = 200,
) -> list[OutboxRow]:
    """Pending rows whose time has come, most urgent first, oldest first within a priority."""
    statement = select(*_COLUMNS).where(outbox_t.c.status == PENDING, outbox_t.c.not_before <= now)
    if platforms is not None:
        statement = statement.where(outbox_t.c.platform.in_(list(platforms)))
    statement = statement.order_by(outbox_t.c.priority, outbox_t.c.id).limit(limit)
    return [_row(r) for r in conn.execute(statement)]


def next_due(conn: Connection, *, platforms: Collection[str] | None = None) -> datetime | None:
    """When the next pending row becomes due (for a worker deciding how long to sleep)."""
    statement = select(func.min(outbox_t.c.not_before)).where(outbox_t.c.status == PENDING)
    if platforms is not None:
        statement = statement.where(outbox_t.c.platform.in_(list(platforms)))
    value = conn.execute(statement).scalar()
    return UTCDateTime().process_result_value(value, conn.dialect) if value is not None else None


def claim(conn: Connection, item_id: int, now: datetime) -> bool:
    """Mark a row as being sent; False if another worker took it or it is no longer due."""
    result = conn.execute(
        update(outbox_t)
        .where(outbox_t.c.id == item_id, outbox_t.c.status == PENDING)
        .values(status=SENDING, attempts=outbox_t.c.attempts + 1, sent_at=now)
    )
    return result.rowcount == 1


def mark_sent(conn: Connection, item_id: int, now: datetime, remote_id: str | None) -> None:
    conn.execute(
        update(outbox_t)
        .where(outbox_t.c.id == item_id)
        .values(status=SENT, sent_at=now, remote_id=remote_id, error="")
    )


def mark_retry(conn: Connection, item_id: int, not_before: datetime, error: str) -> None:
    """Put a claimed row back in the queue, not to be tried before ``not_before``."""
    conn.execute(
        update(outbox_t)
        .where(outbox_t.c.id == item_id)
        .values(status=PENDING, not_before=not_before, error=error[:500])
    )


def mark_failed(conn: Connection, item_id: int, now: datetime, error: str) -> None:
    conn.execute(
        update(outbox_t)
        .where(outbox_t.c.id == item_id)
        .values(status=FAILED, sent_at=now, error=error[:500])
    )


def mark_merged(conn: Connection, item_ids: Iterable[int], into_id: int) -> None:
    """Retire rows whose content went out inside another row (a grouped acknowledgement)."""
    ids = list(item_ids)
    if ids:
        conn.execute(
            update(outbox_t)
            .where(outbox_t.c.id.in_(ids), outbox_t.c.status == PENDING)
            .values(status=MERGED, remote_id=f"merged:{into_id}")
        )


def recover(conn: Connection, now: datetime, idempotent_kinds: Collection[str]) -> list[OutboxRow]:
    """Settle the rows a killed process left in ``sending``; return the uncertain ones.

    A repeatable kind (setting a reaction) goes back to the queue; any other row may
    already be on the platform, so it becomes ``uncertain`` and is never sent again.
    """
    stuck = [_row(r) for r in conn.execute(select(*_COLUMNS).where(outbox_t.c.status == SENDING))]
    uncertain = [row for row in stuck if row.kind not in idempotent_kinds]
    retry = [row.id for row in stuck if row.kind in idempotent_kinds]
    if retry:
        conn.execute(
            update(outbox_t).where(outbox_t.c.id.in_(retry)).values(status=PENDING, not_before=now)
        )
    if uncertain:
        conn.execute(
            update(outbox_t)
            .where(outbox_t.c.id.in_([row.id for row in uncertain]))
            .values(status=UNCERTAIN, error="interrupted while sending; not sent again")
        )
    return uncertain


def rows(
    conn: Connection,
    *,
    club_id: int | None = None,
    platform: str | None = None,
    status: str | None = None,
    kind: str | None = None,
) -> list[OutboxRow]:
    """Rows in queue order, filtered: for reports, audits and tests."""
    statement = select(*_COLUMNS)
    for column, value in (
        (outbox_t.c.club_id, club_id),
        (outbox_t.c.platform, platform),
        (outbox_t.c.status, status),
        (outbox_t.c.kind, kind),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return [_row(r) for r in conn.execute(statement.order_by(outbox_t.c.id))]
