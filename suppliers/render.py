"""Rendering the weekly order as a chat message (the organiser's /summary, the demo)."""

from __future__ import annotations

from orders.models import Product
from orders.replies import Renderer, join_lines, money, plain, quantity
from suppliers.weekly_order import WeeklyOrder


def label(product: Product) -> str:
    """The short name members use for a product: its first alias, else its name."""
    return plain(product.aliases[0] if product.aliases else product.name, 60)


def summary_text(renderer: Renderer, weekly: WeeklyOrder) -> str:
    """Totals per product, then one line per member, in the club's language."""
    club, loc = weekly.club, weekly.club.locale
    totals = [{"name": plain(t.product.name, 80),
               "quantity": quantity(t.quantity, t.product.unit, loc).lstrip("×")}
              for t in weekly.totals]
    members = [{"name": plain(m.member.display_name, 60),
                "lines": join_lines(f"{label(line.product)} "
                                    f"{quantity(line.quantity, line.product.unit, loc)}"
                                    for line in m.lines),
                "total": money(m.total, club.currency, loc)} for m in weekly.members]
    return renderer.render(loc, "summary", club=plain(club.name, 80), totals=totals,
                           members=members, total=money(weekly.total, club.currency, loc),
                           open=weekly.window.status == "open")
