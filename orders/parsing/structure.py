"""Steps 3 and 4: sentences and segments, then each product paired with its quantity."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from orders.parsing.elements import P, Q
from orders.parsing.lexicon import (
    HARD,
    LINKS,
    OLD_QUANTITY,
    SELF_CORRECTION,
    SOFT,
)
from orders.parsing.phrases import REQUEST_P, has
from orders.parsing.text import Token


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


def split_sentences(tokens: list[Token], flat: str) -> list[Sentence]:
    """Cut the message at hard punctuation; a sentence ending in "?" is a question."""
    sentences: list[Sentence] = []
    requests = has(flat, REQUEST_P)  # most messages have none: look sentence by sentence only then
    start = 0
    for i, token in enumerate([*tokens, Token("\n", "punct")]):
        if token.text in HARD:
            if i > start:
                sentence = Sentence(start, i, question=token.text == "?")
                if requests:
                    text = " ".join(t.text for t in tokens[start:i])
                    sentence.request = has(f" {text} ", REQUEST_P)
                sentences.append(sentence)
            start = i + 1
    return sentences or [Sentence(0, len(tokens))]


def split_segments(
    tokens: list[Token], sentences: list[Sentence], elements: list[Q | P]
) -> list[Segment]:
    """Cut each sentence at soft separators and hand each element to its segment."""
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


def bind(segment: Segment, words: list[str]) -> None:
    """Pair each product of a segment with its quantity, in the segment's own style."""
    mark_old(segment, words)
    live = [e for e in segment.elements if not (isinstance(e, Q) and (e.old or e.dropped))]
    postfix = len(live) > 1 and isinstance(live[0], P) and isinstance(live[1], Q)
    order = (_bind_postfix, _bind_prefix) if postfix else (_bind_prefix, _bind_postfix)
    for step in order:
        step(live, words)
    _bind_weight(live, words)
    _bind_far(live)


def _bind_far(live: list[Q | P]) -> None:
    """ "Fondue moitié-moitié pour 4 : 800 gr": a lone product takes the measured amount
    further on in its segment, when nothing else could claim it."""
    for n, element in enumerate(live):
        if not isinstance(element, P) or element.qty is not None:
            continue
        for later in live[n + 1 :]:
            if isinstance(later, P):
                break
            if isinstance(later, Q) and not later.bound and later.amount.dimension is not None:
                element.qty, later.bound = later, True
                break


# The last word of every OLD_QUANTITY phrase: without one of them, no phrase can match.
_OLD_CUES = frozenset(phrase[-1] for phrase in OLD_QUANTITY)


def mark_old(segment: Segment, words: list[str]) -> None:
    """Mark quantities that are being replaced ("au lieu de 2") or taken back ("1 pot… non")."""
    seg_words = words[segment.start : segment.end]
    rather = "plutot" in seg_words or "rather" in seg_words
    elements = segment.elements
    for n, element in enumerate(elements):
        if not isinstance(element, Q):
            continue
        before = tuple(words[max(0, element.start - 3) : element.start])
        if _OLD_CUES.isdisjoint(before):
            phrases: tuple[tuple[str, ...], ...] = ()
        else:
            phrases = OLD_QUANTITY
        for phrase in phrases:
            if (
                before[-len(phrase) :] == phrase
                and (phrase != ("que",) or rather)
                and (phrase != ("than",) or rather)
            ):
                element.old = True
                if (
                    n + 1 < len(elements)
                    and isinstance(elements[n + 1], P)
                    and adjacent(words, element.end, elements[n + 1].start)
                ):
                    elements[n + 1].old = True  # type: ignore[union-attr]
        after = words[element.end : element.end + 2]
        if after and (after[0] in SELF_CORRECTION or after[:2] == [".", "non"]):
            element.dropped = True


_TOO_MUCH = (
    ("c", "est", "trop"),
    ("c", "est", "beaucoup", "trop"),
    ("ca", "fait", "trop"),
    ("is", "too", "much"),
    ("is", "too", "many"),
    ("too", "much"),
    ("too", "many"),
)
_NOT_AMOUNT = frozenset({"cher", "chers", "chere", "expensive", "tot", "tard", "bon", "late"})


def mark_too_much(segment: Segment, words: list[str]) -> None:
    """ "2 sachets de noix c'est trop, mets m'en qu'un": the amount judged too much is old.

    The amount that follows then corrects the same product; "c'est trop cher" is not
    about the amount.
    """
    if not segment.elements or not any(isinstance(e, Q) for e in segment.elements):
        return
    end = max(e.end for e in segment.elements)
    after = tuple(words[end : end + 5])
    for phrase in _TOO_MUCH:
        following = after[len(phrase) : len(phrase) + 1]
        if after[: len(phrase)] == phrase and not _NOT_AMOUNT.intersection(following):
            for element in segment.elements:
                element.old = True
            return


def adjacent(words: list[str], end: int, start: int, *, postfix: bool = False) -> bool:
    """Whether only link words ("de", "x", ":") stand between two elements."""
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
            and adjacent(words, left.end, right.start)
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
            and adjacent(words, left.end, right.start, postfix=True)
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
            and adjacent(words, left.end, right.start)
        ):
            left.extra, right.bound = right, True
