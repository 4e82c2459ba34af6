"""Reading and writing the ledger on the hot path, with prebuilt Core statements.

A member's order is the fold of the operations their messages asked for, kept
with each message's record. A new message's operations come last, so they are
applied to the current lines; an edit re-folds the whole order, its operations
taking the place of those of the message it rewrites. Either way a duplicate or
an edit never counts twice.

Every function takes an open :class:`Connection` inside the caller's
transaction; the same statements run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, text, update
from sqlalchemy.engine import Connection

from orders.fastsql import Prepared, decimal
from orders.messages import LineChange
from orders.models import (
    Clarification,
    Club,
    ClubChat,
    InboundRecord,
    Member,
    Order,
    OrderChange,
    OrderLine,
    OrderWindow,
    Product,
)

ZERO = Decimal(0)
club_t, chat_t, member_t = Club.__table__, ClubChat.__table__, Member.__table__  # type: ignore[attr-defined]
window_t, order_t, line_t = OrderWindow.__table__, Order.__table__, OrderLine.__table__  # type: ignore[attr-defined]
change_t, record_t = OrderChange.__table__, InboundRecord.__table__  # type: ignore[attr-defined]
clar_t, product_t = Clarification.__table__, Product.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ClubRow:
    id: int
    slug: str
    name: str
    locale: str
    currency: str
    pickup: str
    catalog_version: int
    window_id: int | None
    previous_kind: str | None = None
    previous_mentioned: str | None = None
    order_id: int | None = None
    lines: dict[int, Decimal] | None = None  # the author's lines in the open window, if known


@dataclass(frozen=True, slots=True)
class RecordRow:
    id: int
    origin_id: int
    member_id: int | None
    kind: str
    mentioned: str | None  # None: not worked out yet (an announcement)
    role: str
    text: str
    window_id: int | None


@dataclass(frozen=True, slots=True)
class Op:
    """One operation on an order: "set", "add", "remove" or "clear"."""

    action: str
    product_id: int | None = None
    quantity: Decimal | None = None


_LAST_OF_MEMBER = (
    select(record_t.c.id)
    .where(record_t.c.member_id == bindparam("member"), record_t.c.window_id == window_t.c.id)
    .order_by(record_t.c.id.desc())
    .limit(1)
    .scalar_subquery()
    .correlate(window_t)
)
_CLUB = (
    select(
        club_t.c.id,
        club_t.c.slug,
        club_t.c.name,
        club_t.c.locale,
        club_t.c.currency,
        club_t.c.pickup,
        club_t.c.catalog_version,
        window_t.c.id.label("window_id"),
    )
    .select_from(
        chat_t.join(club_t, club_t.c.id == chat_t.c.club_id).outerjoin(
            window_t, and_(window_t.c.club_id == club_t.c.id, window_t.c.status == "open")
        )
    )
    .where(chat_t.c.platform == bindparam("platform"), chat_t.c.chat_id == bindparam("chat"))
)


_previous = record_t.alias("previous")
_CLUB_AND_MEMBER = (
    select(
        *_CLUB.selected_columns,
        _previous.c.kind,
        _previous.c.mentioned,
        order_t.c.id.label("order_id"),
        line_t.c.product_id,
        line_t.c.quantity,
    )
    .select_from(
        chat_t.join(club_t, club_t.c.id == chat_t.c.club_id)
        .outerjoin(window_t, and_(window_t.c.club_id == club_t.c.id, window_t.c.status == "open"))
        .outerjoin(_previous, _previous.c.id == _LAST_OF_MEMBER)
        .outerjoin(
            order_t,
            and_(order_t.c.window_id == window_t.c.id, order_t.c.member_id == bindparam("member")),
        )
        .outerjoin(line_t, line_t.c.order_id == order_t.c.id)
    )
    .where(chat_t.c.platform == bindparam("platform"), chat_t.c.chat_id == bindparam("chat"))
)


def lock_member(conn: Connection, member_id: int) -> bool:
    """Serialise the handling of one member's messages across workers (PostgreSQL).

    SQLite needs nothing here: the bot's transactions start with the write lock.
    Returns whether a lock was taken.
    """
    if conn.dialect.name != "postgresql":
        return False
    conn.execute(text("SELECT pg_advisory_xact_lock(1, :member)"), {"member": member_id})
    return True


def lock_club_shared(conn: Connection, club_id: int) -> bool:
    """Keep a club's weeks from opening or closing while a message is being handled."""
    if conn.dialect.name != "postgresql":
        return False
    conn.execute(text("SELECT pg_advisory_xact_lock_shared(2, :club)"), {"club": club_id})
    return True


