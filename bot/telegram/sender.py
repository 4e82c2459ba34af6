"""Sending outbox rows to Telegram: messages, reactions, grouped acknowledgements, documents.

Texts are sent without a parse mode, so nothing a member wrote can turn into
markup. Reactions are the cheap way of saying "noted"; when a group is busy
they give way to one grouped message a minute naming everyone noted since the
last one (the rows it covers are marked ``merged`` into it before it is sent).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from telegram import Bot, InputFile, ReactionTypeEmoji, ReplyParameters
from telegram.error import ChatMigrated

from bot.delivery import SendFailed
from bot.telegram.api import outbox_call
from bot.telegram.budget import Budget, is_group
from bot.telegram.text import split_text
from orders import outbox
from orders.outbox import OutboxRow, outbox_t
from schedules.clock import Clock

log = logging.getLogger("orderbot.telegram")

REACTION = "reaction"
GROUPED_EVERY = timedelta(minutes=1)
BUSY = 4  # pending reactions in one group from which they are grouped
RESERVED = 5  # calls a minute per group kept for replies and questions
NAMES_CHARS = 3500  # names listed in a grouped acknowledgement before "+N"

_NOTED = {"fr": "Noté : {names}", "en": "Noted: {names}"}


def grouped_text(names: list[str], locale: str) -> str:
    """ "Noté : Laure, Marc, Inès" (+N past what one message holds)."""
    shown: list[str] = []
    length = 0
    for name in names:
        if length + len(name) + 2 > NAMES_CHARS:
            break
        shown.append(name)
        length += len(name) + 2
    text = ", ".join(shown)
    if len(names) > len(shown):
        text += f" +{len(names) - len(shown)}"
    return _NOTED.get(locale, _NOTED["fr"]).format(names=text)


class TelegramSender:
    """The outbox's sender for ``platform="telegram"``."""

    platform = "telegram"
    idempotent_kinds = frozenset({REACTION})

    def __init__(
        self,
        bot: Bot,
        engine: Engine,
        clock: Clock,
        budget: Budget,
        *,
        ready: asyncio.Event | None = None,
    ) -> None:
        self.bot = bot
        self.ready = ready
        self.engine = engine
        self.clock = clock
        self.budget = budget
        self._last_grouped: dict[str, datetime] = {}
        self._parts_sent: dict[int, int] = {}
        self._pending: dict[str, int] = {}
        self._pending_read: datetime | None = None

    # -- budget ---------------------------------------------------------------------------

    def delay(self, row: OutboxRow, now: datetime) -> float:
        """Seconds before this row may go; acknowledgements leave room for replies."""
        if self.ready is not None and not self.ready.is_set():
            return 1.0  # not connected to Telegram yet
        if row.kind != REACTION:
            return self.budget.wait(row.chat_id, now)
        if self._grouping(row, now):
            last = self._last_grouped.get(row.chat_id)
            if last is not None and now - last < GROUPED_EVERY:
                return (last + GROUPED_EVERY - now).total_seconds()
        return self.budget.wait(row.chat_id, now, keep=RESERVED)

    def _grouping(self, row: OutboxRow, now: datetime) -> bool:
        style = row.payload.get("style", "auto")
        if style == "grouped":
            return True
        if style != "auto" or not is_group(row.chat_id):
            return False
        return self._pending_reactions(row.chat_id, now) >= BUSY

    def _pending_reactions(self, chat_id: str, now: datetime) -> int:
        """Pending reactions per chat, read at most once a second."""
        if self._pending_read is None or now - self._pending_read >= timedelta(seconds=1):
            with self.engine.connect() as conn:
                found = conn.execute(
                    select(outbox_t.c.chat_id, func.count())
                    .where(outbox_t.c.status == outbox.PENDING, outbox_t.c.kind == REACTION)
                    .group_by(outbox_t.c.chat_id)
                ).all()
            self._pending = {chat: int(n) for chat, n in found}
            self._pending_read = now
        return self._pending.get(chat_id, 0)

    # -- sending --------------------------------------------------------------------------

    async def send(self, row: OutboxRow) -> str | None:
        """Send one row; return Telegram's message id (the last one for a split text)."""
        if row.kind == REACTION:
            if self._grouping(row, self.clock.now()):
                return await self._send_grouped(row)
            return await self._react(row)
        return await self._send_message(row)

    async def _call(self, chat_id: str, call: Any) -> Any:
        self.budget.record(chat_id, self.clock.now())
        try:
            return await outbox_call(call)
        except Exception as exc:
            after = getattr(exc, "after", None)
            if after:
                self.budget.close(chat_id, self.clock.now() + timedelta(seconds=after))
            raise

    async def _react(self, row: OutboxRow) -> str | None:
        emoji = str(row.payload.get("emoji") or "👍")
        try:
            await self._call(
                row.chat_id,
                self.bot.set_message_reaction(
                    row.chat_id, int(row.reply_to or 0), [ReactionTypeEmoji(emoji)]
                ),
            )
        except SendFailed as exc:
            # The message is gone or reactions are off in this group: say it in words.
            log.info("reaction refused in %s (%s); acknowledging in words", row.chat_id, exc)
            return await self._send_grouped(row)
        return f"reaction:{row.reply_to}"

    async def _send_grouped(self, row: OutboxRow) -> str | None:
        now = self.clock.now()
        with self.engine.begin() as conn:
            others = [
                r
                for r in outbox.rows(
                    conn, platform=self.platform, status=outbox.PENDING, kind=REACTION
                )
                if r.chat_id == row.chat_id and r.id != row.id
            ]
            outbox.mark_merged(conn, [r.id for r in others], row.id)
            covered = conn.execute(
                select(outbox_t.c.payload)
                .where(outbox_t.c.remote_id == f"merged:{row.id}")
                .order_by(outbox_t.c.id)
            ).scalars()
            payloads = [row.payload, *(p or {} for p in covered)]
        names: list[str] = []
        for payload in payloads:
            name = str(payload.get("name") or "")
            if name and name not in names:
                names.append(name)
        self._last_grouped[row.chat_id] = now
        text = grouped_text(names, str(row.payload.get("locale") or "fr"))
        sent = await self._text_parts(row, [text], reply=False)
        return sent

    async def _send_message(self, row: OutboxRow) -> str | None:
        parts = split_text(row.text)
        sent = await self._text_parts(row, parts, reply=True)
        for attachment in row.payload.get("attachments") or []:
            document = InputFile(
                base64.b64decode(attachment["data_b64"]),
                filename=str(attachment.get("filename") or "document"),
            )
            message = await self._call(row.chat_id, self.bot.send_document(row.chat_id, document))
            sent = str(message.message_id)
        if sent is None and not parts:
            raise SendFailed("nothing to send: empty text and no attachment")
        return sent

    async def _text_parts(self, row: OutboxRow, parts: list[str], *, reply: bool) -> str | None:
        """Send the parts not sent yet (a retry after part 2 failed starts at part 2)."""
        sent: str | None = None
        done = self._parts_sent.get(row.id, 0)
        for number, part in enumerate(parts):
            if number < done:
                continue
            chat_id = row.chat_id
            reply_to = row.reply_to if reply and number == 0 and row.reply_to else None
            sent = await self._send_text(chat_id, part, reply_to)
            self._parts_sent[row.id] = number + 1
        self._parts_sent.pop(row.id, None)
        return sent

    async def _send_text(self, chat_id: str, text: str, reply_to: str | None) -> str:
        parameters = None
        if reply_to and reply_to.isdigit():
            parameters = ReplyParameters(int(reply_to), allow_sending_without_reply=True)
        try:
            message = await self._call(
                chat_id, self.bot.send_message(chat_id, text, reply_parameters=parameters)
            )
        except ChatMigrated as exc:  # the group became a supergroup: follow it
            new_id = str(exc.new_chat_id)
            message = await self._call(
                new_id, self.bot.send_message(new_id, text, reply_parameters=parameters)
            )
        return str(message.message_id)
