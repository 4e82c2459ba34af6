"""The demo's second half: the rest of the week played by the scheduler on a fast clock.

After the sample thread, the club gets a schedule that continues from its last
message (last call, close, the supplier's order, the pickup reminder...); a
real scheduler runs it on a clock that jumps five minutes per tick, and every
message it queues is printed as it would appear. The supplier's CSV and PDF
are written to a folder the demo names.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.announce import post_in_thread
from bot.app import App
from bot.summary import write_summary
from bot.weekly import weekly_cycle
from orders import outbox
from orders.models import Club
from schedules.clock import FixedClock
from schedules.runner import WeeklyScheduler, following_clock
from schedules.settings import save_schedule
from suppliers.dispatch import set_channel

# Continues the sample thread, which ends on Friday evening before a Saturday pickup.
DEMO_SCHEDULE = {
    "last_call": "fri 20:25",
    "closes": "fri 20:30",
    "supplier": "fri 21:00",
    "confirm_by": "sat 07:00",
    "reminder": "sat 08:00",
    "pickup": "sat 09:00",
    "not_collected": "sat 11:00",
    "opens": "sat 14:00",
}
SUPPLIER_EMAIL = "charles@example.fr"
_club_t = Club.__table__  # type: ignore[attr-defined]


def play_week(
    app: App, club_id: int, platform: str, after: datetime, out: TextIO, folder: Path
) -> list[Path]:
    """Run the schedule from ``after`` until the next week opens; print what goes out."""
    clock = FixedClock(after)
    with app.engine.begin() as conn:
        save_schedule(conn, club_id, DEMO_SCHEDULE, after)
        set_channel(conn, club_id, "email", SUPPLIER_EMAIL)
        club = conn.execute(_club_t.select().where(_club_t.c.id == club_id)).one()
    zone = ZoneInfo(club.timezone)
    if platform not in app.announcers:
        app.announcers.register(platform, post_in_thread(platform))
    runner = WeeklyScheduler(app.engine, weekly_cycle(app), clock)
    out.write("\n" + "-" * 72 + "\nThe rest of the week, on an accelerated clock:\n")
    shown = 0
    with following_clock(clock):
        runner.start()
        try:
            while clock.now() < after + timedelta(hours=17):  # until before the next week opens
                runner.tick()
                shown = _print_new(app, shown, zone, out)
                clock.advance(minutes=5)
        finally:
            runner.stop()
    written = write_summary(app, club.slug, folder)
    out.write(f"\nThe supplier's order is in {folder}/: ")
    out.write(", ".join(path.name for path in written) + "\n")
    return written


def _print_new(app: App, shown: int, zone: ZoneInfo, out: TextIO) -> int:
    with app.engine.connect() as conn:
        rows = [row for row in outbox.rows(conn) if row.id > shown]
    for row in rows:
        stamp = row.created_at.astimezone(zone).strftime("%a %d %b %H:%M")
        where = f"{row.platform} {row.chat_id}"
        out.write(f"\n{stamp}  orderbot → {where} ({row.kind})\n")
        if row.payload.get("subject"):
            out.write(f"    Subject: {row.payload['subject']}\n")
        for line in row.text.splitlines():
            out.write(f"    {line}\n")
        for item in row.payload.get("attachments") or []:
            out.write(f"    [attached: {item['filename']}]\n")
        shown = max(shown, row.id)
    return shown
