"""Readings of a message as a whole: cancel everything, copy an order, yes/no, unknown products."""

from __future__ import annotations

import itertools
from decimal import Decimal

from orders.parsing.draft import Draft
from orders.parsing.elements import Q
from orders.parsing.intents import (
    Answer,
    Ask,
    ClearAll,
    CopyOrder,
    Item,
    NotInCatalog,
    ParseContext,
    Removal,
)
from orders.parsing.lexicon import (
    ADD,
    ALL_WORDS,
    COPY_ONLY,
    EVERYTHING,
    LINKS,
    NEGATION,
    NO,
    ORDER_VERBS,
    PAST,
    POSSESSIVE,
    REMOVE,
    SET,
    STOPWORDS,
    TAKE,
    UNIT_WORDS,
    YES,
)
from orders.parsing.phrases import COPY_P, HABIT_P, LAST_WEEK_P, has
from orders.parsing.products import Mention, ProductIndex
from orders.parsing.structure import Segment, Sentence
from orders.parsing.text import Token, stem
from orders.parsing.units import to_catalog_unit


def read_whole_message(
    flat: str,
    words: list[str],
    mentions: list[Mention],
    sentences: list[Sentence],
    ctx: ParseContext,
    draft: Draft,
    index: ProductIndex,
) -> None:
    """Readings that need the whole message: yes/no, cancel everything, copy an order."""
    _copy_with_changes(flat, mentions, ctx, draft)
    if draft.actions:
        return
    word_set = set(words)
    if ctx.awaiting == "which" and len(words) <= 6 and len({m.code for m in mentions}) == 1:
        # "les reinettes" after "pommes: gala, reinette or chantecler?": the kind chosen.
        draft.actions.append(Ask("vague", mentions[0].code))
        return
    if ctx.awaiting == "confirm" and not mentions:
        if word_set & YES:
            draft.actions.append(Answer(yes=True))
            return
        if word_set & NO:
            draft.actions.append(Answer(yes=False))
            return
    asked = all(s.question and not s.request for s in sentences)
    if not mentions and not asked and _cancels_all(words, flat):
        draft.actions.append(ClearAll())
        return
    if not mentions and not asked and ctx.order and _removes(words, flat):
        _remove_by_word(words, ctx, draft, index)
        if draft.actions:
            return
    if mentions:
        return
    if ctx.recent_products or ctx.reply_products:
        _the_container(words, ctx, draft, index)
        if draft.actions:
            return
    if has(flat, HABIT_P) and COPY_ONLY.issuperset(words):
        # "comme d'hab", "the usual", "same again": last week's order.
        draft.actions.append(CopyOrder(last_week=True))
    elif flat.startswith(" + 1 ") and not ctx.order and COPY_ONLY.issuperset(words):
        draft.actions.append(CopyOrder(nearest=True))  # "+1": me too
    elif has(flat, COPY_P):
        if has(flat, LAST_WEEK_P):
            draft.actions.append(CopyOrder(last_week=True))
        elif ctx.reply_to_member or _copy_name(flat):
            draft.actions.append(CopyOrder(name=_copy_name(flat)))
        elif COPY_ONLY.issuperset(words) and not asked:
            # "pareil pour moi" with no reply link: the order written just before it.
            draft.actions.append(CopyOrder(nearest=True))


_THE = frozenset({"the", "le", "la", "l", "ce", "cette", "that", "this"})
_PUT = frozenset({"put", "order", "commande", "prends", "take", "mets", "mettez", "want", "veux"})


def _the_container(words: list[str], ctx: ParseContext, draft: Draft, index: ProductIndex) -> None:
    """ "I'll put the case on my order then", after proposing to share a case of tomatoes:
    the product just talked about that comes in that container, one of it."""
    if _PUT.isdisjoint(words):
        return
    for i in range(1, len(words)):
        if words[i - 1] not in _THE:
            continue
        if i + 1 < len(words) and UNIT_WORDS.get(words[i + 1], ("",))[0] == "container":
            i += 1  # "I'll take the BBQ box": one word of its name, then the container
        if UNIT_WORDS.get(words[i], ("",))[0] == "container":
            word = stem(words[i])
            found = {
                c
                for c in (*ctx.recent_products, *ctx.reply_products)
                if c in index.products
                and (index.products[c].pack_word == word or index.says(c, word))
            }
            if len(found) == 1:
                draft.actions.append(Item(found.pop(), Decimal(1), "set"))
            return


