"""What each step of a club's week does, given the database and the time it was due.

Every step is idempotent: it checks the week's state (is a window open?) and
queues its messages under dedupe keys derived from the club, the week and the
step, so running it twice (a restart, a second process) sends once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.announce import Announcement
from orders import ledger, outbox
from orders.models import Club, ClubChat, ClubRole, OrderWindow
from orders.replies import Renderer, money, plain
from schedules.models import ClubSchedule
from schedules.week import DEFAULTS, WeeklyTime, following, parse_when
from suppliers import dispatch
from suppliers.pickup import not_collected
from suppliers.text import order_text

club_t, chat_t, role_t = Club.__table__, ClubChat.__table__, ClubRole.__table__  # type: ignore[attr-defined]
window_t, schedule_t = OrderWindow.__table__, ClubSchedule.__table__  # type: ignore[attr-defined]

AnnounceFn = Callable[[Connection, Announcement, datetime], object]


@dataclass
class Cycle:
    """What the steps need besides the database: how to word things and reach people."""

    renderer: Renderer
    announce: AnnounceFn


@dataclass(frozen=True)
class ClubWeek:
    club_id: int
    slug: str
    locale: str
    zone: ZoneInfo
    pickup: str
    times: dict[str, WeeklyTime | None]
    since: datetime | None = None


def club_week(conn: Connection, club_id: int) -> ClubWeek | None:
    """A club's schedule as times (defaults where it has no row)."""
    club = conn.execute(select(club_t).where(club_t.c.id == club_id)).first()
    if club is None:
        return None
    row = conn.execute(select(schedule_t).where(schedule_t.c.club_id == club_id)).first()
    specs = {e: (getattr(row, e) if row is not None else DEFAULTS[e]) for e in DEFAULTS}
    times = {e: parse_when(s) if s else None for e, s in specs.items()}
    since = row.since if row is not None else None
    zone = ZoneInfo(club.timezone)
    return ClubWeek(club.id, club.slug, club.locale, zone, club.pickup, times, since)


def run_step(conn: Connection, cycle: Cycle, club_id: int, event: str, now: datetime) -> str:
    """Do one step of a club's week; return what it did, for the log."""
    week = club_week(conn, club_id)
    if week is None:
        return "no such club"
    ledger.lock_club(conn, club_id)
    step = _STEPS[event]
    return step(conn, cycle, week, now)


def _say(cycle: Cycle, week: ClubWeek, template: str, **values: object) -> str:
    return cycle.renderer.render(week.locale, template, **values)


def _shown(week: ClubWeek, instant: datetime | None) -> str:
    if instant is None:
        return ""
    local = instant.astimezone(week.zone)
    return local.strftime("%d/%m %H:%M" if week.locale == "fr" else "%d %b %H:%M")


def _open(conn: Connection, cycle: Cycle, week: ClubWeek, now: datetime) -> str:
    latest = ledger.latest_window(conn, week.club_id)
    if latest is not None and latest[1] == "open":
        return "already open"
    window_id = ledger.start_window(conn, week.club_id, now)
    closes = following(week.times["closes"], week.zone, now) if week.times["closes"] else None
    pickup = following(week.times["pickup"], week.zone, now) if week.times["pickup"] else None
    dispatch.set_window_times(conn, window_id, closes, pickup)
    text = _say(cycle, week, "window_opened")
    cycle.announce(
        conn,
        Announcement(week.club_id, "opening", f"opening:{week.club_id}:{window_id}", text),
        now,
    )
    return f"opened week {window_id}"


def _next(week: ClubWeek, event: str, now: datetime) -> datetime | None:
    when = week.times.get(event)
    return following(when, week.zone, now) if when is not None else None


def _open_window(
    conn: Connection, club_id: int
) -> tuple[int, datetime | None, datetime | None] | None:
    row = conn.execute(
        select(window_t.c.id, window_t.c.closes_at, window_t.c.pickup_at).where(
            window_t.c.club_id == club_id, window_t.c.status == "open"
        )
    ).first()
    return (row.id, row.closes_at, row.pickup_at) if row is not None else None


def _last_call(conn: Connection, cycle: Cycle, week: ClubWeek, now: datetime) -> str:
    window = _open_window(conn, week.club_id)
    if window is None:
        return "no open week"
    closes = window[1] or _next(week, "closes", now)
    text = _say(cycle, week, "last_call", closes=_shown(week, closes))
    key = f"last_call:{week.club_id}:{window[0]}"
    variables = {"closes": _shown(week, closes)}
    cycle.announce(conn, Announcement(week.club_id, "last_call", key, text, {}, variables), now)
    return "last call"


