"""The weekly order a supplier receives: totals per product and a packing list per member.

Everything here is derived from the ledger's lines when it is built; nothing is
stored twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.engine import Connection

from orders import ledger
from orders.catalog_view import CatalogView
from orders.parsing import ProductInfo
from orders.parsing.text import fold
from orders.pending import open_questions


@dataclass(frozen=True, slots=True)
class PackingLine:
    product: ProductInfo
    quantity: Decimal

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.product.price


@dataclass(slots=True)
class MemberOrder:
    member_id: int
    name: str
    user_id: str
    lines: list[PackingLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


@dataclass(slots=True)
class WeeklyOrder:
    """A club's order for one window, ready to render."""

    club_name: str
    locale: str
    currency: str
    open: bool
    totals: list[PackingLine]
    members: list[MemberOrder]
    # Members the bot asked a question they have not answered: (name, products asked about).
    waiting: list[tuple[str, list[ProductInfo]]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.totals), Decimal(0))


def build_weekly_order(
    conn: Connection, club: ledger.ClubRow, window_id: int | None, view: CatalogView
) -> WeeklyOrder:
    """Gather a window's totals per product and its packing list per member."""
    if window_id is None:
        return WeeklyOrder(club.name, club.locale, club.currency, True, [], [])
    totals = [PackingLine(view.infos[p], q) for p, q in ledger.product_totals(conn, window_id)]
    members: dict[int, MemberOrder] = {}
    for member_id, name, user_id, product_id, quantity in ledger.window_lines(conn, window_id):
        members.setdefault(member_id, MemberOrder(member_id, name, user_id)).lines.append(
            PackingLine(view.infos[product_id], quantity)
        )
    return WeeklyOrder(
        club.name,
        club.locale,
        club.currency,
        window_id == club.window_id,
        totals,
        sorted(members.values(), key=lambda m: (fold(m.name), m.member_id)),
        _waiting(conn, window_id, view),
    )


def _waiting(
    conn: Connection, window_id: int, view: CatalogView
) -> list[tuple[str, list[ProductInfo]]]:
    """Each member with an unanswered question, and what it was about."""
    asked: dict[int, tuple[str, list[ProductInfo]]] = {}
    for member_id, name, product_id in open_questions(conn, window_id):
        products = asked.setdefault(member_id, (name, []))[1]
        info = view.infos.get(product_id) if product_id is not None else None
        if info is not None and info not in products:
            products.append(info)
    return sorted(asked.values(), key=lambda item: fold(item[0]))
