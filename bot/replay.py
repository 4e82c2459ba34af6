"""Replaying a thread file through the live pipeline (the thread-replay contract)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.app import App
from bot.threads import read_thread
from orders import ledger
from orders.messages import InboundMessage, Reply
from orders.models import Product


@dataclass
class ReplayResult:
    """What a replay produced: every message with its replies, and the final orders."""

    club_id: int
    exchanges: list[tuple[InboundMessage, list[Reply]]] = field(default_factory=list)
    seconds: float = 0.0


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
    result.seconds = time.perf_counter() - started
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
        "messages": len(result.exchanges),
        "seconds": round(result.seconds, 4),
    }
