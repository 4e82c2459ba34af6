"""What was said just before a message in its thread, for "pareil" or "I'll take a case"
written without a reply link."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection

from orders.ledger import record_t

# "Right after": how far back, in time and in others' messages, a bare "pareil" may point.
COPY_WITHIN = timedelta(hours=2)
COPY_LOOK_BACK = 3


def nearest_order_author(
    conn: Connection,
    *,
    platform: str,
    chat_id: str,
    window_id: int,
    member_id: int,
    sent_at: datetime,
) -> int | None:
    """The author of the nearest order written before ``sent_at`` by someone else, if recent.

    Only the last few messages of others count, and only one that changed an order, so a
    "pareil" that follows a story or a question copies nothing rather than an order
    written long before.
    """
    rows = conn.execute(
        select(record_t.c.member_id, record_t.c.kind, record_t.c.ops)
        .where(
            record_t.c.platform == platform,
            record_t.c.chat_id == chat_id,
            record_t.c.window_id == window_id,
            record_t.c.member_id != member_id,
            record_t.c.sent_at >= sent_at - COPY_WITHIN,
            record_t.c.sent_at <= sent_at,
            record_t.c.kind.in_(
                ("order", "asked", "answer", "announcement", "question", "chatter")
            ),
        )
        .order_by(record_t.c.id.desc())
        .limit(COPY_LOOK_BACK)
    ).all()
    for author, kind, ops in rows:
        if kind == "order" and ops and author is not None:
            return int(author)
    return None


def offer_to_all(
    conn: Connection, *, platform: str, chat_id: str, window_id: int, sent_at: datetime
) -> str | None:
    """The text of what the supplier or an organiser just said to everyone, if recent.

    "Still got 3 cases of tomatoes left if anyone wants", then "I'll take a case then!":
    the answer reads as a reply to it. Only the last few messages count, as for "pareil".
    """
    rows = conn.execute(
        select(record_t.c.role, record_t.c.kind, record_t.c.text)
        .where(
            record_t.c.platform == platform,
            record_t.c.chat_id == chat_id,
            record_t.c.window_id == window_id,
            record_t.c.sent_at >= sent_at - COPY_WITHIN,
            record_t.c.sent_at <= sent_at,
        )
        .order_by(record_t.c.id.desc())
        .limit(COPY_LOOK_BACK)
    ).all()
    for role, kind, text in rows:
        if role in ("supplier", "organiser") and kind == "announcement":
            return str(text)
    return None
