"""A member's answer to an offer made to them: the option taken, and what it replaces.

"Yes please, 2 cases", "le grand 👍", "chard then", "unsmoked ta": a short message read
against the open offers of :mod:`orders.offers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, or_, select

from orders import ledger
from orders.fastsql import Prepared
from orders.offer_reading import (
    OFFER,
    REPLACES,
    THEN,
    Read,
    packed_in,
    read_text,
    stored_quantity,
)
from orders.parsing import Action, Item, ProductIndex, Removal, to_catalog_unit
from orders.parsing.lexicon import NO, YES
from orders.parsing.text import stem
from orders.turn import Turn

_AGREE = YES | frozenset(
    {"parfait", "perfect", "great", "super", "top", "nickel", "please", "deal", "go", "va", "bon"}
)
_BIG = frozenset({"grand", "grande", "gros", "grosse", "large", "big", "bigger", "larger", "plus"})
_SMALL = frozenset({"petit", "petite", "small", "smaller", "little", "moins"})
_ANSWER_WORDS = _AGREE | THEN | _BIG | _SMALL
_SIZE_WORDS = (_BIG | _SMALL | {"medium", "moyen", "moyenne"}) - {"plus", "moins"}
_DIGIT = re.compile("[0-9]")


def may_answer(words: list[str], actions: list[Action], named: bool = False) -> bool:
    """Whether a message could answer an offer: short, ordering nothing clear by itself
    ("le grand 👍", "yes please, 2 cases", or a product named alone: "unsmoked ta").

    Cheap, so that the ledger is asked for open offers only for such messages.
    """
    if len(words) > 14:
        return False
    for action in actions:
        if isinstance(action, Item):
            return False
    if named and not actions and len(words) <= 5 and "?" not in words:
        return True
    return not _ANSWER_WORDS.isdisjoint(words) or _DIGIT.search(" ".join(words)) is not None


def open_offers(turn: Turn, window_id: int) -> list[_Offer]:
    """The open offers made to this member in this week."""
    rows = _OPEN_OFFERS.rows(turn.conn, {"member": turn.member_id, "window": window_id})
    return [
        _Offer(str(kind), int(product), stored_quantity(value)) for kind, product, value in rows
    ]


@dataclass(frozen=True, slots=True)
class _Offer:
    kind: str
    product_id: int
    quantity: Decimal | None


_clar = ledger.clar_t
_OPEN_OFFERS = Prepared(
    select(_clar.c.kind, _clar.c.product_id, _clar.c.quantity).where(
        _clar.c.member_id == bindparam("member"),
        _clar.c.status == "open",
        _clar.c.window_id == bindparam("window"),
        or_(_clar.c.kind == OFFER, _clar.c.kind == REPLACES),
        _clar.c.product_id.is_not(None),
    )
)


def read_answer(turn: Turn, rows: list[_Offer], actions: list[Action]) -> list[Action]:
    """The member's answer read against the offers: the option taken, and what it replaces."""
    index, codes = turn.view.index, turn.view.codes
    options = {codes[r.product_id]: r.quantity for r in rows if r.kind == OFFER}
    replaced = {codes[r.product_id]: r.quantity for r in rows if r.kind == REPLACES}
    read = read_text(turn.text, index)
    words = set(read.words)
    if not NO.isdisjoint(words) and THEN.isdisjoint(words):
        return []  # "no thanks, just drop the large ones": the offer is declined
    packs = _by_pack_size(index, read, [*options, *replaced])
    if packs:
        # "12 + 6 c'est parfait" to "une boîte de 12 + une de 6, ou 3 boîtes de 6 ?"
        kept: list[Action] = [Removal(c) for c in replaced if c not in packs]
        return kept + [Item(c, n, "set") for c, n in packs.items()]
    chosen = _chosen(index, read, words, options, replaced)
    if chosen is None:
        return []
    value = _answer_amount(index, read, chosen, actions)
    if value is None:
        value = options.get(chosen)
    mode = "set"
    if value is None:
        same_unit = [
            q
            for c, q in replaced.items()
            if q is not None and index.products[c].unit == index.products[chosen].unit
        ]
        value = same_unit[0] if same_unit else None
        mode = "add"  # what it replaces comes on top of what they had of it already
    if value is None and index.products[chosen].unit in ("piece", "pack", "bunch"):
        value = Decimal(1)
    if value is None:
        return []
    out: list[Action] = [Removal(c) for c in replaced if c != chosen]
    out.append(Item(chosen, value, mode if chosen not in replaced else "set"))
    return out


def _by_pack_size(index: ProductIndex, read: Read, candidates: list[str]) -> dict[str, Decimal]:
    """Bare counts that are each the size of one of the packs on offer: one pack of each."""
    counted = [q for q in read.amounts if q.amount.dimension is None and not q.bound]
    if not counted or read.products:
        return {}
    taken: dict[str, Decimal] = {}
    for q in counted:
        size = q.amount.value * q.amount.factor
        fits = [
            c
            for c in candidates
            if (pack := index.products[c].pack) is not None
            and pack.dimension == "piece"
            and pack.amount == size
        ]
        if len(fits) != 1:
            return {}
        taken[fits[0]] = taken.get(fits[0], Decimal(0)) + 1
    return taken


def _chosen(
    index: ProductIndex,
    read: Read,
    words: set[str],
    options: dict[str, Decimal | None],
    replaced: dict[str, Decimal | None],
) -> str | None:
    named = [p.code for p in read.products if p.code in options]
    if len(set(named)) == 1:
        return named[0]
    others = [p.code for p in read.products if p.code not in replaced]
    if replaced and len(set(others)) == 1 and (not THEN.isdisjoint(words) or len(words) <= 4):
        return others[0]  # "chard then": a substitute the supplier did not name
    sized = [c for c in options if any(index.says(c, w) for w in words & _SIZE_WORDS)]
    if len(sized) == 1:
        return sized[0]  # "le grand 👍" to "le petit ou le grand ?"
    if len(options) >= 2 and not (_BIG.isdisjoint(words) and _SMALL.isdisjoint(words)):
        ranked = sorted(options, key=lambda c: _size(index, c))
        return ranked[-1] if not _BIG.isdisjoint(words) else ranked[0]
    for q in read.amounts:
        word = q.amount.word
        packed = [c for c in options if word and packed_in(index, c, stem(word))]
        if len(packed) == 1:
            return packed[0]  # "yes please, 2 cases"
    if len(options) == 1 and not _AGREE.isdisjoint(words):
        return next(iter(options))
    return None


def _answer_amount(
    index: ProductIndex, read: Read, chosen: str, actions: list[Action]
) -> Decimal | None:
    for q in read.amounts:
        if q.bound and not any(p.qty is q and p.code == chosen for p in read.products):
            continue
        value = to_catalog_unit(q.amount, index.products[chosen])
        if value:
            return value
    return None


def _size(index: ProductIndex, code: str) -> Decimal:
    info = index.products[code]
    return info.pack.amount if info.pack is not None else info.price
