"""What offers and answers to them are read for, on both sides of an offer.

The supplier's or organiser's offer and the member's answer are read the same way: the
products named (each in the pack its amount names), the amounts, and which sentences
are questions. The words that make a message an offer, an agreement or a choice of size
are here too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from orders.parsing import ProductIndex
from orders.parsing.elements import P, Q, find_elements
from orders.parsing.structure import bind, split_segments, split_sentences
from orders.parsing.text import Token, normalize, tokenize

OFFER, REPLACES = "offer", "offer_for"
OFFERING = frozenset(
    {"plutot", "instead", "place", "rather", "propose", "suggest", "shall", "should", "prefer"}
)
SUBSTITUTING = OFFERING | {"mets", "mettre", "proposer", "offer", "can", "peux", "could"}
THEN = frozenset({"alors", "then", "plutot", "instead", "place", "rather"})


@dataclass(frozen=True, slots=True)
class Read:
    """A message read for its product mentions and amounts."""

    tokens: list[Token]
    words: list[str]
    products: list[P]
    amounts: list[Q]
    questions: list[tuple[int, int]]  # token spans of sentences ending in "?"


def _instead_at(words: list[str], start: int) -> bool:
    """ "à la place", "au lieu": never the plaice or the pollack of a fish club."""
    return words[max(0, start - 2) : start + 1] == ["a", "la", "place"] or (
        start > 0 and words[start - 1 : start + 1] == ["au", "lieu"]
    )


def read_text(text: str, index: ProductIndex) -> Read:
    tokens = tokenize(normalize(text))
    words = [t.text for t in tokens]
    flat = " " + " ".join(words) + " "
    found = [m for m in index.find(tokens) if not _instead_at(words, m.start)]
    elements = find_elements(tokens, found)
    sentences = split_sentences(tokens, flat)
    for segment in split_segments(tokens, sentences, elements):
        if len(segment.elements) > 1:
            bind(segment, words)
    return Read(
        tokens,
        words,
        [_sized(e, index) for e in elements if isinstance(e, P)],
        [e for e in elements if isinstance(e, Q)],
        [(s.start, s.end) for s in sentences if s.question],
    )


def _sized(p: P, index: ProductIndex) -> P:
    """ "plus de farine d'épeautre en sac de 5 kg": the product sold in that pack."""
    q = p.qty
    if q is None or q.amount.dimension not in ("mass", "volume"):
        return p
    if index.products[p.code].unit != "pack":
        return p
    size = q.amount.value * q.amount.factor
    sibling = index.sized_sibling(p.code, p.named, q.amount.dimension, size)
    return p if sibling is None else replace(p, code=sibling[0])


def packed_in(index: ProductIndex, code: str, word: str) -> bool:
    return index.products[code].pack_word == word or index.says(code, word)


def stored_quantity(value: Any) -> Decimal | None:
    """A stored quantity (SQLite may hand back a float) as the decimal it was written as."""
    return Decimal(str(value)).normalize() if value is not None else None
