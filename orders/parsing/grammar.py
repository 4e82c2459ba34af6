"""The grammar of an order message, as a few small named steps, one module each.

1. ``text``: normalise and tokenise; ``products``: find product mentions.
2. ``elements``: tokens become quantities (Q) and product mentions (P).
3. ``structure``: sentences (questions apart) and segments; then each product
   is bound to its quantity, prefix or postfix style.
4. ``clauses``: each segment's markers (add, change, cancel, swap, negation,
   past) turn bound pairs into actions.
5. ``orphans``: a quantity with no product is a correction, the product just
   asked about, or the answer to the bot's question.
6. ``whole_message``: cancel everything, copy an order, yes/no, unknown products.
Then :func:`parse` merges repeats and flags unusual amounts.
"""

from __future__ import annotations

from orders.parsing import reasons
from orders.parsing.clauses import read_segment
from orders.parsing.draft import Draft, Pending, item
from orders.parsing.elements import P, Q, find_elements
from orders.parsing.intents import (
    Action,
    Answer,
    Ask,
    Item,
    ParseContext,
    ParseResult,
)
from orders.parsing.lexicon import (
    RECIPE,
    RECIPE_HEADERS,
    SHARING,
    SOMEONE,
    TALK,
)
from orders.parsing.orphans import read_orphans
from orders.parsing.phrases import QUICK, SELF_P, has
from orders.parsing.products import Mention, ProductIndex
from orders.parsing.structure import (
    Sentence,
    bind,
    mark_old,
    mark_too_much,
    split_segments,
    split_sentences,
)
from orders.parsing.text import fold, normalize, tokenize
from orders.parsing.units import limit_for
from orders.parsing.whole_message import ask_which_kind, read_whole_message, unknown_products


def parse(text: str, index: ProductIndex, context: ParseContext | None = None) -> ParseResult:
    """Read one chat message and return the actions it asks for."""
    ctx = context or ParseContext()
    if ctx.role == "supplier" or (
        ctx.role == "organiser" and not has(" " + QUICK.sub(" ", fold(text)) + " ", SELF_P)
    ):
        # Announcements are never orders; what they name is worked out only if someone
        # replies to them (see :func:`mentions`).
        reason = reasons.SUPPLIER if ctx.role == "supplier" else reasons.ORGANISER
        return ParseResult(kind="announcement", mentioned=None, reason=reason)
    tokens = tokenize(normalize(text))
    words = [t.text for t in tokens]
    flat = " " + " ".join(words) + " "
    # "au lieu de" is never the pollack ("lieu jaune") of a fish club, nor "à la place" its plaice.
    mentions = [
        m
        for m in index.find(tokens)
        if not (
            m.start
            and (
                words[m.start - 1 : m.start + 1] == ["au", "lieu"]
                or words[m.start - 2 : m.start + 1] == ["a", "la", "place"]
            )
        )
    ]
    mentioned = tuple(dict.fromkeys(m.code for m in _subjects(mentions, words)))
    own = has(flat, SELF_P)
    if not own and ctx.reply_to_member:
        return ParseResult(
            kind="chatter", mentioned=mentioned, reason=reasons.ANSWER_TO_OTHER, words=words
        )
    if not own and (
        len(RECIPE.intersection(words)) >= 2
        or (not RECIPE_HEADERS.isdisjoint(words[:6]) and _recipe_header(words))
    ):
        return ParseResult(kind="chatter", mentioned=mentioned, reason=reasons.RECIPE, words=words)
    elements = find_elements(tokens, mentions)
    if not own and not RECIPE.isdisjoint(words) and _ingredient_list(elements):
        return ParseResult(kind="chatter", mentioned=mentioned, reason=reasons.RECIPE, words=words)
    if " j ai " in flat or not _NOT_ORDERED_CUES.isdisjoint(words):
        _drop_not_ordered(elements, words)
    sentences = split_sentences(tokens, flat)
    segments = split_segments(tokens, sentences, elements)
    too_much = " trop " in flat or " too " in flat
    for segment in segments:
        if len(segment.elements) > 1:
            bind(segment, words)
        elif segment.elements and isinstance(segment.elements[0], Q):
            mark_old(segment, words)
        if too_much:
            mark_too_much(segment, words)
    draft = Draft()
    draft.talk = not TALK.isdisjoint(words)
    draft.replacing = any(isinstance(e, Q) and e.old for g in segments for e in g.elements)
    for segment in segments:
        read_segment(segment, sentences[segment.sentence], words, index, ctx, draft)
    named = {i for m in mentions for i in range(m.start, m.end)}
    read_orphans(segments, sentences, words, index, ctx, draft, named)
    read_whole_message(flat, words, mentions, sentences, ctx, draft, index)
    unknown_products(segments, sentences, tokens, draft, index, named)
    if index.has_kinds:
        ask_which_kind(segments, sentences, tokens, draft, index, named)
    actions = _finish(draft.actions, index)
    reason = "" if actions else reasons.why_not(draft, sentences, mentions, words)
    return ParseResult(actions, _kind(actions, sentences, mentions), mentioned, reason, words)


