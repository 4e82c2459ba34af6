"""Step 5: what each segment asks for: add, change, cancel, swap, or just talk."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

from orders.parsing import reasons
from orders.parsing.draft import Draft, item, item_from
from orders.parsing.elements import P, Q
from orders.parsing.intents import (
    Ask,
    Item,
    ParseContext,
    Removal,
)
from orders.parsing.lexicon import (
    ADD,
    ENOUGH,
    FIRST_PERSON,
    NEGATION,
    ORDER_VERBS,
    PAST,
    REFERENCE,
    REMOVE,
    RESTATE,
    SELF_CORRECTION,
    SET,
    SHARING,
    SOMEONE,
    SWAP,
    SWAP_LINK,
)
from orders.parsing.phrases import LAST_WEEK_P, has
from orders.parsing.products import ProductIndex
from orders.parsing.structure import Segment, Sentence


def read_segment(
    segment: Segment,
    sentence: Sentence,
    words: list[str],
    index: ProductIndex,
    ctx: ParseContext,
    draft: Draft,
) -> None:
    """Turn the products of one segment into actions, by the markers around them."""
    products = [e for e in segment.elements if isinstance(e, P)]
    if not products:
        return
    seg_words = words[segment.start : segment.end]
    sentence_words = words[sentence.start : sentence.end]
    if _only_asking(sentence, sentence_words, products):
        draft.asked.extend(p.code for p in products)
        return
    if draft.talk and _to_others(sentence, sentence_words):
        # Proposed to the others, not asked about for oneself: a bare amount after it
        # ("… c'est trop pour un célibataire") is not an amount of it.
        draft.seen.extend((p.start, p.code) for p in products)
        if not SHARING.isdisjoint(sentence_words):
            draft.aside = reasons.PROPOSAL
        return
    if not PAST.isdisjoint(seg_words) or _is_reference(seg_words) or _about_last_week(seg_words):
        draft.seen.extend((p.start, p.code) for p in products)
        draft.aside = reasons.STORY
        return
    if draft.talk and _advice(sentence_words):
        draft.seen.extend((p.start, p.code) for p in products)
        draft.aside = reasons.ADVICE
        return
    if swap(segment, sentence, words, ctx, draft):
        return
    reading = _Reading(
        # "cancel the sirloin, just the ribeye and bacon": what is kept is not cancelled.
        removing=not REMOVE.isdisjoint(sentence_words) and _KEEPING.isdisjoint(seg_words),
        removing_here=not REMOVE.isdisjoint(seg_words),
        mode=_mode(seg_words, sentence_words, words, segment),
        restating=not (RESTATE.isdisjoint(seg_words) and SELF_CORRECTION.isdisjoint(seg_words)),
        sentence_words=sentence_words,
        products=products,
    )
    for product in products:
        if not product.old:
            _read_product(product, reading, words, segment, index, draft)
        draft.seen.append((product.start, product.code))


@dataclass(slots=True)
class _Reading:
    """What a segment's markers say about every product in it."""

    removing: bool  # a cancel verb in the sentence
    removing_here: bool  # ... in this very segment
    mode: str  # "set" or "add"
    restating: bool  # "donc", "so", "sorry": this line replaces what the message said
    sentence_words: list[str]
    products: list[P]  # the segment's products


_KEEPING = frozenset({"just", "only", "juste", "seulement", "keep", "garde", "gardez", "garder"})


def _advice(sentence_words: list[str]) -> bool:
    """ "2 kg de moules ça suffit pour 4", "a dozen is plenty for two", "comptez 200 g par
    personne": how much to take, said to someone else (an amount judged enough for a number
    of people, or a rate per person)."""
    if ENOUGH.isdisjoint(sentence_words) or not ORDER_VERBS.isdisjoint(sentence_words):
        return False
    pairs = set(itertools.pairwise(sentence_words))
    if pairs & _PER_PERSON:
        return True  # "comptez 200 g par personne": a rate, not an amount ordered
    return any(
        w in ENOUGH and ({"pour", "for"} & set(sentence_words[n + 1 : n + 3]))
        for n, w in enumerate(sentence_words)
    )