def lock_club(conn: Connection, club_id: int) -> None:
    """Serialise opening and closing a club's weeks across workers (PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(2, :club)"), {"club": club_id})


def club_for_chat(
    conn: Connection, platform: str, chat_id: str, member_id: int | None = None
) -> ClubRow | None:
    """Return the club a thread is bound to, with its open window if any.

    Given the author's member id, the same round trip brings the kind and the
    products of their previous message (the context of "j'en prends deux") and
    their order in the open window.
    """
    if member_id is None:
        found = _FAST_CLUB.rows(conn, {"platform": platform, "chat": chat_id})
        return ClubRow(*found[0]) if found else None
    rows = _FAST_CLUB_AND_MEMBER.rows(
        conn, {"platform": platform, "chat": chat_id, "member": member_id}
    )
    if not rows:
        return None
    lines = {int(r[11]): decimal(r[12]) for r in rows if r[11] is not None}
    return ClubRow(*rows[0][:10], order_id=rows[0][10], lines=lines)


_FAST_CLUB = Prepared(_CLUB)
_FAST_CLUB_AND_MEMBER = Prepared(_CLUB_AND_MEMBER)


def club_by_id(conn: Connection, club_id: int) -> ClubRow | None:
    """Return a club by id, with its open window if any."""
    statement = (
        select(*_CLUB.selected_columns)
        .select_from(
            club_t.outerjoin(
                window_t, and_(window_t.c.club_id == club_t.c.id, window_t.c.status == "open")
            )
        )
        .where(club_t.c.id == club_id)
    )
    row = conn.execute(statement).first()
    return ClubRow(*row) if row is not None else None


_RECORD = select(
    record_t.c.id,
    record_t.c.origin_id,
    record_t.c.member_id,
    record_t.c.kind,
    record_t.c.mentioned,
    record_t.c.role,
    record_t.c.text,
    record_t.c.window_id,
).where(
    record_t.c.platform == bindparam("platform"),
    record_t.c.chat_id == bindparam("chat"),
    record_t.c.message_id == bindparam("message"),
)


def find_record(conn: Connection, platform: str, chat_id: str, message_id: str) -> RecordRow | None:
    """Return the stored record of a platform message, if it was handled before."""
    rows = _FAST_RECORD.rows(conn, {"platform": platform, "chat": chat_id, "message": message_id})
    if not rows:
        return None
    id_, origin_id, member_id, kind, mentioned, role, text_, window_id = rows[0]
    return RecordRow(id_, origin_id or id_, member_id, kind, mentioned, role, text_, window_id)


_FAST_RECORD = Prepared(_RECORD)


_PREVIOUS = (
    select(record_t.c.kind, record_t.c.mentioned)
    .where(record_t.c.member_id == bindparam("member"), record_t.c.window_id == bindparam("window"))
    .order_by(record_t.c.id.desc())
    .limit(1)
)


def previous_record(
    conn: Connection, member_id: int, window_id: int | None
) -> tuple[str, str] | None:
    """Kind and products of the member's last message this week, for "j'en prends deux"."""
    if window_id is None:
        return None
    rows = _FAST_PREVIOUS.rows(conn, {"member": member_id, "window": window_id})
    return (rows[0][0], rows[0][1]) if rows else None


_FAST_PREVIOUS = Prepared(_PREVIOUS)


_INSERT_RECORD = Prepared(insert(record_t))
_INSERT_LINES = Prepared(insert(line_t))
_INSERT_CHANGES = Prepared(insert(change_t))
_INSERT_ORDER = Prepared(insert(order_t))
_UPDATE_LINE = Prepared(
    update(line_t)
    .where(line_t.c.order_id == bindparam("order"), line_t.c.product_id == bindparam("product"))
    .values(quantity=bindparam("quantity"))
)
_DELETE_LINE = Prepared(
    line_t.delete().where(
        line_t.c.order_id == bindparam("order"), line_t.c.product_id == bindparam("product")
    )
)


