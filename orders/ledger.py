"""Reading and writing the ledger: members, windows, orders and their history.

A member's order is re-folded from the operations of their messages every time
one of them changes, so a duplicate delivery or an edit can never count twice:
an edit's operations simply take the place of the edited message's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from orders.messages import LineChange
from orders.models import (
    Club,
    ClubChat,
    ClubRole,
    InboundRecord,
    Member,
    Order,
    OrderChange,
    OrderLine,
    OrderOp,
    OrderWindow,
    Product,
)

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Op:
    """One operation on an order, as the parser's actions become in the ledger."""

    action: str  # "set", "add", "remove" or "clear"
    product_id: int | None = None
    quantity: Decimal | None = None


def club_for_chat(session: Session, platform: str, chat_id: str) -> Club | None:
    """Return the club a thread is bound to, if any."""
    statement = select(Club).join(ClubChat, col(ClubChat.club_id) == col(Club.id)).where(
        ClubChat.platform == platform, ClubChat.chat_id == chat_id)
    return session.exec(statement).first()


def find_record(session: Session, platform: str, chat_id: str,
                message_id: str) -> InboundRecord | None:
    """Return the stored record of a platform message, if it was handled before."""
    statement = select(InboundRecord).where(
        InboundRecord.platform == platform, InboundRecord.chat_id == chat_id,
        InboundRecord.message_id == message_id)
    return session.exec(statement).first()


def role_of(session: Session, club_id: int, platform: str, user_id: str) -> str:
    """Return "organiser", "supplier" or "member" for an author of a club's thread."""
    refs = (user_id, f"{platform}:{user_id}")
    roles = set(session.exec(select(ClubRole.role).where(
        ClubRole.club_id == club_id, col(ClubRole.user_ref).in_(refs))).all())
    if "supplier" in roles:
        return "supplier"
    return "organiser" if "organiser" in roles else "member"


def member_for(session: Session, club_id: int, platform: str, user_id: str, name: str,
               now: datetime) -> Member:
    """Return the member behind a platform identity, creating it on first sight."""
    member = session.exec(select(Member).where(
        Member.club_id == club_id, Member.platform == platform,
        Member.user_id == user_id)).first()
    if member is None:
        member = Member(club_id=club_id, platform=platform, user_id=user_id,
                        display_name=name, joined_at=now)
        session.add(member)
        session.flush()
    elif name and member.display_name != name:
        member.display_name = name
        session.add(member)
    return member


def open_window(session: Session, club_id: int) -> OrderWindow | None:
    """Return the club's open order window, if there is one."""
    return session.exec(select(OrderWindow).where(
        OrderWindow.club_id == club_id, OrderWindow.status == "open")).first()


def latest_window(session: Session, club_id: int) -> OrderWindow | None:
    """Return the club's most recent window, open or closed."""
    return session.exec(select(OrderWindow).where(OrderWindow.club_id == club_id)
                        .order_by(col(OrderWindow.id).desc())).first()


def start_window(session: Session, club_id: int, now: datetime,
                 closes_at: datetime | None = None) -> OrderWindow:
    """Close any open window of the club and open a new one."""
    for window in session.exec(select(OrderWindow).where(
            OrderWindow.club_id == club_id, OrderWindow.status == "open")):
        window.status, window.closed_at = "closed", now
        session.add(window)
    window = OrderWindow(club_id=club_id, opens_at=now, closes_at=closes_at)
    session.add(window)
    session.flush()
    return window


def close_window(session: Session, window: OrderWindow, now: datetime) -> None:
    """Stop taking orders in a window."""
    window.status, window.closed_at = "closed", now
    session.add(window)


def order_for(session: Session, window_id: int, member_id: int, now: datetime) -> Order:
    """Return a member's order in a window, creating an empty one if needed."""
    order = session.exec(select(Order).where(
        Order.window_id == window_id, Order.member_id == member_id)).first()
    if order is None:
        order = Order(window_id=window_id, member_id=member_id, updated_at=now)
        session.add(order)
        session.flush()
    return order


def find_order(session: Session, window_id: int, member_id: int) -> Order | None:
    """Return a member's order in a window without creating one."""
    return session.exec(select(Order).where(
        Order.window_id == window_id, Order.member_id == member_id)).first()