_PER_PERSON = frozenset(
    {("par", "personne"), ("per", "person"), ("par", "tete"), ("a", "head"), ("per", "head")}
)


_ASKS_SOMEONE = frozenset({"quelqu", "anyone", "anybody", "someone", "somebody"})


def _to_others(sentence: Sentence, sentence_words: list[str]) -> bool:
    """ "Quelqu'un veut partager une araignée avec moi ?", "j'ai 24 huîtres à ouvrir,
    quelqu'un a un bon couteau ?": an offer to share, or a question put to the others."""
    if SOMEONE.isdisjoint(sentence_words):
        return False
    if not SHARING.isdisjoint(sentence_words):
        return True
    return sentence.question and not _ASKS_SOMEONE.isdisjoint(sentence_words)


def _only_asking(sentence: Sentence, sentence_words: list[str], products: list[P]) -> bool:
    """ "il reste des soles ?" asks; "could I have 2 soles?" and "je peux avoir 2 soles ?" order."""
    if not sentence.question or sentence.request:
        return False
    return not (FIRST_PERSON.intersection(sentence_words) and any(p.qty for p in products))


def _read_product(
    product: P,
    reading: _Reading,
    words: list[str],
    segment: Segment,
    index: ProductIndex,
    draft: Draft,
) -> None:
    removed = (
        _negated(words, product, segment)
        or _replaced(words, product, segment)
        or (reading.removing and product.qty is None)
        or reading.removing_here
    )
    if removed:
        draft.actions.append(Removal(product.code))
    elif product.qty is not None:
        if reading.restating:
            draft.forget(product.code)  # "2 kg carote... sorry, carrots. So 2kg carrots"
        item(product, reading.mode, index, draft)
    elif product.vague:
        draft.actions.append(Ask("vague", product.code))
    elif _bare_list_item(words, product, index):
        draft.actions.append(Item(product.code, Decimal(1), reading.mode))
    elif _asked_for(reading):
        # "je prends les moules", "mussels please": asked for, but how much? "le carton",
        # "the small box": one of a product sold by the piece.
        one = (
            index.products[product.code].unit in ("piece", "pack", "bunch")
            and product.start > 0
            and words[product.start - 1] in _ONE_ARTICLES
        )
        if one:
            draft.actions.append(Item(product.code, Decimal(1), reading.mode))
        else:
            draft.actions.append(Ask("vague", product.code))


def _asked_for(reading: _Reading) -> bool:
    """ "je prends les moules", "mussels please": a product asked for with no amount; not
    one named beside a product that has one ("une boîte de 12 oeufs")."""
    if _ORDERING.isdisjoint(reading.sentence_words):
        return False
    return all(p.qty is None for p in reading.products)


_ONE_ARTICLES = frozenset({"le", "la", "l", "the", "this", "that", "ce", "cette"})
_ORDERING = ORDER_VERBS | frozenset(
    {"svp", "stp", "please", "pls", "plz", "prendrai", "mets", "mettez", "reserve", "reserver"}
)
_INSTEAD = (
    ("instead", "of"),
    ("rather", "than"),
    ("au", "lieu"),
    ("a", "la", "place"),
    ("plutot", "que"),
)
_ARTICLES = frozenset({"the", "my", "de", "d", "du", "des", "le", "la", "les", "mon", "ma", "mes"})


def _replaced(words: list[str], product: P, segment: Segment) -> bool:
    """ "12 sausages instead of the sourdough": the product after "instead of" goes."""
    if product.qty is not None:
        return False
    before = words[max(segment.start, product.start - 5) : product.start]
    while before and before[-1] in _ARTICLES:
        before.pop()
    return any(tuple(before[-len(phrase) :]) == phrase for phrase in _INSTEAD)


_LAST_WEEK_CUES = frozenset(
    {"derniere", "dernier", "habitude", "hab", "habituelle", "last", "usual"}
)
_REFERENCE_CUES = frozenset(r[0] for r in REFERENCE)


