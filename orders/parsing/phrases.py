"""Phrases of the lexicon as patterns over a tokenised message, and the test for them."""

from __future__ import annotations

import re

from orders.parsing.lexicon import COPY, HABIT, LAST_WEEK, REQUEST, SELF
from orders.parsing.text import normalize, tokenize


def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for lexicon phrases written the way messages are tokenised."""
    written = sorted({" ".join(t.text for t in tokenize(normalize(p))) for p in phrases}, key=len)
    return re.compile(" (?:" + "|".join(re.escape(w) for w in reversed(written)) + ") ")


REQUEST_P, SELF_P, COPY_P, LAST_WEEK_P, HABIT_P = (
    phrase_pattern(REQUEST),
    phrase_pattern(SELF),
    phrase_pattern(COPY),
    phrase_pattern(LAST_WEEK),
    phrase_pattern(HABIT),
)


QUICK = re.compile(r"[^a-z0-9]+")


def has(flat: str, phrases: re.Pattern[str] | tuple[str, ...]) -> bool:
    """Whether a phrase occurs as whole words in a space-joined token string."""
    if isinstance(phrases, re.Pattern):
        return phrases.search(flat) is not None
    return any(f" {phrase} " in flat for phrase in phrases)