def insert_record(conn: Connection, **values: object) -> int:
    """Store a handled message; the unique key makes a second delivery fail here."""
    return _INSERT_RECORD.insert(conn, values)


_MEMBER = select(member_t.c.id, member_t.c.display_name).where(
    member_t.c.club_id == bindparam("club"),
    member_t.c.platform == bindparam("platform"),
    member_t.c.user_id == bindparam("user"),
)


def member_for(
    conn: Connection, club_id: int, platform: str, user_id: str, name: str, now: datetime
) -> tuple[int, str, bool]:
    """Return (id, display name, created) of a platform identity, creating it on first sight."""
    row = conn.execute(_MEMBER, {"club": club_id, "platform": platform, "user": user_id}).first()
    if row is None:
        new_id = conn.execute(
            insert(member_t),
            {
                "club_id": club_id,
                "platform": platform,
                "user_id": user_id,
                "display_name": name,
                "joined_at": now,
            },
        ).inserted_primary_key[0]
        return int(new_id), name, True
    if name and row.display_name != name:
        conn.execute(update(member_t).where(member_t.c.id == row.id).values(display_name=name))
    return int(row.id), name or row.display_name, False


_LATEST_WINDOW = (
    select(window_t.c.id, window_t.c.status)
    .where(window_t.c.club_id == bindparam("club"))
    .order_by(window_t.c.id.desc())
    .limit(1)
)


def latest_window(conn: Connection, club_id: int) -> tuple[int, str] | None:
    """Return (id, status) of the club's most recent window, open or closed."""
    rows = _FAST_LATEST_WINDOW.rows(conn, {"club": club_id})
    return (int(rows[0][0]), rows[0][1]) if rows else None


_FAST_LATEST_WINDOW = Prepared(_LATEST_WINDOW)


def previous_window(conn: Connection, club_id: int, before_id: int) -> int | None:
    """Return the id of the window that came before ``before_id`` in a club."""
    row = conn.execute(
        select(window_t.c.id)
        .where(window_t.c.club_id == club_id, window_t.c.id < before_id)
        .order_by(window_t.c.id.desc())
        .limit(1)
    ).first()
    return int(row.id) if row is not None else None


def start_window(conn: Connection, club_id: int, now: datetime) -> int:
    """Close any open window of the club and open a new one."""
    close_windows(conn, club_id, now)
    return _INSERT_WINDOW.insert(conn, {"club_id": club_id, "status": "open", "opens_at": now})


def close_windows(conn: Connection, club_id: int, now: datetime) -> int:
    """Stop taking orders in the club's open window; return how many were open."""
    return _CLOSE_WINDOWS.run(conn, {"club": club_id, "now": now})


_INSERT_WINDOW = Prepared(insert(window_t))
_CLOSE_WINDOWS = Prepared(
    update(window_t)
    .where(window_t.c.club_id == bindparam("club"), window_t.c.status == "open")
    .values(status="closed", closed_at=bindparam("now", type_=window_t.c.closed_at.type))
)


_ORDER_LINES = (
    select(order_t.c.id, line_t.c.product_id, line_t.c.quantity)
    .select_from(order_t.outerjoin(line_t, line_t.c.order_id == order_t.c.id))
    .where(order_t.c.window_id == bindparam("window"), order_t.c.member_id == bindparam("member"))
)


def order_lines(
    conn: Connection, window_id: int, member_id: int
) -> tuple[int | None, dict[int, Decimal]]:
    """Return a member's order id in a window (None if none) and its lines."""
    order_id, lines = None, {}
    for found, product_id, quantity in _FAST_ORDER_LINES.rows(
        conn, {"window": window_id, "member": member_id}
    ):
        order_id = int(found)
        if product_id is not None:
            lines[int(product_id)] = decimal(quantity)
    return order_id, lines


_FAST_ORDER_LINES = Prepared(_ORDER_LINES)


def create_order(conn: Connection, window_id: int, member_id: int, now: datetime) -> int:
    """Create an empty order for a member in a window."""
    return _INSERT_ORDER.insert(
        conn, {"window_id": window_id, "member_id": member_id, "updated_at": now}
    )