def _about_last_week(seg_words: list[str]) -> bool:
    """ "les 2 soles de samedi dernier": talk about last week, unless ordered "comme" it."""
    if _LAST_WEEK_CUES.isdisjoint(seg_words):
        return False
    text = " " + " ".join(seg_words) + " "
    return has(text, LAST_WEEK_P) and not has(
        text, ("comme", "like", "as", "same", "pareil", "meme")
    )


def _is_reference(seg_words: list[str]) -> bool:
    """ "je vous ai mis 2 kg": what was ordered before, not an order."""
    if _REFERENCE_CUES.isdisjoint(seg_words):
        return False
    pairs = set(itertools.pairwise(seg_words))
    return any(tuple(r[:2]) in pairs for r in REFERENCE)


def _mode(
    seg_words: list[str], sentence_words: list[str], words: list[str], segment: Segment
) -> str:
    marked = not (ADD.isdisjoint(seg_words) and SET.isdisjoint(seg_words))
    scope = seg_words if marked else sentence_words
    if not SET.isdisjoint(scope) and ADD.isdisjoint(seg_words):
        return "set"
    if any(w in ADD for w in scope if w != "plus") or (
        "plus" in scope and "en plus" in " ".join(scope)
    ):
        return "add"
    if any(isinstance(e, Q) and e.plus for e in segment.elements):
        return "add"
    first = [w for w in words if w not in ("ah", "oh", "euh", ",")][:1]
    if first in (["et"], ["and"]) and segment.start <= 3:
        return "add"
    return "set"


def _negated(words: list[str], product: P, segment: Segment) -> bool:
    if product.qty is not None and product.qty.start < product.start:
        return False
    before = words[max(segment.start, product.start - 4) : product.start]
    while before and before[-1] in (
        "de",
        "d'",
        "d",
        "les",
        "la",
        "le",
        "l'",
        "the",
        "any",
        "more",
        "des",
        "du",
        "mes",
        "my",
        "of",
    ):
        before.pop()
    return bool(before) and before[-1] in NEGATION | {"sans", "without"}


_LIST_END = frozenset(
    {"+", ",", "\n", "", "for", "pour", "please", "pls", "svp", "stp", ".", "et", "and", "&"}
)


def _bare_list_item(words: list[str], product: P, index: ProductIndex) -> bool:
    """ "panier + 2 jus": a product named alone in a list means one of it."""
    if index.products[product.code].unit not in ("piece", "pack", "bunch"):
        return False
    before = words[product.start - 1] if product.start else ""
    after = words[product.end] if product.end < len(words) else ""
    return before in (":", "-", "\n", "") and after in _LIST_END


def swap(
    segment: Segment, sentence: Sentence, words: list[str], ctx: ParseContext, draft: Draft
) -> bool:
    """Read "je change X pour Y", "swap X for Y" and "Y à la place": remove one, order the other."""
    sentence_words = words[sentence.start : sentence.end]
    text = " ".join(sentence_words)
    products = [e for e in segment.elements if isinstance(e, P)]
    if not SWAP.isdisjoint(sentence_words) and len(products) >= 2:
        old, new = products[0], products[-1]
        link = words[old.end : new.start]
        if not SWAP_LINK.isdisjoint(link):
            draft.actions.append(Removal(old.code))
            _swap_in(new, old, ctx, draft)
            return True
    if products and ("a la place" in text or "instead" in sentence_words) and len(products) == 1:
        new = products[0]
        if new.qty is None or ("instead of" in text and words[new.start - 1] == "of"):
            return False
        current = dict(ctx.order)
        pool = [c for c in ctx.reply_products + ctx.recent_products if c in current]
        replaced = [c for c in pool if c != new.code]
        if replaced:
            draft.actions.append(Removal(replaced[0]))
            item_from(new, draft)
            return True
    return False


def _swap_in(new: P, old: P, ctx: ParseContext, draft: Draft) -> None:
    # What comes in is added to what the order already holds of it: "swap the tahini for
    # a bag of almonds" after 2 bags makes 3.
    if new.qty is not None:
        item_from(new, draft, "add")
        return
    current = dict(ctx.order).get(old.code)
    if current is not None and old.qty is None:
        draft.actions.append(Item(new.code, current, "add"))
    else:
        draft.actions.append(Ask("vague", new.code))
