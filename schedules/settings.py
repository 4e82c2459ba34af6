"""Reading and changing a club's schedule rows (the catalogue file and ``/planning``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from schedules.models import ClubSchedule
from schedules.week import DEFAULTS, EVENTS, parse_when

schedule_t = ClubSchedule.__table__  # type: ignore[attr-defined]
OPTIONAL = ("confirm_by", "not_collected")
# Names organisers may type after /planning, in both languages.
ALIASES = {
    "ouverture": "opens", "open": "opens", "opens": "opens",
    "rappel": "last_call", "dernier-appel": "last_call", "last-call": "last_call",
    "last_call": "last_call", "lastcall": "last_call",
    "fermeture": "closes", "close": "closes", "closes": "closes",
    "fournisseur": "supplier", "supplier": "supplier",
    "confirmation": "confirm_by", "confirm": "confirm_by", "confirm_by": "confirm_by",
    "retrait-rappel": "reminder", "reminder": "reminder",
    "retrait": "pickup", "pickup": "pickup",
    "non-retires": "not_collected", "not-collected": "not_collected",
    "not_collected": "not_collected",
}  # fmt: skip


def load_schedule(conn: Connection, club_id: int) -> dict[str, str] | None:
    """The club's schedule as ``{step: "sat 09:00" or ""}``; None when it has none."""
    row = conn.execute(select(schedule_t).where(schedule_t.c.club_id == club_id)).first()
    if row is None:
        return None
    return {event: getattr(row, event) for event in EVENTS}


def save_schedule(
    conn: Connection, club_id: int, changes: dict[str, str], now: datetime
) -> dict[str, str]:
    """Create or update the club's schedule; steps not given keep their value (or default)."""
    current = load_schedule(conn, club_id)
    values = dict(current or DEFAULTS)
    for event, spec in changes.items():
        if event not in EVENTS:
            raise ValueError(f"unknown step {event!r}")
        if spec in ("", "off"):
            if event not in OPTIONAL:
                raise ValueError(f"{event} cannot be switched off")
            values[event] = ""
            continue
        when = parse_when(spec)
        if when is None:
            raise ValueError(f"{spec!r} is not a day and a time")
        values[event] = when.text("en")
    if current is None:
        conn.execute(schedule_t.insert().values(club_id=club_id, since=now, **values))
    else:
        conn.execute(schedule_t.update().where(schedule_t.c.club_id == club_id).values(**values))
    return values
