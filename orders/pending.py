"""The questions the bot asked this week that members have not answered yet.

Organisers see them in `/recap`, so they can chase the member before the order goes out.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from orders.models import Clarification, Member

clar_t, member_t = Clarification.__table__, Member.__table__  # type: ignore[attr-defined]


def open_questions(conn: Connection, window_id: int) -> list[tuple[int, str, int | None]]:
    """(member id, member name, product id) of every open question of a window, oldest first."""
    rows = conn.execute(
        select(clar_t.c.member_id, member_t.c.display_name, clar_t.c.product_id)
        .join(member_t, member_t.c.id == clar_t.c.member_id)
        .where(clar_t.c.window_id == window_id, clar_t.c.status == "open")
        .order_by(clar_t.c.id)
    )
    return [(r[0], r[1], r[2]) for r in rows]
