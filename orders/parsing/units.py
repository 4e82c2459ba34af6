"""Converting an amount as written into the product's catalogue unit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orders.parsing.lexicon import LIMITS, SINGLE_ITEM
from orders.parsing.products import ProductInfo
from orders.parsing.text import stem

TWELVE = Decimal(12)


@dataclass(frozen=True, slots=True)
class Amount:
    """A number as written, with its unit's dimension (None for a bare number).

    ``counted`` says the number counts things named right after it ("2 moules",
    "une aile de raie"), as opposed to "moules : 2".
    """

    value: Decimal
    dimension: str | None = None
    factor: Decimal = Decimal(1)
    counted: bool = False
    word: str = ""


LEDGER_STEP = Decimal("0.001")
TOO_MUCH = Decimal(10) ** 9


def to_catalog_unit(amount: Amount, product: ProductInfo) -> Decimal | None:
    """Return the amount in the product's unit, to the ledger's 0.001, or None to ask.

    An amount that rounds to nothing comes back as 0: "0.0004 kg" is not an order.
    """
    value = _convert(amount, product)
    if value is None or not value.is_finite() or value >= TOO_MUCH:
        return None
    rounded = value.quantize(LEDGER_STEP)
    return rounded.normalize() if rounded > 0 else Decimal(0)


def limit_for(product: ProductInfo) -> Decimal:
    """The amount above which a careful organiser would check before writing it down."""
    return LIMITS.get(product.unit, Decimal(20))


def _convert(amount: Amount, product: ProductInfo) -> Decimal | None:
    value, dim = amount.value * amount.factor, amount.dimension
    unit, pack = product.unit, product.pack
    if dim is None:
        return _bare(amount, product)
    if dim == "mass":
        if unit == "kg":
            return value
        return _per_pack(value, "mass", pack)
    if dim == "volume":
        if unit == "litre":
            return value
        return _per_pack(value, "volume", pack)
    if dim == "dozen":
        if unit == "dozen":
            return value
        if unit == "piece":
            return value * TWELVE
        return _per_pack(value * TWELVE, "piece", pack)
    if dim == "piece":
        if unit == "piece":
            return value
        if unit == "dozen":
            return value / TWELVE
        return _per_pack(value, "piece", pack)
    if dim == "bunch":
        return value if unit == "bunch" else None
    if dim == "container":
        if pack and pack.dimension == "piece" and _counts_items(amount.word, product):
            # "2 pots" of "(lot de 2 pots)", "6 bottles" of a "(case of 6)"
            return value / pack.amount
        if unit == "litre":
            return value * (pack.amount if pack and pack.dimension == "volume" else 1)
        if unit in ("pack", "piece") or product.container:
            return value
        return None
    return None


def _counts_items(word: str, product: ProductInfo) -> bool:
    """Whether a container word counts the items inside a pack rather than packs."""
    word = stem(word)
    return (bool(product.piece_word) and word == product.piece_word) or word in SINGLE_ITEM


def _bare(amount: Amount, product: ProductInfo) -> Decimal | None:
    value, unit, pack = amount.value, product.unit, product.pack
    if unit == "kg":
        return None if amount.counted else value
    if unit == "dozen":
        return value / TWELVE if value >= 6 else value
    if unit == "litre":
        return value * pack.amount if pack and pack.dimension == "volume" else value
    if unit == "pack" and pack and pack.dimension == "piece" and amount.counted:
        size = pack.amount
        if value >= size and value % size == 0:
            return value / size
    return value


def _per_pack(value: Decimal, dimension: str, pack: object) -> Decimal | None:
    from orders.parsing.products import PackSize

    if isinstance(pack, PackSize) and pack.dimension == dimension and pack.amount > 0:
        return value / pack.amount
    return None