def _removes(words: list[str], flat: str) -> bool:
    """A word that takes something off, or "pas de" ("pas de confiture finalement")."""
    return not REMOVE.isdisjoint(words) or " pas de " in flat


def _remove_by_word(words: list[str], ctx: ParseContext, draft: Draft, index: ProductIndex) -> None:
    """ "Cancel the box please" with a large box in the order, "pas de confiture finalement"
    with one jam in it: the one product of the order that word names (a container, or a
    word of its name)."""
    held = [code for code, _ in ctx.order if code in index.products]
    for i, word in enumerate(words):
        if word not in REMOVE and words[i : i + 2] != ["pas", "de"]:
            continue
        for after in words[i + 1 : i + 4]:
            if after in STOPWORDS or after in LINKS or len(after) < 3:
                continue
            found = [
                c for c in held if index.says(c, after) or index.products[c].pack_word == after
            ]
            if len(found) == 1:
                draft.actions.append(Removal(found[0]))
            return


def _copy_with_changes(flat: str, mentions: list[Mention], ctx: ParseContext, draft: Draft) -> None:
    """ "comme Jacqueline mais sans les yaourts": the copy first, then the changes."""
    if not mentions or not draft.actions or not has(flat, COPY_P) or has(flat, LAST_WEEK_P):
        return
    name = _copy_name(flat)
    if name or ctx.reply_to_member:
        draft.actions.insert(0, CopyOrder(name=name))
    elif flat.split(" ", 2)[1] in _COPY_FIRST:
        # "pareil mais avec 2 soles en plus", no reply link: the order just before, then more.
        draft.actions.insert(0, CopyOrder(nearest=True))


_COPY_FIRST = frozenset({"pareil", "idem", "same", "ditto"})


def _cancels_all(words: list[str], flat: str) -> bool:
    """ "j'annule tout", "annule toute ma commande", "cancel my order"; not "drop table orders"."""
    if " pas de commande " in flat or " no order " in flat:
        return True
    for i, word in enumerate(words):
        if word not in REMOVE:
            continue
        after = words[i + 1 : i + 5]
        if set(after) & EVERYTHING or set(words[max(0, i - 2) : i]) & EVERYTHING:
            return True  # "j'annule tout", "je dois tout annuler"
        for a, b in itertools.pairwise(after):
            if a in POSSESSIVE and b in ALL_WORDS:
                return True
    return False


def _copy_name(flat: str) -> str | None:
    for phrase in (" pareil que ", " comme ", " same as ", " idem que "):
        if phrase in flat:
            rest = flat.split(phrase, 1)[1].split()
            if rest and rest[0] not in STOPWORDS and rest[0].isalpha():
                return rest[0]
    return None


def unknown_products(
    segments: list[Segment],
    sentences: list[Sentence],
    tokens: list[Token],
    draft: Draft,
    index: ProductIndex,
    named: set[int],
) -> None:
    """ "du saumon si possible": ordered, but not in the catalogue.

    Words at a product mention (``named``) or close to a catalogue word (a typo the
    matcher did not dare to take) are never reported.
    """
    words = [t.text if i not in named else "" for i, t in enumerate(tokens)]
    ordering = (
        any(isinstance(a, Item | Ask) for a in draft.actions)
        or len(words) <= 4
        or not ORDER_VERBS.isdisjoint(words)
    )
    for segment in segments:
        if sentences[segment.sentence].question:
            continue
        for q in segment.elements:
            if (
                isinstance(q, Q)
                and not q.bound
                and not q.old
                and not q.dropped
                and not q.article
                and q.amount.dimension is not None
            ):
                word = _next_word(words, q.end)
                if word and not index.resembles(word):
                    draft.actions.append(NotInCatalog(word))
        if not ordering:
            continue
        for i in range(segment.start, segment.end - 1):
            word = _next_word(words, i + 1, strict=True) if words[i] in ("du", "some") else None
            if word and not index.resembles(word):
                draft.actions.append(NotInCatalog(word))


