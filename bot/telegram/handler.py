"""The inbox handler for Telegram updates: each recorded update, acted on once.

Group messages go to the core (``OrderBot.handle``), whose outcome the
acknowledgement policy turns into outbox rows in the same transaction. What the
core does not know about (the bot joining a group, ``/setup``, a catalogue sent
as a file, a group becoming a supergroup, ``/start`` in private) is handled here;
every answer still leaves through the outbox.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session
from sqlmodel import select as model_select
from telegram import Bot

from bot.app import App
from bot.telegram import members
from bot.telegram.api import outbox_call
from bot.telegram.organisers import Organisers
from bot.telegram.texts import say
from bot.telegram.updates import (
    PLATFORM,
    Added,
    Document,
    GroupMessage,
    Migrated,
    Private,
    read_update,
)
from orders import ledger, outbox
from orders.catalog import CatalogError, bind_chat, import_catalog, parse_catalog, slugify
from orders.inbox import InboxRow
from orders.models import Club, ClubChat

log = logging.getLogger("orderbot.telegram")
chat_t, club_t = ClubChat.__table__, Club.__table__  # type: ignore[attr-defined]
MAX_CATALOG_BYTES = 1_000_000


@dataclass
class BotProfile:
    """What ``getMe`` told us about the bot; ``ready`` once it has."""

    username: str = ""
    can_read_all_group_messages: bool = True
    ready: asyncio.Event = field(default_factory=asyncio.Event)


class UpdateHandler:
    """Turns one inbox row of source ``"telegram"`` into core calls and outbox rows."""

    def __init__(self, app: App, bot: Bot, organisers: Organisers, profile: BotProfile) -> None:
        self.app = app
        self.bot = bot
        self.organisers = organisers
        self.profile = profile

    async def __call__(self, row: InboxRow) -> None:
        await self.profile.ready.wait()
        try:
            update = json.loads(row.payload)
        except json.JSONDecodeError:
            log.warning("inbox row %d is not JSON; ignored", row.id)
            return
        if not isinstance(update, dict):
            return
        event = read_update(update, self.profile.username)
        if isinstance(event, GroupMessage):
            await self._group_message(event)
        elif isinstance(event, Document):
            await self._document(event)
        elif isinstance(event, Added):
            self._added(event)
        elif isinstance(event, Migrated):
            self._migrated(event)
        elif isinstance(event, Private):
            self._private(event)

    # -- the core's path ------------------------------------------------------------------

    async def _group_message(self, event: GroupMessage) -> None:
        message = event.message
        command = message.text.split(maxsplit=1)[0].lower() if message.text else ""
        if command == "/setup" and message.edit_of is None:
            await self._setup(event)
            return
        club_id = self._club_of(message.chat_id)
        if club_id is not None:
            await self.organisers.sync(club_id, message.chat_id, self.app.clock.now())
        self.app.bot.handle(message)

    def _club_of(self, chat_id: str) -> int | None:
        with self.app.engine.connect() as conn:
            return _club_id(conn, chat_id)

    # -- joining a club -------------------------------------------------------------------

    def _added(self, event: Added) -> None:
        name = f"@{self.profile.username}" if self.profile.username else "orderbot"
        text = say(event.language, "hello", bot=name)
        if not self.profile.can_read_all_group_messages:
            text += "\n\n" + say(event.language, "privacy")
        self._post(event.chat_id, text, key=f"tg-hello:{event.chat_id}:{event.date}")

    async def _setup(self, event: GroupMessage) -> None:
        message, now = event.message, self.app.clock.now()
        locale = event.language
        if not await self.organisers.is_admin(message.chat_id, message.author_id, now):
            self._post(message.chat_id, say(locale, "setup_refused"), reply_to=message.message_id)
            return
        words = message.text.split()
        with Session(self.app.engine) as session:
            if len(words) > 1:
                club = session.exec(model_select(Club).where(Club.slug == words[1].lower())).first()
                if club is None:
                    text = say(locale, "setup_unknown", slug=words[1][:60])
                    self._post(message.chat_id, text, reply_to=message.message_id)
                    return
            else:
                club = _new_club(session, event.title or f"telegram {message.chat_id}", locale, now)
            assert club.id is not None
            club_id, slug, name, club_locale = club.id, club.slug, club.name, club.locale
            bind_chat(session, club_id, PLATFORM, message.chat_id)
        self.organisers.forget(message.chat_id)
        await self.organisers.sync(club_id, message.chat_id, now)
        text = say(club_locale, "setup_done", club=name, slug=slug)
        if not self.profile.can_read_all_group_messages:
            text += "\n\n" + say(club_locale, "privacy")
        self._post(message.chat_id, text, reply_to=message.message_id, club_id=club_id)

    async def _document(self, event: Document) -> None:
        message, now = event.message, self.app.clock.now()
        if not event.file_name.lower().endswith((".yaml", ".yml")):
            return  # members share photos and PDFs: not for the bot
        locale = event.language
        club_id = self._club_of(message.chat_id)
        if club_id is None:
            self._post(message.chat_id, say(locale, "catalog_unbound"), reply_to=message.message_id)
            return
        await self.organisers.sync(club_id, message.chat_id, now)
        if not self._is_organiser(club_id, message.author_id):
            self._post(message.chat_id, say(locale, "catalog_refused"), reply_to=message.message_id)
            return
        if event.file_size > MAX_CATALOG_BYTES:
            self._post(message.chat_id, say(locale, "catalog_too_big"), reply_to=message.message_id)
            return
        file = await outbox_call(self.bot.get_file(event.file_id))
        data = bytes(await file.download_as_bytearray())
        self._import(message.chat_id, message.message_id, club_id, event.file_name, data, locale)
        self.organisers.forget(message.chat_id)
        await self.organisers.sync(club_id, message.chat_id, now)

    def _import(
        self, chat_id: str, message_id: str, club_id: int, name: str, data: bytes, locale: str
    ) -> None:
        try:
            spec = parse_catalog(data.decode("utf-8"), source=name)
        except UnicodeDecodeError:
            error = f"{name}: the file is not UTF-8 text"
            self._post(chat_id, say(locale, "catalog_bad", error=error), reply_to=message_id)
            return
        except CatalogError as exc:
            self._post(chat_id, say(locale, "catalog_bad", error=str(exc)), reply_to=message_id)
            return
        with Session(self.app.engine) as session:
            club = session.get(Club, club_id)
            assert club is not None
            result = import_catalog(session, spec, slug=club.slug, now=self.app.clock.now())
        text = say(
            spec.locale,
            "catalog_ok",
            club=spec.club,
            added=result.added,
            updated=result.updated,
            withdrawn=result.withdrawn,
        )
        self._post(chat_id, text, reply_to=message_id, club_id=club_id)

    def _is_organiser(self, club_id: int, author_id: str) -> bool:
        with self.app.engine.connect() as conn:
            club = ledger.club_by_id(conn, club_id)
            if club is None:
                return False
            view = self.app.bot.view(conn, club)
        return view.role(PLATFORM, author_id) == "organiser"

    # -- the group changing id, private chats ---------------------------------------------

    def _migrated(self, event: Migrated) -> None:
        with self.app.engine.begin() as conn:
            taken = _club_id(conn, event.new_chat_id)
            if taken is None:
                conn.execute(
                    update(chat_t)
                    .where(chat_t.c.platform == PLATFORM, chat_t.c.chat_id == event.old_chat_id)
                    .values(chat_id=event.new_chat_id)
                )
        log.info("telegram group %s is now %s", event.old_chat_id, event.new_chat_id)

    def _private(self, event: Private) -> None:
        now = self.app.clock.now()
        command = event.text.split(maxsplit=1)[0].split("@")[0].lower() if event.text else ""
        with self.app.engine.begin() as conn:
            if command == "/start":
                members.remember(conn, event.user_id, now)
                text = say(event.language, "start")
            else:
                text = say(event.language, "private_other")
            outbox.enqueue(
                conn,
                platform=PLATFORM,
                chat_id=event.user_id,
                text=text,
                kind="info",
                priority=outbox.PRIORITY_REPLY,
                now=now,
            )

    def _post(
        self,
        chat_id: str,
        text: str,
        *,
        reply_to: str | None = None,
        key: str | None = None,
        club_id: int | None = None,
    ) -> None:
        with self.app.engine.begin() as conn:
            outbox.enqueue(
                conn,
                platform=PLATFORM,
                chat_id=chat_id,
                text=text,
                kind="info",
                club_id=club_id,
                reply_to=reply_to,
                dedupe_key=key,
                priority=outbox.PRIORITY_REPLY,
                now=self.app.clock.now(),
            )


def _club_id(conn: Connection, chat_id: str) -> int | None:
    found = conn.execute(
        select(chat_t.c.club_id).where(chat_t.c.platform == PLATFORM, chat_t.c.chat_id == chat_id)
    ).scalar()
    return int(found) if found is not None else None


def _new_club(session: Session, title: str, locale: str, now: datetime) -> Club:
    """A club named after the group, with a slug no other club has."""
    base = slugify(title)[:70]
    slug, n = base, 1
    while session.exec(model_select(Club).where(Club.slug == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    club = Club(slug=slug, name=title[:200], locale=locale, created_at=now)
    session.add(club)
    session.commit()
    session.refresh(club)
    return club
