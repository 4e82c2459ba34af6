"""The weekly order as a chat message, in the supplier's language, split to fit a channel."""

from __future__ import annotations

from orders.replies import Renderer, money, plain, quantity
from suppliers.weekly_order import WeeklyOrder

# The longest message each channel takes (Telegram 4,096; Twilio 1,600; email: no split).
LIMITS = {"telegram": 4096, "whatsapp": 1600, "sms": 1600, "email": 1_000_000}


def order_text(renderer: Renderer, weekly: WeeklyOrder, *, pickup: str = "", week: str = "") -> str:
    """Totals per product with amounts and the grand total, then one bag per member."""
    loc, cur = weekly.locale, weekly.currency
    totals = [
        {
            "name": plain(t.product.name, 80),
            "quantity": quantity(t.quantity, t.product.unit, loc).lstrip("×"),
            "amount": money(t.amount, cur, loc),
        }
        for t in weekly.totals
    ]
    bags = [
        {
            "name": plain(m.name, 60),
            "lines": [
                f"{plain(line.product.name, 60)} {quantity(line.quantity, line.product.unit, loc)}"
                for line in m.lines
            ],
            "total": money(m.total, cur, loc),
        }
        for m in weekly.members
    ]
    return renderer.render(
        loc,
        "supplier_order",
        club=plain(weekly.club_name, 80),
        week=week,
        totals=totals,
        bags=bags,
        total=money(weekly.total, cur, loc),
        pickup=plain(pickup, 200),
    )


def split_text(text: str, limit: int) -> list[str]:
    """Cut at line ends so each part fits ``limit`` characters (a long line is cut hard)."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            parts.append(current)
            current = ""
        current += line
    if current or not parts:
        parts.append(current)
    return [p.rstrip("\n") for p in parts]
