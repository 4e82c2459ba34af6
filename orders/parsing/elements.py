"""Step 2: a message's tokens as quantities (Q) and product mentions (P)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orders.parsing.lexicon import (
    LINKS,
    MAX_AMOUNT,
    UNIT_WORDS,
    VAGUE,
)
from orders.parsing.products import Mention
from orders.parsing.text import Token
from orders.parsing.units import Amount


@dataclass(slots=True)
class Q:
    """A quantity as written."""

    start: int
    end: int
    amount: Amount
    article: bool = False
    plus: bool = False
    choice: tuple[Decimal, ...] = ()
    old: bool = False
    dropped: bool = False
    bound: bool = False

    @property
    def huge(self) -> bool:
        return self.amount.value > MAX_AMOUNT


@dataclass(slots=True)
class P:
    """A product mention, with the quantities bound to it."""

    start: int
    end: int
    code: str
    vague: bool = False
    old: bool = False
    qty: Q | None = None
    extra: Q | None = None
    named: tuple[str, ...] = ()  # the words that named it
    packed_as: str | None = None  # "œufs en boîtes de 6": the product whose packs are meant
    pack: Decimal | None = None  # "Oeufs boîte de 12": the pack written after the name


def find_elements(tokens: list[Token], mentions: list[Mention]) -> list[Q | P]:
    """Walk the tokens once, keeping quantities and product mentions in order."""
    starts = {m.start: m for m in mentions}
    inside = {i for m in mentions for i in range(m.start, m.end)}
    out: list[Q | P] = []
    i, count = 0, len(tokens)
    while i < count:
        if i in starts:
            m = starts[i]
            p = P(m.start, m.end, m.code, vague=_is_vague(tokens, i), named=m.words)
            packed = starts.get(m.end + 1)
            if packed is not None and packed.code != m.code and tokens[m.end].text in _AS:
                p.end, p.packed_as = packed.end, packed.code
            elif (
                p.end + 2 < count and tokens[p.end + 2].kind == "num" and _pack_after(tokens, p.end)
            ):
                p.pack, p.end = tokens[p.end + 2].value, p.end + 3
            out.append(p)
            i = p.end
            continue
        token = tokens[i]
        if token.kind == "num" or token.text in ("a", "an"):  # what _quantity_at looks at
            q = _quantity_at(tokens, i, starts, inside)
            if q is not None:
                out.append(q)
                i = q.end
                continue
        i += 1
    return out


def _is_vague(tokens: list[Token], i: int) -> bool:
    before = [t.text for t in tokens[max(0, i - 6) : i]]
    if _vague_words(before[-3:]):
        return True
    # "a few bags of the ethiopia": look past the links and one container word.
    while before and before[-1] in LINKS:
        before.pop()
    if not before or not _is_container_word(before[-1]):
        return False
    before.pop()
    while before and before[-1] in LINKS:
        before.pop()
    return _vague_words(before[-3:])


def _vague_words(before: list[str]) -> bool:
    if before[-1:] and before[-1] in VAGUE:
        return True
    return before[-2:] in (["de", "la"], ["1", "peu"], ["a", "few"]) or before == ["1", "peu", "de"]


def _quantity_at(
    tokens: list[Token], i: int, starts: dict[int, Mention], inside: set[int]
) -> Q | None:
    token = tokens[i]
    if token.kind == "word" and token.text in ("a", "an"):
        nxt = i + 1
        if nxt in starts or (
            nxt < len(tokens) and tokens[nxt].text in UNIT_WORDS and nxt not in inside
        ):
            return Q(i, i + 1, Amount(Decimal(1), counted=True), article=True)
        return None
    if token.kind != "num" or token.value is None or i in inside:
        return None
    value, end = token.value, i + 1
    choice: tuple[Decimal, ...] = ()
    if (
        end + 1 < len(tokens)
        and tokens[end].text in ("ou", "or", "-", "a", "to")
        and tokens[end + 1].kind == "num"
        and tokens[end + 1].value is not None
    ):
        choice = (value, tokens[end + 1].value)  # type: ignore[assignment]
        end += 2
    dimension, factor, word = None, Decimal(1), ""
    sized = _sized_containers(tokens, end, starts)
    if sized is not None and not choice:
        # "two 250g bags", "2 x 500 g": so many containers of that size.
        size, dimension, factor, word, end = sized
        value = value * size
    unit_at = end + 1 if end < len(tokens) and tokens[end].text in _MORE else end
    if (
        not word
        and unit_at < len(tokens)
        and tokens[unit_at].text in UNIT_WORDS
        and unit_at not in starts
    ):
        word = tokens[unit_at].text  # "2 kg", "1 more case"
        dimension, factor = UNIT_WORDS[word]
        end = unit_at + 1
        if dimension in _MEASURED and _is_container(tokens, end, starts):
            end += 1  # "a 250g bag": the bag is the amount's, not a second one
        elif dimension == "dozen" and _is_counted(tokens, end, starts):
            # "half a dozen tins of earl grey": six tins
            value, word = value * factor * 12, tokens[end].text
            dimension, factor = UNIT_WORDS[word]
            end += 1
    plus = (
        i > 0
        and tokens[i - 1].text == "+"
        and (i < 2 or tokens[i - 2].text in (":", "\n", "!", "."))
    )
    counted = dimension is None and (end in starts or _next_is_product(tokens, end, starts))
    amount = Amount(value, dimension, factor, counted, word)
    return Q(i, end, amount, plus=plus, choice=choice)


_MORE = frozenset({"more", "extra", "additional", "autre", "autres"})
_AS = frozenset({"en", "in"})  # "une douzaine d'œufs EN boîtes de 6"
_MEASURED = frozenset({"mass", "volume"})


def _is_container(tokens: list[Token], at: int, starts: dict[int, Mention]) -> bool:
    return at < len(tokens) and at not in starts and _is_container_word(tokens[at].text)


def _is_counted(tokens: list[Token], at: int, starts: dict[int, Mention]) -> bool:
    """A container or piece word that a dozen counts ("a dozen jars", "2 dozen pieces")."""
    if at >= len(tokens) or at in starts:
        return False
    return UNIT_WORDS.get(tokens[at].text, ("",))[0] in ("container", "piece")


def _pack_after(tokens: list[Token], at: int) -> bool:
    """ "Oeufs boîte de 12 : 1", "eggs box of 6": a container of a count, after a name."""
    return (
        at + 2 < len(tokens)
        and tokens[at + 2].kind == "num"
        and tokens[at + 1].text in ("de", "d", "of")
        and _is_container_word(tokens[at].text)
        and tokens[at + 2].value is not None
        and (at + 3 == len(tokens) or tokens[at + 3].text not in UNIT_WORDS)
    )


def _is_container_word(word: str) -> bool:
    """ "bag", "boîte", "pot": words that hold an amount rather than measure it."""
    return UNIT_WORDS.get(word, ("",))[0] == "container"


def _sized_containers(
    tokens: list[Token], at: int, starts: dict[int, Mention]
) -> tuple[Decimal, str, Decimal, str, int] | None:
    """After a count, a measured size: "2 x 500 g", "2 250 g bags" (size, unit, end).

    Without the "x", the size must be followed by a container word: "2 500 g" alone is
    how French writes 2,500 g.
    """
    times = at < len(tokens) and tokens[at].text == "x"
    size_at = at + 1 if times else at
    if size_at + 1 >= len(tokens) or tokens[size_at].kind != "num":
        return None
    unit = tokens[size_at + 1].text
    dimension, factor = UNIT_WORDS.get(unit, ("", Decimal(1)))
    if dimension not in _MEASURED or size_at + 1 in starts:
        return None
    end = size_at + 2
    container = _is_container(tokens, end, starts)
    if not (times or container):
        return None
    size = tokens[size_at].value
    if size is None:
        return None
    return size, dimension, factor, unit, end + 1 if container else end


def _next_is_product(tokens: list[Token], end: int, starts: dict[int, Mention]) -> bool:
    j = end
    while j < len(tokens) and tokens[j].text in LINKS and tokens[j].text not in ("x", ":"):
        j += 1
    return j in starts and j > end and tokens[j - 1].text not in ("x", ":", "=")
