"""Stock limits: the part of an order that fits is recorded, the rest waits its turn.

A product's ``stock_limit`` caps the week's total. When a message asks for more
than is left, the member's line gets what is left and the difference goes on
the waiting list (one entry per member and product, first come first served).
When a line of that product goes down (a cancellation, a smaller order, a
larger stock), the freed amount goes to the first member waiting, who is told.
The member's own messages still say what they wanted, so re-folding an edit
asks for the same amount and is capped the same way.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import UniqueConstraint, bindparam, func, select
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from orders import ledger, outbox
from orders.db import UTCDateTime
from orders.fastsql import Prepared
from orders.messages import Reply
from orders.models import QUANTITY as _QUANTITY
from orders.models import InboundRecord, Member, Order, OrderLine
from orders.replies import plain, quantity

if TYPE_CHECKING:
    from orders.turn import Turn

ZERO = Decimal(0)


class WaitingLine(SQLModel, table=True):
    """What a member asked beyond the stock, waiting for some to be freed."""

    __table_args__ = (UniqueConstraint("window_id", "member_id", "product_id"),)
    id: int | None = Field(default=None, primary_key=True)
    window_id: int = Field(foreign_key="orderwindow.id")
    member_id: int = Field(foreign_key="member.id")
    product_id: int = Field(foreign_key="product.id")
    quantity: Decimal = Field(sa_type=_QUANTITY)  # type: ignore[call-overload]
    created_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]


wait_t, line_t, order_t = WaitingLine.__table__, OrderLine.__table__, Order.__table__  # type: ignore[attr-defined]
member_t, record_t = Member.__table__, InboundRecord.__table__  # type: ignore[attr-defined]


_WAITING_PRODUCTS = Prepared(
    select(wait_t.c.product_id).distinct().where(wait_t.c.window_id == bindparam("w"))
)


def product_total(conn: Connection, window_id: int, product_id: int) -> Decimal:
    total = conn.execute(
        select(func.sum(line_t.c.quantity))
        .select_from(line_t.join(order_t, order_t.c.id == line_t.c.order_id))
        .where(order_t.c.window_id == window_id, line_t.c.product_id == product_id)
    ).scalar()
    return Decimal(total or 0)


def fit(
    turn: Turn,
    window_id: int,
    current: dict[int, Decimal],
    wanted: dict[int, Decimal],
    touched: set[int] | None,
) -> tuple[dict[int, Decimal], list[Reply]]:
    """Cap ``wanted`` to the stock left; note the rest on the waiting list and say so.

    ``touched``: the products the message named (None: all of them, for a clear or
    an edit); only their waiting entries change.
    """
    fitted = dict(wanted)
    replies: list[Reply] = []
    limited = turn.view.limited
    if not limited or (touched is not None and not touched & limited):
        return fitted, replies
    waiting = set(
        turn.conn.execute(
            select(wait_t.c.product_id).where(
                wait_t.c.window_id == window_id, wait_t.c.member_id == turn.member_id
            )
        ).scalars()
    )
    for product_id in sorted(set(wanted) | set(current) | waiting):
        info = turn.view.infos.get(product_id)
        limit = info.stock_limit if info is not None else None
        asked, held = wanted.get(product_id, ZERO), current.get(product_id, ZERO)
        if limit is None or (touched is not None and product_id not in touched):
            continue
        others = product_total(turn.conn, window_id, product_id) - held
        granted = min(asked, max(limit - others, min(held, asked), ZERO))
        short = asked - granted
        _set_waiting(turn, window_id, product_id, short)
        if granted > 0:
            fitted[product_id] = granted
        else:
            fitted.pop(product_id, None)
        if short > 0:
            info = turn.view.infos[product_id]
            replies.append(
                turn.reply(
                    "stock_short",
                    "stock",
                    product=plain(info.label, 60),
                    granted=quantity(granted, info.unit, turn.locale),
                    waiting=quantity(short, info.unit, turn.locale),
                    nothing=granted == 0,
                )
            )
    return fitted, replies


def _set_waiting(turn: Turn, window_id: int, product_id: int, short: Decimal) -> None:
    where = (
        (wait_t.c.window_id == window_id)
        & (wait_t.c.member_id == turn.member_id)
        & (wait_t.c.product_id == product_id)
    )
    found = turn.conn.execute(select(wait_t.c.id).where(where)).first()
    if short <= 0:
        if found is not None:
            turn.conn.execute(wait_t.delete().where(where))
    elif found is None:
        turn.conn.execute(
            wait_t.insert().values(
                window_id=window_id, member_id=turn.member_id, product_id=product_id,
                quantity=short, created_at=turn.message.sent_at,
            )
        )  # fmt: skip
    else:
        turn.conn.execute(wait_t.update().where(where).values(quantity=short))


def serve_waiting(turn: Turn, window_id: int, product_ids: list[int]) -> list[Reply]:
    """Give stock freed on these products to the members waiting, first come first served."""
    replies: list[Reply] = []
    if not product_ids or not turn.view.waiting_possible:
        return replies
    someone_waits = {int(r[0]) for r in _WAITING_PRODUCTS.rows(turn.conn, {"w": window_id})}
    product_ids = [p for p in product_ids if p in someone_waits]
    for product_id in product_ids:
        info = turn.view.infos.get(product_id)
        if info is None:
            continue
        # No limit any more (/stock off): everyone waiting gets what they asked for.
        limit = info.stock_limit if info.stock_limit is not None else Decimal(10**12)
        room = limit - product_total(turn.conn, window_id, product_id)
        waiting = turn.conn.execute(
            select(wait_t.c.id, wait_t.c.member_id, wait_t.c.quantity)
            .where(wait_t.c.window_id == window_id, wait_t.c.product_id == product_id)
            .order_by(wait_t.c.created_at, wait_t.c.id)
        ).all()
        for entry in waiting:
            if room <= 0:
                break
            give = min(room, Decimal(entry.quantity))
            room -= give
            replies.extend(_give(turn, window_id, entry, product_id, give))
    return replies


def _give(turn: Turn, window_id: int, entry: object, product_id: int, give: Decimal) -> list[Reply]:
    member_id = entry.member_id  # type: ignore[attr-defined]
    left = Decimal(entry.quantity) - give  # type: ignore[attr-defined]
    if left > 0:
        turn.conn.execute(wait_t.update().where(wait_t.c.id == entry.id).values(quantity=left))  # type: ignore[attr-defined]
    else:
        turn.conn.execute(wait_t.delete().where(wait_t.c.id == entry.id))  # type: ignore[attr-defined]
    order_id, lines = ledger.order_lines(turn.conn, window_id, member_id)
    if order_id is None:
        order_id = ledger.create_order(turn.conn, window_id, member_id, turn.message.sent_at)
    wanted = dict(lines)
    wanted[product_id] = wanted.get(product_id, ZERO) + give
    assert turn.record_id is not None
    ledger.write_lines(
        turn.conn, order_id, member_id, lines, wanted, record_id=turn.record_id,
        codes=turn.view.codes, now=turn.message.sent_at,
    )  # fmt: skip
    return _tell(turn, member_id, product_id, give, wanted)


def _tell(
    turn: Turn, member_id: int, product_id: int, give: Decimal, lines: dict[int, Decimal]
) -> list[Reply]:
    """Tell the member in the thread they write in (here, or through the outbox elsewhere)."""
    name = turn.conn.execute(
        select(member_t.c.display_name).where(member_t.c.id == member_id)
    ).scalar_one()
    info = turn.view.infos[product_id]
    order_text, total = turn.order_text(lines)
    text = turn.bot.renderer.render(
        turn.locale, "stock_freed", name=plain(name.split(" ")[0], 40),
        product=plain(info.label, 60), amount=quantity(give, info.unit, turn.locale),
        lines=order_text, total=total,
    )  # fmt: skip
    where = conn_last_thread(turn.conn, member_id)
    if where is None or where == (turn.message.platform, turn.message.chat_id):
        return [Reply(turn.message.chat_id, text, None, "stock_freed")]
    outbox.enqueue(
        turn.conn, platform=where[0], chat_id=where[1], text=text, kind="stock_freed",
        club_id=turn.club.id, now=turn.message.sent_at,
        dedupe_key=f"stock_freed:{turn.record_id}:{member_id}:{product_id}",
    )  # fmt: skip
    return []


def conn_last_thread(conn: Connection, member_id: int) -> tuple[str, str] | None:
    row = conn.execute(
        select(record_t.c.platform, record_t.c.chat_id)
        .where(record_t.c.member_id == member_id)
        .order_by(record_t.c.id.desc())
        .limit(1)
    ).first()
    return (row.platform, row.chat_id) if row is not None else None


def waiting_list(conn: Connection, window_id: int) -> list[tuple[str, int, Decimal]]:
    """(member name, product id, quantity) waiting, first come first."""
    rows = conn.execute(
        select(member_t.c.display_name, wait_t.c.product_id, wait_t.c.quantity)
        .join(member_t, member_t.c.id == wait_t.c.member_id)
        .where(wait_t.c.window_id == window_id)
        .order_by(wait_t.c.created_at, wait_t.c.id)
    ).all()
    return [(r.display_name, int(r.product_id), Decimal(r.quantity)) for r in rows]
