"""The fixture catalogues as the parser sees them, for parser tests."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from orders.parsing import ProductIndex, ProductInfo

FIXTURES = Path(__file__).parent.parent / "fixtures"
CATALOGS = {
    "fish": FIXTURES / "fish-club" / "catalog.yaml",
    "veg": FIXTURES / "veg-basket" / "catalog.yaml",
}


@cache
def products(club: str) -> tuple[dict[str, Any], ...]:
    """The product entries of a fixture catalogue ("fish" or "veg")."""
    return tuple(yaml.safe_load(CATALOGS[club].read_text(encoding="utf-8"))["products"])


@cache
def index(club: str) -> ProductIndex:
    """The product index of a fixture catalogue ("fish" or "veg")."""
    return ProductIndex.build(
        [
            ProductInfo.build(
                p["id"], p["name"], p["unit"], Decimal(str(p["price"])), p.get("aliases", [])
            )
            for p in products(club)
        ]
    )
