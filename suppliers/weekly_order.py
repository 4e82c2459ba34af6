"""The weekly order a supplier receives: totals per product and a packing list per member.

Everything here is derived from the ledger's lines at the moment it is built;
nothing is stored twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session

from orders import ledger
from orders.models import Club, Member, OrderWindow, Product


@dataclass(frozen=True, slots=True)
class PackingLine:
    product: Product
    quantity: Decimal

    @property
    def amount(self) -> Decimal:
        return self.quantity * Decimal(self.product.price)


@dataclass(slots=True)
class MemberOrder:
    member: Member
    lines: list[PackingLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


@dataclass(slots=True)
class WeeklyOrder:
    """A club's order for one window, ready to render."""

    club: Club
    window: OrderWindow
    totals: list[PackingLine]
    members: list[MemberOrder]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.totals), Decimal(0))


def build_weekly_order(session: Session, club: Club, window: OrderWindow) -> WeeklyOrder:
    """Gather a window's totals per product and its packing list per member."""
    assert window.id is not None
    totals = [PackingLine(p, q) for p, q in ledger.product_totals(session, window.id)]
    members: dict[int, MemberOrder] = {}
    for member, product, quantity in ledger.window_lines(session, window.id):
        assert member.id is not None
        members.setdefault(member.id, MemberOrder(member)).lines.append(
            PackingLine(product, quantity))
    return WeeklyOrder(club, window, totals, list(members.values()))
