"""Bags at pickup: which members collected theirs, which did not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from orders import ledger
from orders.parsing.text import fold
from suppliers.models import BagCollected

collected_t = BagCollected.__table__  # type: ignore[attr-defined]


def mark_collected(conn: Connection, window_id: int, member_id: int, now: datetime) -> bool:
    """Note a bag as collected; False when it already was."""
    found = conn.execute(
        select(collected_t.c.id).where(
            collected_t.c.window_id == window_id, collected_t.c.member_id == member_id
        )
    ).first()
    if found is not None:
        return False
    conn.execute(
        collected_t.insert().values(window_id=window_id, member_id=member_id, collected_at=now)
    )
    return True


def not_collected(conn: Connection, window_id: int) -> list[str]:
    """Names of members with a bag this week that nobody has marked collected."""
    done = set(
        conn.execute(
            select(collected_t.c.member_id).where(collected_t.c.window_id == window_id)
        ).scalars()
    )
    names: dict[int, str] = {}
    for member_id, name, _user, _product, _qty in ledger.window_lines(conn, window_id):
        if member_id not in done:
            names[member_id] = name
    return sorted(names.values(), key=fold)
