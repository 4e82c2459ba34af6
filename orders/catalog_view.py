"""A club's catalogue as the parser and the replies see it, cached per import."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from orders.models import Club, Product
from orders.parsing import ProductIndex, ProductInfo


@dataclass(frozen=True)
class CatalogView:
    """Products of one catalogue version, indexed for matching and lookup."""

    version: int
    index: ProductIndex
    ids: dict[str, int]
    codes: dict[int, str]
    infos: dict[int, ProductInfo]

    def index_position(self, product_id: int) -> int:
        """Catalogue order of a product, for listing lines the way the catalogue does."""
        return list(self.infos).index(product_id) if product_id in self.infos else 10**6

    def price(self, product_id: int) -> Decimal:
        return self.infos[product_id].price


def load_view(session: Session, club: Club) -> CatalogView:
    """Read a club's products; only the available ones can be ordered."""
    rows = session.exec(select(Product).where(Product.club_id == club.id)
                        .order_by(col(Product.position))).all()
    infos = {}
    for row in rows:
        assert row.id is not None
        infos[row.id] = ProductInfo.build(row.code, row.name, row.unit, Decimal(row.price),
                                          row.aliases, row.available, row.stock_limit)
    index = ProductIndex.build([i for i in infos.values() if i.available])
    return CatalogView(club.catalog_version, index, {r.code: r.id for r in rows if r.id},
                       {r.id: r.code for r in rows if r.id}, infos)
