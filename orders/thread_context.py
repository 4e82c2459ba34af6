"""What was said just before a message in its thread, for "pareil" or "I'll take a case"
written without a reply link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, select
from sqlalchemy.engine import Connection

from orders.ledger import record_t
from orders.messages import InboundMessage

# "Right after": how far back, in time and in others' messages, a bare "pareil" may point.
COPY_WITHIN = timedelta(hours=2)
COPY_LOOK_BACK = 3


def _just_before(
    conn: Connection,
    message: InboundMessage,
    window_id: int,
    columns: list[Any],
    *where: ColumnElement[bool],
) -> list[Row[Any]]:
    """The last few messages of the week's thread before ``message``, newest first."""
    platform, chat_id, sent_at = message.platform, message.chat_id, message.sent_at
    return list(
        conn.execute(
            select(*columns)
            .where(
                record_t.c.platform == platform,
                record_t.c.chat_id == chat_id,
                record_t.c.window_id == window_id,
                record_t.c.sent_at >= sent_at - COPY_WITHIN,
                record_t.c.sent_at <= sent_at,
                *where,
            )
            .order_by(record_t.c.id.desc())
            .limit(COPY_LOOK_BACK)
        ).all()
    )


def nearest_order_author(
    conn: Connection, message: InboundMessage, window_id: int, member_id: int
) -> int | None:
    """The author of the nearest order written before ``message`` by someone else, if recent.

    Only the last few messages of others count, and only one that changed an order, so a
    "pareil" that follows a story or a question copies nothing rather than an order
    written long before.
    """
    rows = _just_before(
        conn,
        message,
        window_id,
        [record_t.c.member_id, record_t.c.kind, record_t.c.ops],
        record_t.c.member_id != member_id,
        record_t.c.kind.in_(("order", "asked", "answer", "announcement", "question", "chatter")),
    )
    for author, kind, ops in rows:
        if kind == "order" and ops and author is not None:
            return int(author)
    return None


def offer_to_all(conn: Connection, message: InboundMessage, window_id: int) -> str | None:
    """The text of what the supplier or an organiser just said to everyone, if recent.

    "Still got 3 cases of tomatoes left if anyone wants", then "I'll take a case then!":
    the answer reads as a reply to it. Only the last few messages count, as for "pareil".
    """
    columns = [record_t.c.role, record_t.c.kind, record_t.c.text]
    rows = _just_before(conn, message, window_id, columns)
    for role, kind, text in rows:
        if role in ("supplier", "organiser") and kind == "announcement":
            return str(text)
    return None