def set_record_ops(conn: Connection, record_id: int, window_id: int, ops: Sequence[Op]) -> None:
    """Attach operations to an already stored message (a command such as /annuler)."""
    _SET_RECORD_OPS.run(conn, {"record": record_id, "window_id": window_id, "ops": ops_json(ops)})


_SET_RECORD_OPS = Prepared(update(record_t).where(record_t.c.id == bindparam("record")))


def ops_json(ops: Sequence[Op]) -> list[list[Any]]:
    """Operations as stored with a message: quantities as exact decimal strings."""
    return [
        [op.action, op.product_id, None if op.quantity is None else str(op.quantity)] for op in ops
    ]


_MEMBER_OPS = (
    select(record_t.c.id, record_t.c.origin_id, record_t.c.ops)
    .where(
        record_t.c.member_id == bindparam("member"),
        record_t.c.window_id == bindparam("window"),
        record_t.c.ops.is_not(None),
    )
    .order_by(record_t.c.id)
)
_FAST_MEMBER_OPS = Prepared(_MEMBER_OPS)


def fold(
    ops: Iterable[tuple[str, int | None, Decimal | None]], start: dict[int, Decimal] | None = None
) -> dict[int, Decimal]:
    """Apply operations in order to ``start`` (empty by default) and return the lines."""
    lines = dict(start or {})
    for action, product_id, quantity in ops:
        if action == "clear":
            lines.clear()
        elif product_id is None:
            continue
        elif action == "remove":
            lines.pop(product_id, None)
        elif action == "set" and quantity is not None:
            lines[product_id] = Decimal(quantity)
        elif action == "add" and quantity is not None:
            lines[product_id] = lines.get(product_id, ZERO) + Decimal(quantity)
    return {p: q for p, q in lines.items() if q > 0}


def refold(conn: Connection, window_id: int, member_id: int) -> dict[int, Decimal]:
    """Recompute an order from its messages' operations; an edit's replace its original's."""
    latest: dict[int, list[list[Any]]] = {}
    for record_id, origin_id, ops in _FAST_MEMBER_OPS.rows(
        conn, {"member": member_id, "window": window_id}
    ):
        # The fast path on SQLite hands back the stored JSON text as it is.
        latest[origin_id or record_id] = json.loads(ops) if isinstance(ops, str) else ops
    return fold(
        (action, product_id, None if quantity is None else Decimal(quantity))
        for origin in sorted(latest)
        for action, product_id, quantity in latest[origin]
    )


Moves = list[tuple[int, Decimal, Decimal]]  # (product id, before, after)


def write_lines(
    conn: Connection,
    order_id: int,
    member_id: int,
    current: dict[int, Decimal],
    wanted: dict[int, Decimal],
    *,
    record_id: int,
    codes: dict[int, str],
    now: datetime,
) -> list[LineChange]:
    """Bring an order's lines from ``current`` to ``wanted`` and log every change."""
    moves = [
        (p, current.get(p, ZERO), wanted.get(p, ZERO))
        for p in sorted(set(current) | set(wanted))
        if current.get(p, ZERO) != wanted.get(p, ZERO)
    ]
    if not moves:
        return []
    _move_lines(conn, order_id, current, moves)
    _INSERT_CHANGES.many(
        conn,
        [
            {
                "order_id": order_id,
                "member_id": member_id,
                "product_id": p,
                "before": before,
                "after": after,
                "record_id": record_id,
                "actor_member_id": member_id,
                "changed_at": now,
            }
            for p, before, after in moves
        ],
    )
    return [LineChange(member_id, codes[p], before, after) for p, before, after in moves]


def _move_lines(conn: Connection, order_id: int, current: dict[int, Decimal], moves: Moves) -> None:
    """Insert new lines, update changed ones and delete those that fell to zero."""
    _INSERT_LINES.many(
        conn,
        [
            {"order_id": order_id, "product_id": p, "quantity": after}
            for p, _before, after in moves
            if p not in current
        ],
    )
    for p, _before, after in moves:
        if p in current and after == 0:
            _DELETE_LINE.run(conn, {"order": order_id, "product": p})
        elif p in current:
            _UPDATE_LINE.run(conn, {"order": order_id, "product": p, "quantity": after})


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """The bot's open question to a member: what its answer completes."""

    id: int
    kind: str
    product_id: int | None
    quantity: Decimal | None
    mode: str


