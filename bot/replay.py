"""Replaying a thread file through the live pipeline (the thread-replay contract)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from sqlmodel import select

from bot.app import App
from bot.threads import read_thread
from orders import ledger
from orders.messages import InboundMessage, Outcome, Reply
from orders.models import Product
from orders.parsing import mentions


@dataclass
class ReplayResult:
    """What a replay produced: every message with its replies, and the final orders."""

    club_id: int
    exchanges: list[tuple[InboundMessage, list[Reply]]] = field(default_factory=list)
    seconds: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    mentioned: list[tuple[str, ...]] = field(default_factory=list)


def replay(app: App, catalog: Path, thread: Path, *, chat_id: str | None = None) -> ReplayResult:
    """Import the catalogue, bind a chat to it and feed every message to the core."""
    messages = list(read_thread(thread, chat_id=chat_id))
    chat = messages[0].chat_id if messages else (chat_id or thread.stem)
    imported = app.import_catalog(catalog, bind=("replay", chat))
    result = ReplayResult(imported.club_id)
    started = time.perf_counter()
    for message in messages:
        outcome = app.bot.handle(message)
        result.exchanges.append((message, outcome.replies))
        result.outcomes.append(outcome)
    result.seconds = time.perf_counter() - started
    with app.engine.connect() as conn:
        club = ledger.club_by_id(conn, imported.club_id)
        if club is not None:
            index = app.bot.view(conn, club).index
            result.mentioned = [mentions(m.text, index) for m in messages]
    return result


def final_orders(app: App, club_id: int) -> dict[str, dict[str, int | float]]:
    """Each member's order in the club's current window, keyed by author id."""
    with app.engine.connect() as conn:
        latest = ledger.latest_window(conn, club_id)
        if latest is None:
            return {}
        codes = dict(
            conn.execute(select(Product.id, Product.code).where(Product.club_id == club_id)).all()
        )
        orders: dict[str, dict[str, int | float]] = {}
        for _member, _name, user_id, product_id, quantity in ledger.window_lines(conn, latest[0]):
            orders.setdefault(user_id, {})[codes[product_id]] = _json_number(quantity)
        return orders


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def replay_report(app: App, result: ReplayResult) -> dict[str, Any]:
    """The JSON object `orderbot replay --format json` prints."""
    return {
        "orders": final_orders(app, result.club_id),
        "replies": [
            {"to": m.message_id, "kind": r.kind, "text": r.text}
            for m, replies in result.exchanges
            for r in replies
        ],
        "decisions": [
            {**decision(m, o), "mentioned": list(named)}
            for (m, _), o, named in zip(
                result.exchanges, result.outcomes, _named(result), strict=True
            )
        ],
        "messages": len(result.exchanges),
        "seconds": round(result.seconds, 4),
    }


def decision(message: InboundMessage, outcome: Outcome) -> dict[str, Any]:
    """What the bot decided about one message: a change, a question, or why it is no order."""
    changes = {
        c.product_code: [_json_number(c.before), _json_number(c.after)] for c in outcome.changes
    }
    asked = [r.text for r in outcome.replies if r.kind == "question"]
    return {
        "id": message.message_id,
        "author": message.author_id,
        "kind": outcome.kind,
        "changes": changes,
        "asked": asked,
        "replied": [r.kind for r in outcome.replies],
        "reason": outcome.reason,
    }


def _named(result: ReplayResult) -> list[tuple[str, ...]]:
    return result.mentioned or [() for _ in result.exchanges]


def explain_line(item: dict[str, Any]) -> str:
    """One decision as `orderbot replay --explain` prints it beside the message."""
    if item["changes"]:
        moved = ", ".join(
            f"{code} {_text_number(before)} → {_text_number(after)}"
            for code, (before, after) in item["changes"].items()
        )
        asked = f"; question: {item['asked'][0]}" if item["asked"] else ""
        return f"ledger: {moved}{asked}"
    if item["asked"]:
        return f"question: {item['asked'][0]}"
    if item["reason"]:
        return f"not an order: {item['reason']}"
    if item["replied"]:
        return f"no change ({', '.join(item['replied'])})"
    return f"no change ({item['kind']})"


def _text_number(value: int | float) -> str:
    return f"{value:g}"


def print_explained(result: ReplayResult, out: TextIO) -> None:
    """Each message with the decision the bot took about it (`orderbot replay --explain`)."""
    for (message, replies), outcome in zip(result.exchanges, result.outcomes, strict=True):
        text = " ".join(message.text.split())
        out.write(f"{message.message_id} {message.author_name}: {text[:160]}\n")
        out.write(f"    ⇒ {explain_line(decision(message, outcome))}\n")
        for reply in replies:
            if reply.kind != "question":
                out.write(f"    ↳ {' '.join(reply.text.split())[:160]}\n")
