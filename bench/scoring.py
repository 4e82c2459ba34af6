"""Score a replayed thread's orders against its gold ledger (spec: thread-replay.md, section 5).

Pure functions: the caller reads the files and runs the replay, so the scoring rules can be
tested on small dicts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

QTY_TOLERANCE = 0.001

Orders = dict[str, dict[str, float]]


@dataclass
class ThreadScore:
    """Counts for one thread (or several, after :func:`combine`); rates derive from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    members_total: int = 0
    members_exact: int = 0
    false_orders: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)  # message ids: see silent_messages

    @property
    def precision(self) -> float:
        """Share of replayed lines that are right; 1.0 when replay gave no line at all."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        """Share of gold lines that replay got right; 1.0 when gold has no line."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall; 1.0 when both sides are empty."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def member_exact(self) -> float:
        """Share of members whose whole order matches; 1.0 when nobody ordered."""
        return _ratio(self.members_exact, self.members_total)


def _ratio(num: int, den: int) -> float:
    """Divide, calling an empty denominator perfect so an empty thread scores 1.0."""
    return num / den if den else 1.0


def _same_qty(a: float, b: float) -> bool:
    """Compare quantities to 0.001, as the spec says, so 1/3 kg written 0.333 counts."""
    return math.isclose(a, b, rel_tol=0.0, abs_tol=QTY_TOLERANCE)


def _fmt(qty: float) -> str:
    """Print a quantity without float noise: 3 not 3.0, 0.333 not 0.33333333."""
    return f"{qty:.3f}".rstrip("0").rstrip(".")


def _clean(
    orders: Mapping[str, Mapping[str, float]], ambiguous: Mapping[str, Iterable[str]]
) -> Orders:
    """Drop ambiguous lines, zero quantities and then empty members, so both sides compare alike."""
    cleaned: Orders = {}
    for member, lines in orders.items():
        skip = set(ambiguous.get(member, ()))
        kept = {p: float(q) for p, q in lines.items() if p not in skip}
        kept = {p: q for p, q in kept.items() if not _same_qty(q, 0.0)}
        if kept:
            cleaned[member] = kept
    return cleaned


def _compare_lines(
    member: str, gold: dict[str, float], replay: dict[str, float], score: ThreadScore
) -> bool:
    """Count one member's lines into score; return True when the whole order matches."""
    differences_before = len(score.differences)
    for product, g in sorted(gold.items()):
        r = replay.get(product)
        if r is None:
            score.fn += 1
            score.differences.append(f"{member} {product}: missing (gold {_fmt(g)})")
        elif _same_qty(g, r):
            score.tp += 1
        else:  # a wrong quantity is both a wrong replay line and a missed gold line
            score.fp += 1
            score.fn += 1
            score.differences.append(f"{member} {product}: gold {_fmt(g)}, replay {_fmt(r)}")
    for product in sorted(replay.keys() - gold.keys()):
        score.fp += 1
        score.differences.append(f"{member} {product}: extra (replay {_fmt(replay[product])})")
    return len(score.differences) == differences_before


def score_thread(
    gold: Mapping[str, Any], replay_orders: Mapping[str, Mapping[str, float]]
) -> ThreadScore:
    """Score replay's ``orders`` against a gold file's dict, leaving out its ambiguous lines."""
    ambiguous = gold.get("ambiguous") or {}
    gold_orders = _clean(gold.get("orders") or {}, ambiguous)
    replay = _clean(replay_orders, ambiguous)
    score = ThreadScore()
    for member in sorted(gold_orders.keys() | replay.keys()):
        score.members_total += 1
        if member not in gold_orders:
            score.false_orders.append(member)
        if _compare_lines(member, gold_orders.get(member, {}), replay.get(member, {}), score):
            score.members_exact += 1
    return score


def combine(scores: Iterable[ThreadScore]) -> ThreadScore:
    """Sum several threads' counts, so the rates of the result are micro-averaged."""
    total = ThreadScore()
    for s in scores:
        total.tp += s.tp
        total.fp += s.fp
        total.fn += s.fn
        total.members_total += s.members_total
        total.members_exact += s.members_exact
        total.false_orders.extend(s.false_orders)
        total.differences.extend(s.differences)
        total.silent.extend(s.silent)
    return total


def silent_messages(
    gold: Mapping[str, Any],
    replay_orders: Mapping[str, Mapping[str, float]],
    decisions: Iterable[Mapping[str, Any]],
) -> list[str]:
    """Messages the bot passed over in silence where gold says the order changes.

    Gold holds final orders only, so a message counts when its author's final order
    misses or differs from gold on a product the message names, and the bot neither
    changed that author's order nor asked them anything in answer to it. A message that
    names no catalogue product the bot can recognise is not counted.
    """
    ambiguous = gold.get("ambiguous") or {}
    gold_orders = _clean(gold.get("orders") or {}, ambiguous)
    replay = _clean(replay_orders, ambiguous)
    wrong: dict[str, set[str]] = {}
    for member, lines in gold_orders.items():
        got = replay.get(member, {})
        wrong[member] = {p for p, q in lines.items() if p not in got or not _same_qty(q, got[p])}
    silent = []
    for d in decisions:
        named = set(d.get("mentioned") or ())
        if d.get("changes") or d.get("asked") or not named & wrong.get(d.get("author", ""), set()):
            continue
        silent.append(str(d.get("id")))
    return silent
