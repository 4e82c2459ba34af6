"""Step 6: a quantity with no product: a correction, the product just asked about, an answer."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from orders.parsing.draft import Draft, said
from orders.parsing.elements import P, Q
from orders.parsing.ellipsis import read_elided
from orders.parsing.intents import (
    Answer,
    Ask,
    Item,
    ParseContext,
)
from orders.parsing.lexicon import (
    ADD,
    LINKS,
    PAST,
    RESTATE,
    SELF_CORRECTION,
    SET,
    TAKE,
)
from orders.parsing.products import ProductIndex
from orders.parsing.structure import Segment, Sentence
from orders.parsing.text import stem
from orders.parsing.units import Amount, to_catalog_unit


def read_orphans(
    segments: list[Segment],
    sentences: list[Sentence],
    words: list[str],
    index: ProductIndex,
    ctx: ParseContext,
    draft: Draft,
    named: set[int],
) -> None:
    """Give each quantity that names no product the product it must mean, if any."""
    has_products = any(isinstance(e, P) for s in segments for e in s.elements)
    answers: list[Q] = []
    for number, segment in enumerate(segments):
        sentence = sentences[segment.sentence]
        if sentence.question and not sentence.request:
            continue
        seg_words = words[segment.start : segment.end]
        if not PAST.isdisjoint(seg_words):
            continue
        for q in segment.elements:
            if not isinstance(q, Q) or q.bound or q.old or q.dropped or q.huge:
                continue
            if _in_size(q, segment, segments, words, index, draft):
                continue
            if not q.choice and read_elided(q, segment, words, index, draft, named):
                continue
            if q.article:
                continue
            if _correction(q, segment, words, index, ctx, draft):
                continue
            if _for_someone(q, words, index, draft):
                continue
            if any(isinstance(e, P) for e in segment.elements):
                continue
            if number and _after_product(q, segments[number - 1], segment, words, index, draft):
                continue
            if _from_context(q, seg_words, index, ctx, draft):
                continue
            if ctx.awaiting in ("unit", "vague", "choice") and not has_products:
                answers.append(q)
    if len(answers) == 1 and not answers[0].choice:
        # One plain amount answers the question; "2 ou 3" or two amounts do not.
        draft.actions.append(Answer(amount=replace(answers[0].amount, counted=False)))


def _in_size(
    q: Q,
    segment: Segment,
    segments: list[Segment],
    words: list[str],
    index: ProductIndex,
    draft: Draft,
) -> bool:
    """ "1 pain complet de 500 g et 1 de 1 kg": a count, "de", a size: the product just
    named, in the pack of that size."""
    if q.amount.dimension is not None or words[q.end : q.end + 1] not in (["de"], ["d"], ["of"]):
        return False
    size = next((e for e in segment.elements if e.start == q.end + 1), None)
    if not isinstance(size, Q) or size.bound or size.amount.dimension not in ("mass", "volume"):
        return False
    before = [e.code for s in segments for e in s.elements if isinstance(e, P) and e.end <= q.start]
    if not before:
        return False
    code = before[-1]
    value = size.amount.value * size.amount.factor
    written = words[size.start : size.end]
    sibling = index.packed_in(code, value, size.amount.dimension, written)
    if sibling is None:
        return False
    size.bound = True
    draft.actions.append(Item(sibling, q.amount.value, "set"))
    return True


_FILLER = (
    frozenset(
        {"svp", "stp", "please", "pls", "merci", "thanks", "alors", "then", "donc", "so", "!", "."}
    )
    | LINKS
)


def _after_product(
    q: Q, previous: Segment, segment: Segment, words: list[str], index: ProductIndex, draft: Draft
) -> bool:
    """ "Bon, va pour les rillettes alors, 2 pots": the amount of the product just named.

    Only the first element of a segment right after one that ends on a product with no
    amount and nothing ordered of it yet; talk about another week never takes one.
    """
    if draft.aside or not previous.elements or segment.elements[0] is not q:
        return False
    rest = words[segment.start : q.start] + words[q.end : segment.end]
    if not _FILLER.issuperset(rest):
        return False  # "… et Pierre-Yves me rembourse 3 bouteilles": not the amount alone
    product = previous.elements[-1]
    if not isinstance(product, P) or product.qty is not None or product.old:
        return False
    # "des moules, 2 kg", "soles, 3": the amount settles what the name alone said.
    said_alone = (Ask("vague", product.code), Item(product.code, Decimal(1), "set"))
    if product.code in draft.asked or any(
        getattr(a, "product", None) == product.code and a not in said_alone for a in draft.actions
    ):
        return False
    draft.actions = [a for a in draft.actions if a not in said_alone]
    info = index.products[product.code]
    value = to_catalog_unit(replace(q.amount, counted=False), info)
    if value is None:
        draft.actions.append(Ask("unit", product.code, said=said(q.amount)))
    elif value > 0:
        draft.actions.append(Item(product.code, value, "add" if q.plus else "set"))
    return value != 0


def _for_someone(q: Q, words: list[str], index: ProductIndex, draft: Draft) -> bool:
    """ "1 kouign-amann pour moi et 2 pour ma voisine": more of the product just named."""
    product = draft.product_before(q.start)
    if product is None:
        return False
    beneficiary = words[q.end + 1 : q.end + 2]
    if q.amount.dimension is not None and (not beneficiary or not beneficiary[0].isalpha()):
        return False  # "500 g pour ma voisine", but "500 g pour 4" is a number of people
    if words[q.end : q.end + 1] not in (["pour"], ["for"]) or words[q.start - 1 : q.start] in (
        ["dont"],
        ["including"],
        ["incl"],
    ):
        return False
    value = to_catalog_unit(q.amount, index.products[product])
    if not value:
        return False
    named_at = max(start for start, code in draft.seen if code == product and start < q.start)
    if ":" in words[named_at : q.start]:
        return True  # "3 soles : 2 pour moi et 1 pour Anne": how the 3 are shared out
    draft.actions.append(Item(product, value, "set"))
    return True


def _correction(
    q: Q, segment: Segment, words: list[str], index: ProductIndex, ctx: ParseContext, draft: Draft
) -> bool:
    """ "donc 2 douzaines", "euh non 250 g", "(total 2 kg)": restate the last item.

    With no product in the message, "finalement 3 au lieu de 2" changes the only
    product of the member's order.
    """
    before = words[max(0, q.start - 3) : q.start]
    after = words[q.end : q.end + 2]
    restate = not RESTATE.isdisjoint(before) or before[-2:] in (["make", "that"], ["make", "it"])
    # "au lieu de deux bocaux de terrine, je n'en prendrai qu'un": the replaced product.
    seg_words = words[segment.start : segment.end]
    replacing = any(isinstance(e, Q) and e.old for e in segment.elements) or (
        draft.replacing and not (TAKE.isdisjoint(seg_words) and SET.isdisjoint(seg_words))
    )
    fix = restate or replacing or any(w in SELF_CORRECTION or w in SET for w in before + after)
    product = draft.product_before(q.start) or next(
        (e.code for e in segment.elements if isinstance(e, P) and e.start > q.start), None
    )  # "make it 4 instead on the corn", "400 g pas 200 pour la tomme"
    measured = q.amount.dimension is not None
    if product is None and (replacing or restate or (fix and measured)) and len(ctx.order) == 1:
        product = ctx.order[0][0]
    if not fix or product is None or product not in index.products:
        return False
    if q.amount.dimension is None and not (restate or replacing):
        return False
    value = to_catalog_unit(q.amount, index.products[product])
    if value is None or value <= 0:
        return False
    for n in range(len(draft.actions) - 1, -1, -1):
        action = draft.actions[n]
        if isinstance(action, Item) and action.product == product:
            mode = "set" if restate else action.mode
            draft.actions[n] = Item(product, value, mode)
            return True
    draft.actions.append(Item(product, value, "set"))
    return True


def _from_context(
    q: Q, seg_words: list[str], index: ProductIndex, ctx: ParseContext, draft: Draft
) -> bool:
    """ "j'en prends deux" after "il reste des soles ?": the product just asked about."""
    if q.amount.dimension is None and TAKE.isdisjoint(seg_words):
        return False
    # The product just asked about, else the one named in the message answered
    # ("I'll take a second case then", in reply to the organiser's count of crémant).
    candidates = list(dict.fromkeys(draft.asked or ctx.recent_products or ctx.reply_products))
    if len(candidates) > 1 and q.amount.word:
        # "a second case": of the products named, the one sold by the case, or whose name
        # says it ("3 cases of tomatoes and 8 kg of arborio left" then "I'll take a case").
        word = stem(q.amount.word)
        candidates = [
            c
            for c in candidates
            if c in index.products and (index.products[c].pack_word == word or index.says(c, word))
        ] or candidates
    if len(candidates) > 1 and q.amount.dimension is not None:
        # "2 kg for me" after "3 cases of chickpeas and 8 kg of oats left": the unit decides.
        candidates = [
            c
            for c in candidates
            if c in index.products and to_catalog_unit(q.amount, index.products[c]) is not None
        ]
    if len(candidates) != 1:
        return False
    code = candidates[0]
    if any(getattr(a, "product", None) == code for a in draft.actions):
        return False  # "je prends le carton de 6 et … 3 bouteilles": already ordered here
    amount = Amount(q.amount.value, q.amount.dimension, q.amount.factor, counted=False)
    value = to_catalog_unit(amount, index.products[code])
    if value is None:
        draft.actions.append(Ask("unit", code, said=said(amount)))
    elif value == 0:
        draft.actions.append(Ask("vague", code))
    else:
        adding = q.plus or not ADD.isdisjoint(seg_words)
        draft.actions.append(Item(code, value, "add" if adding else "set"))
    return True
