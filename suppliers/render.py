"""Rendering the weekly order as a chat message (the organiser's /summary, the demo)."""

from __future__ import annotations

from orders.replies import Renderer, join_lines, money, plain, quantity
from suppliers.weekly_order import WeeklyOrder


def summary_text(renderer: Renderer, weekly: WeeklyOrder) -> str:
    """Totals per product, then one line per member, in the club's language."""
    loc, cur = weekly.locale, weekly.currency
    totals = [
        {
            "name": plain(t.product.name, 80),
            "quantity": quantity(t.quantity, t.product.unit, loc).lstrip("×"),
        }
        for t in weekly.totals
    ]
    members = [
        {
            "name": plain(m.name, 60),
            "lines": join_lines(
                f"{plain(line.product.label, 60)} {quantity(line.quantity, line.product.unit, loc)}"
                for line in m.lines
            ),
            "total": money(m.total, cur, loc),
        }
        for m in weekly.members
    ]
    return renderer.render(
        loc,
        "summary",
        club=plain(weekly.club_name, 80),
        totals=totals,
        members=members,
        total=money(weekly.total, cur, loc),
        open=weekly.open,
        waiting=[
            {"name": plain(name, 60), "products": join_lines(plain(p.label, 60) for p in products)}
            for name, products in weekly.waiting
        ],
    )
