"""The actions found so far in a message, and how a bound pair becomes one."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from orders.parsing.elements import P
from orders.parsing.intents import (
    Action,
    Ask,
    Item,
)
from orders.parsing.products import ProductIndex
from orders.parsing.units import Amount, to_catalog_unit


@dataclass(slots=True)
class Draft:
    """The actions found so far, with the last product named (for corrections)."""

    actions: list[Action | Pending] = field(default_factory=list)  # Pending: a swap
    replacing: bool = False  # the message says "au lieu de" / "instead of" a quantity
    seen: list[tuple[int, str]] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    talk: bool = False  # the message has words of talk to others (SOMEONE, ENOUGH)
    aside: str = ""  # why products were named without ordering them (orders.parsing.reasons)

    def forget(self, product: str) -> None:
        """Drop what the message said of a product so far: it is being restated."""
        self.actions = [
            a for a in self.actions if not (isinstance(a, Item) and a.product == product)
        ]

    def product_before(self, position: int) -> str | None:
        """The last product named before token ``position``."""
        earlier = [code for start, code in self.seen if start < position]
        return earlier[-1] if earlier else None


@dataclass(frozen=True, slots=True)
class Pending:
    product: P
    mode: str = "set"


def item(product: P, mode: str, index: ProductIndex, draft: Draft) -> None:
    """Turn a product bound to its quantity into an item, or the question to ask about it."""
    info = index.products[product.code]
    q = product.qty
    assert q is not None
    if q.huge:
        draft.actions.append(Ask("vague", product.code, mode=mode))
        return
    if q.choice:
        options = tuple(fmt(v) for v in q.choice)
        draft.actions.append(Ask("choice", product.code, options=options, mode=mode))
        return
    amount = q.amount
    if product.extra is not None and info.unit == "kg" and amount.dimension is None:
        amount = product.extra.amount
    if amount.dimension in ("mass", "volume") and info.unit == "pack":
        sibling = index.sized_sibling(
            product.code, product.named, amount.dimension, amount.value * amount.factor
        )
        if sibling is not None:
            draft.actions.append(Item(sibling[0], sibling[1], "add" if q.plus else mode))
            return
    code = product.code
    if product.pack is not None:
        # "Oeufs boîte de 12 : 1": the product of the family sold in that pack.
        code = index.packed_in(code, product.pack) or code
        info = index.products[code]
    value = to_catalog_unit(amount, info)
    if value and info.unit == "pack" and amount.dimension is None:
        whole = index.whole_pack(code, value)
        if whole is not None:
            code, value = whole
    if value and product.packed_as is not None:
        packs = index.repacked(code, value, product.packed_as)
        if packs is not None:
            code, value = product.packed_as, packs
    if value is None:
        draft.actions.append(Ask("unit", code, said=said(amount), mode=mode))
    elif value == 0:
        draft.actions.append(Ask("vague", code, mode=mode))
    else:
        draft.actions.append(Item(code, value, "add" if q.plus else mode))


def said(amount: Amount) -> str:
    """The amount as the member wrote it, for the question the bot asks back."""
    unit = {"mass": "kg", "volume": "l", "dozen": "dz", "piece": "pc"}.get(
        amount.dimension or "", ""
    )
    return f"{fmt(amount.value * amount.factor)} {unit}".strip()


def fmt(value: Decimal) -> str:
    """A decimal without trailing zeros, for questions."""
    return format(value.normalize(), "f")


def item_from(product: P, draft: Draft, mode: str = "set") -> None:
    """Queue an item whose quantity is read when the message is finished."""
    draft.actions.append(Pending(product, mode))  # resolved in _finish, where the index is known
