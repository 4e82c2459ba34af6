"""A club's catalogue and roles as the core sees them, cached per catalogue version."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.engine import Connection

from orders.models import ClubRole, Product
from orders.parsing import ProductIndex, ProductInfo
from orders.replies import plain, quantity
from orders.stock import wait_t

product_t, role_t = Product.__table__, ClubRole.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CatalogView:
    """Products of one catalogue version, indexed for matching and lookup, and who is who."""

    version: int
    index: ProductIndex
    ids: dict[str, int]
    codes: dict[int, str]
    infos: dict[int, ProductInfo]
    positions: dict[int, int]
    roles: dict[str, str]
    # Products with a stock limit: most clubs have none, and then stock costs nothing.
    limited: frozenset[int] = frozenset()
    # Someone may be waiting for stock: a product is limited, or was when members started
    # waiting for it (a re-import that lifts a limit leaves them waiting until served).
    waiting_possible: bool = True
    # Order lines as replies show them, by (product, amount, locale): amounts repeat a lot.
    _lines: dict[tuple[int, Decimal, str], str] = field(default_factory=dict, compare=False)

    def line(self, product_id: int, value: Decimal, locale: str) -> str:
        """One order line as replies show it: "Moules 2 kg"."""
        key = (product_id, value, locale)
        text = self._lines.get(key)
        if text is None:
            info = self.infos[product_id]
            text = f"{plain(info.label, 60)} {quantity(value, info.unit, locale)}"
            if len(self._lines) < 10_000:
                self._lines[key] = text
        return text

    def price(self, product_id: int) -> Decimal:
        return self.infos[product_id].price

    def position(self, product_id: int) -> int:
        """Catalogue order of a product, for listing lines the way the catalogue does."""
        return self.positions.get(product_id, 10**6)

    def role(self, platform: str, user_id: str) -> str:
        """ "organiser", "supplier" or "member" for an author of the club's thread."""
        found = {self.roles.get(user_id), self.roles.get(f"{platform}:{user_id}")}
        if "supplier" in found:
            return "supplier"
        return "organiser" if "organiser" in found else "member"


def load_view(conn: Connection, club_id: int, version: int) -> CatalogView:
    """Read a club's products and roles; the core refuses orders of unavailable ones."""
    rows = conn.execute(
        select(product_t)
        .where(product_t.c.club_id == club_id)
        .order_by(product_t.c.position, product_t.c.id)
    ).all()
    infos = {
        int(r.id): ProductInfo.build(
            r.code, r.name, r.unit, Decimal(r.price), r.aliases, r.available, r.stock_limit
        )
        for r in rows
    }
    # Withdrawn products stay findable, so that ordering one gets an answer, not silence.
    index = ProductIndex.build(list(infos.values()))
    limited = frozenset(p for p, info in infos.items() if info.stock_limit is not None)
    waiting_possible = bool(limited) or (
        conn.execute(
            select(wait_t.c.id)
            .join(product_t, product_t.c.id == wait_t.c.product_id)
            .where(product_t.c.club_id == club_id)
            .limit(1)
        ).first()
        is not None
    )
    roles: dict[str, str] = {}
    for ref, role in conn.execute(
        select(role_t.c.user_ref, role_t.c.role).where(role_t.c.club_id == club_id)
    ):
        if roles.get(ref) != "supplier":
            roles[ref] = role
    return CatalogView(
        version,
        index,
        {r.code: int(r.id) for r in rows},
        {int(r.id): r.code for r in rows},
        infos,
        {int(r.id): n for n, r in enumerate(rows)},
        roles,
        limited,
        waiting_possible,
    )