def _close(conn: Connection, cycle: Cycle, week: ClubWeek, now: datetime) -> str:
    window = _open_window(conn, week.club_id)
    if window is None:
        return "no open week"
    ledger.close_windows(conn, week.club_id, now)
    dispatch.set_window_times(conn, window[0], now, window[2] or _next(week, "pickup", now))
    text = _say(cycle, week, "window_closed", pickup=plain(week.pickup, 200))
    key = f"closing:{week.club_id}:{window[0]}"
    variables = {"pickup": week.pickup}
    cycle.announce(conn, Announcement(week.club_id, "closing", key, text, {}, variables), now)
    return f"closed week {window[0]}"


def _supplier(conn: Connection, cycle: Cycle, week: ClubWeek, now: datetime) -> str:
    window_id = dispatch.week_window(conn, week.club_id)
    if window_id is None:
        return "no week"
    queued = dispatch.enqueue_supplier_order(conn, week.club_id, window_id, cycle.renderer, now)
    return f"supplier order queued on {', '.join(queued) or 'nothing new'}"


def _confirm_by(conn: Connection, cycle: Cycle, week: ClubWeek, now: datetime) -> str:
    window_id = dispatch.week_window(conn, week.club_id)
    if window_id is None or dispatch.confirmation(conn, window_id) is not None:
        return "confirmed or no week"
    sent = [c for c, status in dispatch.delivery_status(conn, week.club_id, window_id) if status]
    if not sent:
        return "nothing sent"
    text = _say(cycle, week, "supplier_unconfirmed", channels=", ".join(sent))
    tell_organisers(
        conn, week.club_id, "unconfirmed", f"unconfirmed:{week.club_id}:{window_id}", text, now
    )
    return "organisers told: not confirmed"


def _reminder(conn: Connection, cycle: Cycle, week: ClubWeek, now: datetime) -> str:
    window_id = dispatch.week_window(conn, week.club_id)
    if window_id is None:
        return "no week"
    order = dispatch.build_supplier_order(conn, week.club_id, window_id, cycle.renderer)
    pickup_at = conn.execute(
        select(window_t.c.pickup_at).where(window_t.c.id == window_id)
    ).scalar() or _next(week, "pickup", now)
    if pickup_at is not None and pickup_at <= now:
        return "pickup is over"
    weekly = order.weekly
    bags = {
        m.user_id: _say(
            cycle,
            week,
            "bag",
            lines=[f"{plain(line.product.name, 60)} {_qty(line, week.locale)}" for line in m.lines],
            total=money(m.total, weekly.currency, week.locale),
        )
        for m in weekly.members
    }
    text = _say(
        cycle,
        week,
        "pickup_reminder",
        pickup=plain(week.pickup, 200),
        when=_shown(week, pickup_at),
        bags=len(bags),
    )
    key = f"pickup_reminder:{week.club_id}:{window_id}"
    variables = {"pickup": week.pickup, "when": _shown(week, pickup_at)}
    item = Announcement(week.club_id, "pickup_reminder", key, text, bags, variables)
    cycle.announce(conn, item, now)
    return f"reminder for {len(bags)} bags"


def _qty(line: object, locale: str) -> str:
    from orders.replies import quantity

    return quantity(line.quantity, line.product.unit, locale)  # type: ignore[attr-defined]


def _not_collected(conn: Connection, cycle: Cycle, week: ClubWeek, now: datetime) -> str:
    window_id = dispatch.week_window(conn, week.club_id)
    if window_id is None:
        return "no week"
    names = not_collected(conn, window_id)
    if not names:
        return "every bag collected"
    text = _say(cycle, week, "not_collected", names=[plain(n, 60) for n in names])
    tell_organisers(
        conn, week.club_id, "not_collected", f"not_collected:{week.club_id}:{window_id}", text, now
    )
    return f"{len(names)} bags not collected"


def tell_organisers(
    conn: Connection, club_id: int, kind: str, key: str, text: str, now: datetime
) -> int:
    """Write to each organiser known as ``platform:author_id`` privately, else in the threads."""
    refs = conn.execute(
        select(role_t.c.user_ref).where(role_t.c.club_id == club_id, role_t.c.role == "organiser")
    ).scalars()
    targets = {tuple(ref.split(":", 1)) for ref in refs if ":" in ref}
    if not targets:
        threads = select(chat_t.c.platform, chat_t.c.chat_id).where(chat_t.c.club_id == club_id)
        targets = {(r.platform, r.chat_id) for r in conn.execute(threads)}
    for platform, chat_id in sorted(targets):
        outbox.enqueue(
            conn, platform=platform, chat_id=chat_id, text=text, kind=kind, club_id=club_id,
            priority=outbox.PRIORITY_NORMAL, now=now, dedupe_key=f"{key}:{platform}:{chat_id}",
        )  # fmt: skip
    return len(targets)


_STEPS: dict[str, Callable[[Connection, Cycle, ClubWeek, datetime], str]] = {
    "opens": _open,
    "last_call": _last_call,
    "closes": _close,
    "supplier": _supplier,
    "confirm_by": _confirm_by,
    "reminder": _reminder,
    "not_collected": _not_collected,
}

__all__ = ["Cycle", "club_week", "order_text", "run_step", "tell_organisers"]
