"""The grammar of an order message, as a few small named steps.

1. ``normalize`` and ``tokenize`` the text; find product mentions.
2. ``_elements``: turn tokens into quantities (Q), products (P) and separators.
3. ``_sentences``: split into sentences (questions apart) and segments.
4. ``_bind``: pair each product with its quantity, prefix or postfix style.
5. ``_intents``: read each sentence's markers (add, change, cancel, swap,
   negation, past) and turn bound pairs into actions.
6. ``_orphans``: a quantity with no product refers to a correction, the
   product just asked about, or the bot's pending question.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from orders.parsing.intents import (
    Action,
    Answer,
    Ask,
    ClearAll,
    CopyOrder,
    Item,
    NotInCatalog,
    ParseContext,
    ParseResult,
    Removal,
)
from orders.parsing.lexicon import (
    ADD,
    ALL_WORDS,
    COPY,
    FIRST_PERSON,
    LAST_WEEK,
    LINKS,
    NEGATION,
    OLD_QUANTITY,
    PAST,
    RECIPE,
    REMOVE,
    REQUEST,
    SELF,
    SELF_CORRECTION,
    SET,
    STOPWORDS,
    SWAP,
    SWAP_LINK,
    TAKE,
    UNIT_WORDS,
    VAGUE,
)
from orders.parsing.products import Mention, ProductIndex
from orders.parsing.text import Token, fold, normalize, tokenize
from orders.parsing.units import Amount, to_catalog_unit

HARD = frozenset({".", "!", "?", "\n", ";", "(", ")"})
SOFT = frozenset({",", "+", "/", "(", ")", "-", "et", "and", "&", "puis", "ainsi"})
RESTATE = frozenset({"donc", "soit", "total", "totale", "so"})
YES = frozenset(
    {
        "oui",
        "yes",
        "ok",
        "okay",
        "yep",
        "yeah",
        "confirme",
        "confirm",
        "exact",
        "exactement",
        "correct",
        "daccord",
        "absolument",
        "ouais",
        "bien",
    }
)
NO = frozenset({"non", "no", "nope", "annule", "cancel"})
LIMITS = {
    "kg": Decimal(20),
    "piece": Decimal(30),
    "dozen": Decimal(10),
    "litre": Decimal(20),
    "bunch": Decimal(20),
    "pack": Decimal(20),
}


def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for lexicon phrases written the way messages are tokenised."""
    written = sorted({" ".join(t.text for t in tokenize(normalize(p))) for p in phrases}, key=len)
    return re.compile(" (?:" + "|".join(re.escape(w) for w in reversed(written)) + ") ")


REQUEST_P, SELF_P, COPY_P, LAST_WEEK_P = (
    _phrases(REQUEST),
    _phrases(SELF),
    _phrases(COPY),
    _phrases(LAST_WEEK),
)
ORDER_VERBS = frozenset(
    {
        "prends",
        "prendrai",
        "prendre",
        "voudrais",
        "veux",
        "souhaiterais",
        "commande",
        "commander",
        "want",
        "like",
        "order",
        "have",
        "take",
    }
)
EVERYTHING = frozenset({"tout", "toute", "everything", "all"})
POSSESSIVE = frozenset(
    {"ma", "mon", "my", "la", "the", "our", "notre", "nos", "mes", "toute", "whole", "entire"}
)
# Numbers beyond this are serial numbers or noise, never an amount of food.
MAX_AMOUNT = Decimal(100_000)
REFERENCE = (
    ("ai", "mis"),
    ("avais", "mis"),
    ("ai", "commande"),
    ("avais", "commande"),
    ("i", "ordered"),
    ("i", "had"),
    ("m", "aviez", "mis"),
)


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


@dataclass(slots=True)
class Segment:
    """Tokens between two separators; ``sentence`` indexes the sentence it belongs to."""

    start: int
    end: int
    sentence: int
    elements: list[Q | P] = field(default_factory=list)


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    question: bool = False
    request: bool = False


@dataclass(slots=True)
class Draft:
    """The actions found so far, with the last product named (for corrections)."""

    actions: list[Action] = field(default_factory=list)
    seen: list[tuple[int, str]] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def product_before(self, position: int) -> str | None:
        """The last product named before token ``position``."""
        earlier = [code for start, code in self.seen if start < position]
        return earlier[-1] if earlier else None