def lines_of(session: Session, order_id: int) -> dict[int, Decimal]:
    """Return product id -> quantity for an order."""
    rows = session.exec(select(OrderLine.product_id, OrderLine.quantity).where(
        OrderLine.order_id == order_id)).all()
    return {product_id: Decimal(quantity) for product_id, quantity in rows}


def record_ops(session: Session, order: Order, record: InboundRecord, ops: Sequence[Op]) -> None:
    """Store what one message asked of an order, replacing what an earlier version asked."""
    assert order.id is not None and record.id is not None
    origin = record.origin_id or record.id
    session.execute(update(OrderOp).where(
        col(OrderOp.order_id) == order.id, col(OrderOp.origin_id) == origin,
        col(OrderOp.active).is_(True)).values(active=False))
    for seq, op in enumerate(ops):
        session.add(OrderOp(order_id=order.id, record_id=record.id, origin_id=origin, seq=seq,
                            action=op.action, product_id=op.product_id, quantity=op.quantity))
    session.flush()


def fold(ops: Iterable[tuple[str, int | None, Decimal | None]]) -> dict[int, Decimal]:
    """Apply operations in order to an empty order and return its lines."""
    lines: dict[int, Decimal] = {}
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


def refold(session: Session, order: Order, *, record_id: int | None, actor_id: int | None,
           now: datetime) -> list[LineChange]:
    """Recompute an order from its active operations and write what changed."""
    assert order.id is not None
    ops = session.exec(select(OrderOp.action, OrderOp.product_id, OrderOp.quantity).where(
        OrderOp.order_id == order.id, col(OrderOp.active).is_(True))
        .order_by(col(OrderOp.origin_id), col(OrderOp.id))).all()
    wanted = fold(ops)
    current = {line.product_id: line for line in session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id))}
    changes: list[tuple[int, Decimal, Decimal]] = []
    for product_id in sorted(set(wanted) | set(current)):
        before = Decimal(current[product_id].quantity) if product_id in current else ZERO
        after = wanted.get(product_id, ZERO)
        if before == after:
            continue
        changes.append((product_id, before, after))
        if product_id not in current:
            session.add(OrderLine(order_id=order.id, product_id=product_id, quantity=after))
        elif after == 0:
            session.delete(current[product_id])
        else:
            current[product_id].quantity = after
            session.add(current[product_id])
    if not changes:
        return []
    order.updated_at = now
    session.add(order)
    codes = dict(session.exec(select(Product.id, Product.code).where(
        col(Product.id).in_([c[0] for c in changes]))).all())
    out = []
    for product_id, before, after in changes:
        session.add(OrderChange(order_id=order.id, member_id=order.member_id,
                                product_id=product_id, before=before, after=after,
                                record_id=record_id, actor_member_id=actor_id, changed_at=now))
        out.append(LineChange(order.member_id, codes[product_id], before, after))
    return out


def window_lines(session: Session, window_id: int) -> list[tuple[Member, Product, Decimal]]:
    """Every line of a window, with its member and product, in a stable order."""
    statement = (select(Member, Product, OrderLine.quantity)
                 .join(Order, col(Order.member_id) == col(Member.id))
                 .join(OrderLine, col(OrderLine.order_id) == col(Order.id))
                 .join(Product, col(Product.id) == col(OrderLine.product_id))
                 .where(Order.window_id == window_id)
                 .order_by(col(Member.display_name), col(Member.id), col(Product.position)))
    return [(m, p, Decimal(q)) for m, p, q in session.exec(statement).all()]


def product_totals(session: Session, window_id: int) -> list[tuple[Product, Decimal]]:
    """Total quantity per product in a window, in catalogue order."""
    statement = (select(Product, func.sum(OrderLine.quantity))
                 .join(OrderLine, col(OrderLine.product_id) == col(Product.id))
                 .join(Order, col(Order.id) == col(OrderLine.order_id))
                 .where(Order.window_id == window_id)
                 .group_by(col(Product.id)).order_by(col(Product.position)))
    return [(p, Decimal(total)) for p, total in session.exec(statement).all()]


def previous_window(session: Session, club_id: int, before_id: int) -> OrderWindow | None:
    """Return the window that came before ``before_id`` in a club."""
    return session.exec(select(OrderWindow).where(
        OrderWindow.club_id == club_id, col(OrderWindow.id) < before_id)
        .order_by(col(OrderWindow.id).desc())).first()