# "il me reste 300 g", "j'ai 3 bouteilles à la cave", "I've got 2 kg": what one has (not
# "I have", which is also "could I have 2 soles");
# "3 bouteilles chacun", "6 tins each": a share per person. Neither is an amount ordered.
_HAVING = frozenset(
    {
        ("me", "reste"),
        ("nous", "reste"),
        ("j", "ai"),
        ("ai", "encore"),
        ("ve", "got"),
        ("have", "got"),
        ("still", "have"),
    }
)
_EACH = frozenset({"chacun", "chacune", "each", "apiece"})
# The rarer word of each pair ("j ai" is looked for in the message's text).
_NOT_ORDERED_CUES = frozenset({"reste", "encore", "got", "still"}) | _EACH


def _drop_not_ordered(elements: list[Q | P], words: list[str]) -> None:
    # A share per person only where sharing is proposed: "2 soles each for me and my wife"
    # is an order of four.
    sharing = not (SHARING.isdisjoint(words) and SOMEONE.isdisjoint(words))
    for e in elements:
        if not isinstance(e, Q):
            continue
        after = words[e.end : e.end + 2]
        if tuple(words[max(0, e.start - 2) : e.start]) in _HAVING or (
            sharing and not _EACH.isdisjoint(after)
        ):
            e.dropped = True


def _ingredient_list(elements: list[Q | P]) -> bool:
    """ "1 kg lamb neck, 3 leeks, 4 potatoes, 2 carrots… simmer 2 hrs": amounts of things
    mostly not in the catalogue, in a message with a word of cooking."""
    amounts = sum(1 for e in elements if isinstance(e, Q))
    return amounts >= 4 and 2 * (len(elements) - amounts) <= amounts


def _recipe_header(words: list[str]) -> bool:
    """ "Recette : 1 kg de moules, 2 échalotes…", "Ingredients: 500g mussels…"."""
    # "Recette : …", "Ma recette de fondue : …", "Ingredients: …"
    return words[0] in RECIPE_HEADERS or ":" in words[:8]


def mentions(text: str, index: ProductIndex) -> tuple[str, ...]:
    """The products a message names, in order, each once."""
    return tuple(dict.fromkeys(m.code for m in index.find(tokenize(normalize(text)))))


# "la raclette, c'est du lait cru ?": the second product describes the first one.
_DESCRIBING = (
    ("c", "est", "du"),
    ("c", "est", "de"),
    ("c", "est", "des"),
    ("c", "est", "d"),
    ("c", "est", "en"),
    ("est", "ce", "du"),
    ("est", "ce", "de"),
    ("made", "with"),
    ("made", "from"),
    ("made", "of"),
)
_DESCRIBING_CUES = frozenset(p[1] for p in _DESCRIBING)  # "est" or "with", "from", "of"
_SENTENCE_END = frozenset({".", "?", "!", "\n"})


def _subjects(mentions: list[Mention], words: list[str]) -> list[Mention]:
    """The products a message is about: not one that only describes the product before it.

    What a member asked about is the context of their next message ("ok pour 2 alors"),
    so "la raclette c'est du lait cru ?" is about the raclette, not the milk.
    """
    kept: list[Mention] = []
    for n, mention in enumerate(mentions):
        previous = mentions[n - 1] if n else None
        before = words[max(0, mention.start - 4) : mention.start]
        if (
            previous is not None
            and not _DESCRIBING_CUES.isdisjoint(before)
            and _SENTENCE_END.isdisjoint(words[previous.end : mention.start])
            and any(
                tuple(before[-len(p) :]) == p or tuple(before[-len(p) - 1 : -1]) == p
                for p in _DESCRIBING
            )
        ):
            continue
        kept.append(mention)
    return kept


def _finish(actions: list[Action | Pending], index: ProductIndex) -> list[Action]:
    """Resolve pending swaps, merge repeats of a product and flag unusual amounts."""
    out: list[Action] = []
    for action in actions:
        if isinstance(action, Pending):
            draft = Draft()
            item(action.product, action.mode, index, draft)
            out.extend(a for a in draft.actions if not isinstance(a, Pending))
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
    if isinstance(action, Item) and action.quantity > limit_for(index.products[action.product]):
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
