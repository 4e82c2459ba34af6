"""Messages the bot starts itself (the week opening, last call, reminders), per platform.

The weekly cycle decides *what* to say to a club; each platform decides *how* it
reaches that club's people (a post in the Telegram group plus private bags, one
WhatsApp message per opted-in member, a template outside the 24-hour window...).
Announcers only write outbox rows, inside the caller's transaction, each with a
``dedupe_key`` derived from ``Announcement.key`` so a job run twice sends once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from orders import outbox
from orders.models import ClubChat

_chat_t = ClubChat.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Announcement:
    """One thing to tell a whole club, with each member's own part when there is one.

    ``key`` is unique per club, window and kind (e.g. ``"last_call:3:41"``);
    ``bags`` maps a member's platform author id (``tg-…``, ``wa-…``) to the text
    only that member should see (their order, their bag).
    """

    club_id: int
    kind: str
    key: str
    text: str
    bags: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)


# (conn, chat id of the club's thread on that platform, announcement, now)
Announcer = Callable[[Connection, str, Announcement, datetime], None]


def post_in_thread(platform: str) -> Announcer:
    """The plain way: one message in the club's thread; bags are not sent."""

    def announcer(conn: Connection, chat_id: str, item: Announcement, now: datetime) -> None:
        outbox.enqueue(
            conn,
            platform=platform,
            chat_id=chat_id,
            text=item.text,
            kind=item.kind,
            club_id=item.club_id,
            priority=outbox.PRIORITY_BULK,
            now=now,
            dedupe_key=f"{item.key}:{platform}:{chat_id}",
        )

    return announcer


class Announcers:
    """Hands an announcement to the announcer of every platform the club's threads are on.

    Threads on a platform with no registered announcer (a replayed thread, the
    console) get nothing queued; :meth:`__call__` returns the platforms reached.
    """

    def __init__(self) -> None:
        self._by_platform: dict[str, Announcer] = {}

    def register(self, platform: str, announcer: Announcer | None = None) -> None:
        self._by_platform[platform] = announcer or post_in_thread(platform)

    def __contains__(self, platform: str) -> bool:
        return platform in self._by_platform

    def __call__(self, conn: Connection, item: Announcement, now: datetime) -> list[str]:
        chats = conn.execute(
            select(_chat_t.c.platform, _chat_t.c.chat_id)
            .where(_chat_t.c.club_id == item.club_id)
            .order_by(_chat_t.c.id)
        ).all()
        reached: list[str] = []
        for platform, chat_id in chats:
            announcer = self._by_platform.get(platform)
            if announcer is not None:
                announcer(conn, chat_id, item, now)
                reached.append(platform)
        return reached
