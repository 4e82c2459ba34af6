"""Group administrators are the club's organisers, without the core knowing Telegram.

The core reads roles from ``ClubRole`` rows. This module keeps one row per
administrator of each Telegram group (``telegram:tg-<user id>``, plus
``telegram:tg-<chat id>`` for messages an anonymous administrator posts),
refreshed from ``getChatAdministrators`` at most every few minutes. Organisers
named in the catalogue are bare author ids and stay untouched.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from telegram import Bot

from bot.delivery import RetryLater
from bot.telegram.api import outbox_call
from bot.telegram.budget import Budget
from orders.models import Club, ClubRole

log = logging.getLogger("orderbot.telegram")
role_t, club_t = ClubRole.__table__, Club.__table__  # type: ignore[attr-defined]
FRESH_FOR = timedelta(minutes=5)
PREFIX = "telegram:tg-"


class Organisers:
    """Administrators per group, cached, mirrored into the club's roles."""

    def __init__(self, bot: Bot, engine: Engine, budget: Budget) -> None:
        self.bot = bot
        self.engine = engine
        self.budget = budget
        self._read: dict[str, tuple[datetime, frozenset[str]]] = {}

    def forget(self, chat_id: str) -> None:
        """Read the administrators again next time (a catalogue import reset the roles)."""
        self._read.pop(chat_id, None)

    async def admins(self, chat_id: str, now: datetime) -> frozenset[str] | None:
        """User ids of the group's human administrators (cached), None if unreadable."""
        cached = self._read.get(chat_id)
        if cached is not None and now - cached[0] < FRESH_FOR:
            return cached[1]
        if self.budget.wait(chat_id, now) > 0:
            # The group's budget is spent: the list of minutes ago will do, or else the
            # roles already in the ledger (kept from the last reading, restarts included).
            return cached[1] if cached else None
        self.budget.record(chat_id, now)
        try:
            members = await outbox_call(self.bot.get_chat_administrators(chat_id))
        except RetryLater as exc:
            self.budget.close(chat_id, now + timedelta(seconds=exc.after or 5))
            return cached[1] if cached else None
        except Exception as exc:
            log.warning("could not read the administrators of %s: %s", chat_id, exc)
            return cached[1] if cached else None
        ids = frozenset(str(m.user.id) for m in members if not m.user.is_bot)
        self._read[chat_id] = (now, ids)
        return ids

    async def is_admin(self, chat_id: str, author_id: str, now: datetime) -> bool:
        if author_id == f"tg-{chat_id}":
            return True  # an anonymous administrator
        ids = await self.admins(chat_id, now)
        return ids is not None and author_id.removeprefix("tg-") in ids

    async def sync(self, club_id: int, chat_id: str, now: datetime) -> None:
        """Make the club's Telegram organiser roles match the group's administrators."""
        ids = await self.admins(chat_id, now)
        if ids is None:
            return
        wanted = {f"{PREFIX}{user}" for user in ids} | {f"{PREFIX}{chat_id}"}
        with self.engine.begin() as conn:
            have = set(
                conn.execute(
                    select(role_t.c.user_ref).where(
                        role_t.c.club_id == club_id,
                        role_t.c.role == "organiser",
                        role_t.c.user_ref.like(f"{PREFIX}%"),
                    )
                ).scalars()
            )
            if have == wanted:
                return
            # Only this group's refs are ours to remove: other groups of the club keep theirs.
            stale = have - wanted - self._others(club_id, chat_id)
            if stale:
                conn.execute(
                    delete(role_t).where(
                        role_t.c.club_id == club_id,
                        role_t.c.role == "organiser",
                        role_t.c.user_ref.in_(stale),
                    )
                )
            for ref in sorted(wanted - have):
                conn.execute(insert(role_t).values(club_id=club_id, user_ref=ref, role="organiser"))
            conn.execute(
                update(club_t)
                .where(club_t.c.id == club_id)
                .values(catalog_version=club_t.c.catalog_version + 1)
            )

    def _others(self, club_id: int, chat_id: str) -> set[str]:
        refs: set[str] = set()
        for other, (_when, ids) in self._read.items():
            if other != chat_id:
                refs |= {f"{PREFIX}{user}" for user in ids} | {f"{PREFIX}{other}"}
        return refs
