"""Shared set-up for the weekly-cycle tests: a club on a real SQLite file with a schedule."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Connection

from bot.announce import Announcement, post_in_thread
from bot.app import App, build_app
from bot.settings import Settings
from bot.weekly import weekly_cycle
from orders.messages import InboundMessage, Outcome
from schedules.clock import FixedClock
from schedules.runner import WeeklyScheduler

FISH = Path(__file__).parent / "fixtures" / "fish-club" / "catalog.yaml"
SCHEDULE = {
    "opens": "sat 14:00",
    "last_call": "wed 18:00",
    "closes": "thu 20:00",
    "supplier": "thu 20:30",
    "confirm_by": "fri 12:00",
    "reminder": "sat 08:00",
    "pickup": "sat 10:00",
    "not_collected": "sat 12:30",
}


def weekly_catalog(tmp_path: Path, **changes: Any) -> Path:
    """The fish club's catalogue with a schedule and the supplier's email channel."""
    data = yaml.safe_load(FISH.read_text(encoding="utf-8"))
    data["schedule"] = dict(SCHEDULE)
    data["supplier"]["channels"] = {"email": "charles@example.fr"}
    data.update(changes)
    path = tmp_path / "weekly.catalog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


class Recorder:
    """An announcer for the test thread: posts like the default one and keeps what it got."""

    def __init__(self) -> None:
        self.items: list[Announcement] = []
        self._post = post_in_thread("test")

    def __call__(self, conn: Connection, chat_id: str, item: Announcement, now: datetime) -> None:
        self.items.append(item)
        self._post(conn, chat_id, item, now)


def club_app(db: Path, clock: FixedClock, catalog: Path) -> tuple[App, int, Recorder]:
    app = build_app(Settings(database_url=f"sqlite:///{db}"), clock=clock)
    club_id = app.import_catalog(catalog, bind=("test", "chat-1")).club_id
    recorder = Recorder()
    app.announcers.register("test", recorder)
    return app, club_id, recorder


def scheduler(app: App, *, lease_seconds: float = 120) -> WeeklyScheduler:
    runner = WeeklyScheduler(app.engine, weekly_cycle(app), app.clock, lease_seconds=lease_seconds)
    runner.start()
    return runner


class Thread:
    """Messages in the test thread, stamped with the clock's time."""

    def __init__(self, app: App, clock: FixedClock) -> None:
        self.app, self.clock, self.count = app, clock, 0

    def say(self, text: str, author: str = "u-laure", name: str | None = None) -> Outcome:
        self.count += 1
        return self.app.bot.handle(
            InboundMessage(
                platform="test",
                chat_id="chat-1",
                message_id=f"w{self.count}",
                author_id=author,
                author_name=name or author.removeprefix("u-").title(),
                text=text,
                sent_at=self.clock.now(),
            )
        )