def _next_word(words: list[str], start: int, *, strict: bool = False) -> str | None:
    j = start
    if not strict:
        while j < len(words) and words[j] in LINKS:
            j += 1
    if j >= len(words):
        return None
    word = words[j]
    known = (
        word in STOPWORDS
        or word in UNIT_WORDS
        or word in LINKS
        or word in SET
        or word in ADD
        or word in REMOVE
        or word in TAKE
        or word in NEGATION
    )
    if known or not word.isalpha() or len(word) < 4:
        return None
    return word


_SOME = frozenset({"des", "some", "quelques"})
_ONE = frozenset({"a", "an", "un", "une"})  # "a bacon", "un pain": one, of which kind?


def ask_which_kind(
    segments: list[Segment],
    sentences: list[Sentence],
    tokens: list[Token],
    draft: Draft,
    index: ProductIndex,
    named: set[int],
) -> None:
    """ "5 kg de pommes" when the catalogue sells three kinds of apples: ask which one.

    Only a word that names several products' common first word ("Pommes Gala", "Pommes
    Reinette"), with an amount or "des" / "some" in front of it, and none of those
    products named elsewhere in the message. One question per message, as for the rest.
    """
    if any(isinstance(a, ClearAll | CopyOrder | Ask) for a in draft.actions):
        return
    words = [t.text for t in tokens]
    taken = {a.product for a in draft.actions if isinstance(a, Item | Removal)}
    some = not _SOME.isdisjoint(words)
    ones = [i + 1 for i, w in enumerate(words) if w in _ONE] if not _ONE.isdisjoint(words) else []
    for segment in segments:
        sentence = sentences[segment.sentence]
        if sentence.question and not sentence.request:
            continue
        if not PAST.isdisjoint(words[segment.start : segment.end]):
            continue  # "l'an dernier j'avais pris 3 kilos de farine": a story
        # The places a kind can be ordered: after an amount no product took ("5 kg de
        # pommes"), or after "des" / "some".
        places: list[tuple[int, Q | None]] = []
        for e in segment.elements:
            if isinstance(e, Q) and not (e.bound or e.old or e.dropped or e.choice):
                i = e.end
                while i < segment.end and i - e.end < 2 and words[i] in LINKS:
                    i += 1
                places.append((i, e))
        if some:
            places += [
                (i + 1, None) for i in range(segment.start, segment.end - 1) if words[i] in _SOME
            ]
        if ones:
            places += [(i, None) for i in ones if segment.start < i < segment.end]
        if not places:
            continue
        for i, q in sorted(places, key=lambda place: place[0]):
            if i >= segment.end or i in named or tokens[i].kind != "word":
                continue
            kinds = index.kinds(words[i])
            if not kinds or not taken.isdisjoint(kinds):
                continue
            sized = _kind_of_size(kinds, q, index)
            if sized is not None:
                # "250 g de miel" when the honey comes in 250 g and 500 g pots: that pot.
                draft.actions.append(Item(sized, Decimal(1), "add" if q and q.plus else "set"))
                taken.add(sized)
                continue
            quantity = None
            units = {index.products[code].unit for code in kinds}
            if q is not None and len(units) == 1:
                quantity = to_catalog_unit(q.amount, index.products[kinds[0]])
            elif q is None and words[i - 1] in _ONE:
                quantity = Decimal(1)
            draft.actions.append(
                Ask("which", kinds[0], quantity=quantity or None, options=kinds, said=words[i])
            )
            return


def _kind_of_size(kinds: tuple[str, ...], q: Q | None, index: ProductIndex) -> str | None:
    """The one kind sold in a pack of exactly the amount written, if there is one."""
    if q is None or q.amount.dimension not in ("mass", "volume"):
        return None
    size = q.amount.value * q.amount.factor
    fits = [
        code
        for code in kinds
        if (pack := index.products[code].pack) is not None
        and pack.dimension == q.amount.dimension
        and pack.amount == size
    ]
    return fits[0] if len(fits) == 1 else None