def parse(text: str, index: ProductIndex, context: ParseContext | None = None) -> ParseResult:
    """Read one chat message and return the actions it asks for."""
    ctx = context or ParseContext()
    if ctx.role == "supplier" or (
        ctx.role == "organiser" and not _has(" " + _QUICK.sub(" ", fold(text)) + " ", SELF_P)
    ):
        # Announcements are never orders; what they name is worked out only if someone
        # replies to them (see :func:`mentions`).
        return ParseResult(kind="announcement", mentioned=None)
    tokens = tokenize(normalize(text))
    words = [t.text for t in tokens]
    flat = " " + " ".join(words) + " "
    mentions = index.find(tokens)
    mentioned = tuple(dict.fromkeys(m.code for m in mentions))
    own = _has(flat, SELF_P)
    if not own and (ctx.reply_to_member or len(RECIPE.intersection(words)) >= 2):
        return ParseResult(kind="chatter", mentioned=mentioned)
    elements = _elements(tokens, mentions)
    sentences = _sentences(tokens, flat)
    segments = _segments(tokens, sentences, elements)
    for segment in segments:
        if len(segment.elements) > 1:
            _bind(segment, words)
        elif segment.elements and isinstance(segment.elements[0], Q):
            _mark_old(segment, words)
    draft = Draft()
    for segment in segments:
        _intents(segment, sentences[segment.sentence], words, index, ctx, draft)
    _orphans(segments, sentences, words, index, ctx, draft)
    _whole_message(flat, words, mentions, sentences, ctx, draft)
    _unknown_products(segments, sentences, tokens, draft)
    actions = _finish(draft.actions, index)
    return ParseResult(actions, _kind(actions, sentences, mentions), mentioned)


def mentions(text: str, index: ProductIndex) -> tuple[str, ...]:
    """The products a message names, in order, each once."""
    return tuple(dict.fromkeys(m.code for m in index.find(tokenize(normalize(text)))))


_QUICK = re.compile(r"[^a-z0-9]+")


def _has(flat: str, phrases: re.Pattern[str] | tuple[str, ...]) -> bool:
    """Whether a phrase occurs as whole words in a space-joined token string."""
    if isinstance(phrases, re.Pattern):
        return phrases.search(flat) is not None
    return any(f" {phrase} " in flat for phrase in phrases)


# --- 2. elements ------------------------------------------------------------------------


def _elements(tokens: list[Token], mentions: list[Mention]) -> list[Q | P]:
    starts = {m.start: m for m in mentions}
    inside = {i for m in mentions for i in range(m.start, m.end)}
    out: list[Q | P] = []
    i = 0
    while i < len(tokens):
        if i in starts:
            m = starts[i]
            out.append(P(m.start, m.end, m.code, vague=_is_vague(tokens, i)))
            i = m.end
            continue
        q = _quantity_at(tokens, i, starts, inside)
        if q is not None:
            out.append(q)
            i = q.end
            continue
        i += 1
    return out


def _is_vague(tokens: list[Token], i: int) -> bool:
    before = [t.text for t in tokens[max(0, i - 3) : i]]
    if before[-1:] and before[-1] in VAGUE:
        return True
    return before[-2:] in (["de", "la"], ["1", "peu"], ["a", "few"]) or before[-3:] == [
        "1",
        "peu",
        "de",
    ]


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
    if end < len(tokens) and tokens[end].text in UNIT_WORDS and end not in starts:
        word = tokens[end].text
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


def _next_is_product(tokens: list[Token], end: int, starts: dict[int, Mention]) -> bool:
    j = end
    while j < len(tokens) and tokens[j].text in LINKS and tokens[j].text not in ("x", ":"):
        j += 1
    return j in starts and j > end and tokens[j - 1].text not in ("x", ":", "=")


# --- 3. sentences and segments ------------------------------------------------------------