_OPEN_QUESTION = Prepared(
    select(clar_t.c.id, clar_t.c.kind, clar_t.c.product_id, clar_t.c.quantity, clar_t.c.mode)
    .where(
        clar_t.c.window_id == bindparam("window"),
        clar_t.c.member_id == bindparam("member"),
        clar_t.c.status == "open",
    )
    .order_by(clar_t.c.id.desc())
    .limit(1)
)


def open_question(conn: Connection, window_id: int, member_id: int) -> QuestionRow | None:
    """The bot's latest unanswered question to a member in a window, if any."""
    rows = _OPEN_QUESTION.rows(conn, {"window": window_id, "member": member_id})
    if not rows:
        return None
    id_, kind, product_id, quantity, mode = rows[0]
    return QuestionRow(id_, kind, product_id, None if quantity is None else decimal(quantity), mode)


def add_question(conn: Connection, **values: object) -> None:
    """Remember a question the bot asked, to take the member's answer into account."""
    _INSERT_QUESTION.insert(conn, values)


def settle_questions(conn: Connection, window_id: int, member_id: int, status: str) -> None:
    """Close the member's open questions: answered, or expired by a new message."""
    _SETTLE_QUESTIONS.run(conn, {"window": window_id, "member": member_id, "status": status})


_INSERT_QUESTION = Prepared(insert(clar_t))
_SETTLE_QUESTIONS = Prepared(
    update(clar_t).where(
        clar_t.c.window_id == bindparam("window"),
        clar_t.c.member_id == bindparam("member"),
        clar_t.c.status == "open",
    )
)


def window_lines(conn: Connection, window_id: int) -> list[tuple[int, str, str, int, Decimal]]:
    """Every line of a window: (member id, display name, user id, product id, quantity)."""
    statement = (
        select(
            member_t.c.id,
            member_t.c.display_name,
            member_t.c.user_id,
            line_t.c.product_id,
            line_t.c.quantity,
        )
        .select_from(
            order_t.join(member_t, member_t.c.id == order_t.c.member_id)
            .join(line_t, line_t.c.order_id == order_t.c.id)
            .join(product_t, product_t.c.id == line_t.c.product_id)
        )
        .where(order_t.c.window_id == window_id)
        .order_by(member_t.c.display_name, member_t.c.id, product_t.c.position)
    )
    return [(int(r[0]), r[1], r[2], int(r[3]), Decimal(r[4])) for r in conn.execute(statement)]


def product_totals(conn: Connection, window_id: int) -> list[tuple[int, Decimal]]:
    """Total quantity per product in a window, in catalogue order."""
    statement = (
        select(line_t.c.product_id, func.sum(line_t.c.quantity))
        .select_from(
            line_t.join(order_t, order_t.c.id == line_t.c.order_id).join(
                product_t, product_t.c.id == line_t.c.product_id
            )
        )
        .where(order_t.c.window_id == window_id)
        .group_by(line_t.c.product_id, product_t.c.position)
        .order_by(product_t.c.position)
    )
    return [(int(p), Decimal(total)) for p, total in conn.execute(statement)]


def members_named(conn: Connection, club_id: int) -> list[tuple[int, str]]:
    """(id, display name) of every member of a club, for "pareil que Camille"."""
    return [
        (int(r[0]), r[1])
        for r in conn.execute(
            select(member_t.c.id, member_t.c.display_name).where(member_t.c.club_id == club_id)
        )
    ]


def set_product(conn: Connection, club_id: int, code: str, **values: object) -> bool:
    """Change a product's price or availability and invalidate cached catalogues."""
    result = conn.execute(
        update(product_t)
        .where(product_t.c.club_id == club_id, product_t.c.code == code)
        .values(**values)
    )
    if not result.rowcount:
        return False
    conn.execute(
        update(club_t)
        .where(club_t.c.id == club_id)
        .values(catalog_version=club_t.c.catalog_version + 1)
    )
    return True