def _sentences(tokens: list[Token], flat: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    start = 0
    for i, token in enumerate([*tokens, Token("\n", "punct")]):
        if token.text in HARD:
            if i > start:
                text = " ".join(t.text for t in tokens[start:i])
                sentence = Sentence(start, i, question=token.text == "?")
                sentence.request = _has(f" {text} ", REQUEST_P)
                sentences.append(sentence)
            start = i + 1
    return sentences or [Sentence(0, len(tokens))]


def _segments(
    tokens: list[Token], sentences: list[Sentence], elements: list[Q | P]
) -> list[Segment]:
    segments: list[Segment] = []
    for number, sentence in enumerate(sentences):
        start = sentence.start
        for i in range(sentence.start, sentence.end + 1):
            if i == sentence.end or tokens[i].text in SOFT:
                if i > start:
                    segments.append(Segment(start, i, number))
                start = i + 1
    position = 0
    for element in elements:
        while position < len(segments) and segments[position].end <= element.start:
            position += 1
        if position < len(segments) and segments[position].start <= element.start:
            segments[position].elements.append(element)
    return segments


# --- 4. binding ------------------------------------------------------------------------------


def _bind(segment: Segment, words: list[str]) -> None:
    _mark_old(segment, words)
    live = [e for e in segment.elements if not (isinstance(e, Q) and (e.old or e.dropped))]
    postfix = len(live) > 1 and isinstance(live[0], P) and isinstance(live[1], Q)
    order = (_bind_postfix, _bind_prefix) if postfix else (_bind_prefix, _bind_postfix)
    for step in order:
        step(live, words)
    _bind_weight(live, words)


def _mark_old(segment: Segment, words: list[str]) -> None:
    seg_words = words[segment.start : segment.end]
    rather = "plutot" in seg_words or "rather" in seg_words
    elements = segment.elements
    for n, element in enumerate(elements):
        if not isinstance(element, Q):
            continue
        before = tuple(words[max(0, element.start - 3) : element.start])
        for phrase in OLD_QUANTITY:
            if (
                before[-len(phrase) :] == phrase
                and (phrase != ("que",) or rather)
                and (phrase != ("than",) or rather)
            ):
                element.old = True
                if (
                    n + 1 < len(elements)
                    and isinstance(elements[n + 1], P)
                    and _adjacent(words, element.end, elements[n + 1].start)
                ):
                    elements[n + 1].old = True  # type: ignore[union-attr]
        after = words[element.end : element.end + 2]
        if after and (after[0] in SELF_CORRECTION or after[:2] == [".", "non"]):
            element.dropped = True


def _adjacent(words: list[str], end: int, start: int, *, postfix: bool = False) -> bool:
    between = words[end:start]
    allowed = LINKS | {":", "=", "-", "x"} if postfix else LINKS
    return all(w in allowed for w in between) and len(between) <= 3


def _bind_prefix(live: list[Q | P], words: list[str]) -> None:
    for left, right in itertools.pairwise(live):
        if (
            isinstance(left, Q)
            and isinstance(right, P)
            and not left.bound
            and right.qty is None
            and _adjacent(words, left.end, right.start)
        ):
            right.qty, left.bound = left, True


def _bind_postfix(live: list[Q | P], words: list[str]) -> None:
    for left, right in itertools.pairwise(live):
        if (
            isinstance(left, P)
            and isinstance(right, Q)
            and left.qty is None
            and not right.bound
            and not right.article
            and _adjacent(words, left.end, right.start, postfix=True)
        ):
            left.qty, right.bound = right, True


def _bind_weight(live: list[Q | P], words: list[str]) -> None:
    """ "une aile de raie de 500 g": the weight after a counted product wins for kg products."""
    for left, right in itertools.pairwise(live):
        if (
            isinstance(left, P)
            and isinstance(right, Q)
            and left.qty is not None
            and not right.bound
            and right.amount.dimension == "mass"
            and _adjacent(words, left.end, right.start)
        ):
            left.extra, right.bound = right, True


# --- 5. intents ------------------------------------------------------------------------------


def _intents(
    segment: Segment,
    sentence: Sentence,
    words: list[str],
    index: ProductIndex,
    ctx: ParseContext,
    draft: Draft,
) -> None:
    products = [e for e in segment.elements if isinstance(e, P)]
    if not products:
        return
    seg_words = words[segment.start : segment.end]
    sentence_words = words[sentence.start : sentence.end]
    if (
        sentence.question
        and not sentence.request
        and not (FIRST_PERSON.intersection(sentence_words) and any(p.qty for p in products))
    ):
        draft.asked.extend(p.code for p in products)
        return
    if not PAST.isdisjoint(seg_words) or _is_reference(seg_words) or _about_last_week(seg_words):
        draft.seen.extend((p.start, p.code) for p in products)
        return
    if _swap(segment, sentence, words, ctx, draft):
        return
    removing = not REMOVE.isdisjoint(sentence_words)
    mode = _mode(seg_words, sentence_words, words, segment)
    for product in products:
        if product.old:
            continue
        if (
            _negated(words, product, segment)
            or (removing and product.qty is None)
            or (removing and not REMOVE.isdisjoint(seg_words))
        ):
            draft.actions.append(Removal(product.code))
        elif product.qty is not None:
            _item(product, mode, index, draft)
        elif product.vague:
            draft.actions.append(Ask("vague", product.code))
        elif _bare_list_item(words, product, index):
            draft.actions.append(Item(product.code, Decimal(1), mode))
        draft.seen.append((product.start, product.code))


def _about_last_week(seg_words: list[str]) -> bool:
    """ "les 2 soles de samedi dernier": talk about last week, unless ordered "comme" it."""
    text = " " + " ".join(seg_words) + " "
    return _has(text, LAST_WEEK_P) and not _has(
        text, ("comme", "like", "as", "same", "pareil", "meme")
    )


def _is_reference(seg_words: list[str]) -> bool:
    pairs = set(itertools.pairwise(seg_words))
    return any(tuple(r[:2]) in pairs for r in REFERENCE)


def _mode(
    seg_words: list[str], sentence_words: list[str], words: list[str], segment: Segment
) -> str:
    marked = not (ADD.isdisjoint(seg_words) and SET.isdisjoint(seg_words))
    scope = seg_words if marked else sentence_words
    if not SET.isdisjoint(scope) and ADD.isdisjoint(seg_words):
        return "set"
    if any(w in ADD for w in scope if w != "plus") or "en plus" in " ".join(scope):
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


def _bare_list_item(words: list[str], product: P, index: ProductIndex) -> bool:
    """ "panier + 2 jus": a product named alone in a list means one of it."""
    if index.products[product.code].unit not in ("piece", "pack", "bunch"):
        return False
    before = words[product.start - 1] if product.start else ""
    after = words[product.end] if product.end < len(words) else ""
    return before in (":", "-", "\n") and after in ("+", ",", "\n")


def _item(product: P, mode: str, index: ProductIndex, draft: Draft) -> None:
    info = index.products[product.code]
    q = product.qty
    assert q is not None
    if q.huge:
        draft.actions.append(Ask("vague", product.code, mode=mode))
        return
    if q.choice:
        options = tuple(_fmt(v) for v in q.choice)
        draft.actions.append(Ask("choice", product.code, options=options, mode=mode))
        return
    amount = q.amount
    if product.extra is not None and info.unit == "kg" and amount.dimension is None:
        amount = product.extra.amount
    value = to_catalog_unit(amount, info)
    if value is None:
        draft.actions.append(Ask("unit", product.code, said=_said(amount), mode=mode))
    elif value > 0:
        draft.actions.append(Item(product.code, value, "add" if q.plus else mode))


def _said(amount: Amount) -> str:
    unit = {"mass": "kg", "volume": "l", "dozen": "dz", "piece": "pc"}.get(
        amount.dimension or "", ""
    )
    return f"{_fmt(amount.value * amount.factor)} {unit}".strip()


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _swap(
    segment: Segment, sentence: Sentence, words: list[str], ctx: ParseContext, draft: Draft
) -> bool:
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
            _item_from(new, draft)
            return True
    return False


def _swap_in(new: P, old: P, ctx: ParseContext, draft: Draft) -> None:
    if new.qty is not None:
        _item_from(new, draft)
        return
    current = dict(ctx.order).get(old.code)
    if current is not None and old.qty is None:
        draft.actions.append(Item(new.code, current, "set"))
    else:
        draft.actions.append(Ask("vague", new.code))


def _item_from(product: P, draft: Draft) -> None:
    draft.actions.append(_Pending(product))  # resolved in _finish, where the index is known


@dataclass(frozen=True, slots=True)
class _Pending:
    product: P


# --- 6. orphans ------------------------------------------------------------------------------


def _orphans(
    segments: list[Segment],
    sentences: list[Sentence],
    words: list[str],
    index: ProductIndex,
    ctx: ParseContext,
    draft: Draft,
) -> None:
    has_products = any(isinstance(e, P) for s in segments for e in s.elements)
    for segment in segments:
        sentence = sentences[segment.sentence]
        if sentence.question and not sentence.request:
            continue
        seg_words = words[segment.start : segment.end]
        if not PAST.isdisjoint(seg_words):
            continue
        for q in segment.elements:
            if not isinstance(q, Q) or q.bound or q.old or q.dropped or q.article or q.huge:
                continue
            if _correction(q, segment, words, index, ctx, draft):
                continue
            if any(isinstance(e, P) for e in segment.elements):
                continue
            if _from_context(q, seg_words, index, ctx, draft):
                continue
            if ctx.awaiting in ("unit", "vague", "choice") and not has_products:
                draft.actions.append(Answer(quantity=_answer_value(q)))


def _answer_value(q: Q) -> Decimal:
    return q.amount.value * q.amount.factor if q.amount.dimension else q.amount.value


def _correction(
    q: Q, segment: Segment, words: list[str], index: ProductIndex, ctx: ParseContext, draft: Draft
) -> bool:
    """ "donc 2 douzaines", "euh non 250 g", "(total 2 kg)": restate the last item.

    With no product in the message, "finalement 3 au lieu de 2" changes the only
    product of the member's order.
    """
    before = words[max(0, q.start - 3) : q.start]
    after = words[q.end : q.end + 2]
    restate = not RESTATE.isdisjoint(before)
    replacing = any(isinstance(e, Q) and e.old for e in segment.elements)
    fix = restate or replacing or any(w in SELF_CORRECTION or w in SET for w in before + after)
    product = draft.product_before(q.start)
    if product is None and (replacing or restate) and len(ctx.order) == 1:
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
    candidates = list(dict.fromkeys(draft.asked or ctx.recent_products))
    if len(candidates) != 1:
        return False
    code = candidates[0]
    amount = Amount(q.amount.value, q.amount.dimension, q.amount.factor, counted=False)
    value = to_catalog_unit(amount, index.products[code])
    if value is None or value <= 0:
        draft.actions.append(Ask("unit", code, said=_said(amount)))
    else:
        draft.actions.append(Item(code, value, "add" if q.plus else "set"))
    return True


# --- whole-message readings -----------------------------------------------------------------


def _whole_message(
    flat: str,
    words: list[str],
    mentions: list[Mention],
    sentences: list[Sentence],
    ctx: ParseContext,
    draft: Draft,
) -> None:
    if draft.actions:
        return
    word_set = set(words)
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
    if not mentions and _has(flat, COPY_P):
        if _has(flat, LAST_WEEK_P):
            draft.actions.append(CopyOrder(last_week=True))
        elif ctx.reply_to_member or _copy_name(flat):
            draft.actions.append(CopyOrder(name=_copy_name(flat)))


def _cancels_all(words: list[str], flat: str) -> bool:
    """ "j'annule tout", "annule toute ma commande", "cancel my order"; not "drop table orders"."""
    if " pas de commande " in flat or " no order " in flat:
        return True
    for i, word in enumerate(words):
        if word not in REMOVE:
            continue
        after = words[i + 1 : i + 5]
        if set(after) & EVERYTHING:
            return True
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


def _unknown_products(
    segments: list[Segment], sentences: list[Sentence], tokens: list[Token], draft: Draft
) -> None:
    """ "du saumon si possible": ordered, but not in the catalogue."""
    words = [t.text for t in tokens]
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
                if word:
                    draft.actions.append(NotInCatalog(word))
        if not ordering:
            continue
        for i in range(segment.start, segment.end - 1):
            if words[i] in ("du", "some") and _next_word(words, i + 1, strict=True):
                draft.actions.append(NotInCatalog(words[i + 1]))


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


# --- finishing ---------------------------------------------------------------------------------


def _finish(actions: list[Action | _Pending], index: ProductIndex) -> list[Action]:
    """Resolve pending swaps, merge repeats of a product and flag unusual amounts."""
    out: list[Action] = []
    for action in actions:
        if isinstance(action, _Pending):
            draft = Draft()
            _item(action.product, "set", index, draft)
            out.extend(draft.actions)
        else:
            out.append(action)
    out = _merge(out)
    return [_check_limit(a, index) for a in out]


def _merge(actions: list[Action]) -> list[Action]:
    """Two lines of one product in one message add up ("3 soles pour eux, 2 pour moi")."""
    merged: list[Action] = []
    for action in actions:
        if isinstance(action, Item):
            for n, earlier in enumerate(merged):
                if isinstance(earlier, Item) and earlier.product == action.product:
                    merged[n] = Item(
                        action.product, earlier.quantity + action.quantity, earlier.mode
                    )
                    break
            else:
                merged.append(action)
        elif action not in merged:
            merged.append(action)
    return merged


def _check_limit(action: Action, index: ProductIndex) -> Action:
    if isinstance(action, Item):
        info = index.products[action.product]
        limit = LIMITS.get(info.unit, Decimal(20))
        if action.quantity > limit:
            return Ask("confirm", action.product, quantity=action.quantity, mode=action.mode)
    return action


def _kind(actions: list[Action], sentences: list[Sentence], mentions: list[Mention]) -> str:
    if any(isinstance(a, Answer) for a in actions):
        return "answer"
    if actions:
        return "order"
    if mentions and any(s.question for s in sentences):
        return "question"
    return "chatter"
