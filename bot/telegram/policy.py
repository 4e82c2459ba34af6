"""What the bot sends on Telegram for an outcome, within a group's ~20 messages a minute.

- something to say (a question, a refusal, an unknown product, orders closed): a
  reply to the member's message, first in the queue;
- an order understood: a reaction on the message (grouped into one "Noté : …"
  message a minute when the group is busy, see :mod:`bot.telegram.sender`), and the
  full confirmation privately to members who started the bot;
- commands (``/commande``, ``/aide``…): a reply.

Per club the style may be ``replies`` (the confirmation as a reply every time),
``reactions`` (never grouped) or ``grouped`` (always grouped).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.announce import Announcement
from bot.telegram import members
from bot.telegram.sender import REACTION
from bot.telegram.texts import say
from orders import outbox
from orders.messages import InboundMessage, Outcome, Reply
from orders.models import Club

club_t = Club.__table__  # type: ignore[attr-defined]

PLATFORM = "telegram"
STYLES = ("auto", "reactions", "grouped", "replies")
_ACK_KINDS = {"confirmation"}
_URGENT = {
    "question",
    "closed",
    "refused",
    "unknown",
    "error",
    "unbound",
    "not_in_catalog",
    "copy_missing",
    "info",
}


def parse_styles(default: str, per_club: str) -> dict[str, str]:
    """``"fish=replies,veg=grouped"`` -> ``{"fish": "replies", ...}``; ``""`` is the default."""
    styles = {"": default if default in STYLES else "auto"}
    for pair in per_club.split(","):
        slug, _, style = pair.partition("=")
        if slug.strip() and style.strip() in STYLES:
            styles[slug.strip()] = style.strip()
    return styles


class AcknowledgementPolicy:
    """The outcome router's policy for ``"telegram"``."""

    def __init__(self, styles: Mapping[str, str], default_locale: str = "fr") -> None:
        self.styles = dict(styles)
        self.default_locale = default_locale
        self._clubs: dict[str, tuple[int | None, str]] = {}
        self.help_link = ""  # t.me link that opens a private chat with the bot (from getMe)

    def _club(self, conn: Connection, slug: str) -> tuple[int | None, str]:
        """The club's id (so a failed send is reported to it) and language, by slug."""
        if slug not in self._clubs:
            found = conn.execute(
                select(club_t.c.id, club_t.c.locale).where(club_t.c.slug == slug)
            ).first()
            self._clubs[slug] = (int(found[0]), found[1]) if found else (None, "fr")
        return self._clubs[slug]

    def _locale(self, conn: Connection, slug: str) -> str:
        return self._club(conn, slug)[1]

    def __call__(self, conn: Connection, message: InboundMessage, outcome: Outcome) -> None:
        style = self.styles.get(outcome.club, self.styles.get("", "auto"))
        for reply in outcome.replies:
            if reply.kind in _ACK_KINDS and style != "replies":
                self._acknowledge(conn, message, outcome, reply)
            else:
                self._reply(conn, message, outcome, reply)

    def _reply(
        self, conn: Connection, message: InboundMessage, outcome: Outcome, reply: Reply
    ) -> None:
        urgent = reply.kind in _URGENT
        text = reply.text
        if reply.kind == "unbound":  # on Telegram, a group joins a club with /setup
            text = say(self.default_locale, "catalog_unbound")
        if reply.kind == "help" and self.help_link and outcome.club:
            text += "\n\n" + say(
                self._locale(conn, outcome.club), "help_extra", link=self.help_link
            )
        outbox.enqueue(
            conn,
            platform=PLATFORM,
            chat_id=reply.chat_id,
            club_id=self._club(conn, outcome.club)[0] if outcome.club else None,
            text=text,
            kind=reply.kind[:16],
            reply_to=_telegram_id(reply.reply_to),
            priority=outbox.PRIORITY_REPLY if urgent else outbox.PRIORITY_NORMAL,
            now=message.sent_at,
        )

    def _acknowledge(
        self, conn: Connection, message: InboundMessage, outcome: Outcome, reply: Reply
    ) -> None:
        style = self.styles.get(outcome.club, self.styles.get("", "auto"))
        outbox.enqueue(
            conn,
            platform=PLATFORM,
            chat_id=reply.chat_id,
            club_id=self._club(conn, outcome.club)[0],
            kind=REACTION,
            reply_to=_telegram_id(message.message_id),
            payload={
                "emoji": "👍",
                "name": message.author_name[:60],
                "author_id": message.author_id,
                "locale": self._locale(conn, outcome.club),
                "style": style,
            },
            priority=outbox.PRIORITY_ACK,
            now=message.sent_at,
        )
        user_id = members.user_id_of(message.author_id)
        if user_id is not None and members.started(conn, user_id):
            outbox.enqueue(
                conn,
                platform=PLATFORM,
                chat_id=user_id,
                text=reply.text,
                kind="detail",
                priority=outbox.PRIORITY_BULK,
                now=message.sent_at,
            )


def _telegram_id(message_id: str | None) -> str | None:
    """An edit's id is "<message id>:e<edit date>"; Telegram knows the message id."""
    if message_id is None:
        return None
    return message_id.split(":", 1)[0]


def telegram_announcer(conn: Connection, chat_id: str, item: Announcement, now: datetime) -> None:
    """Post in the group, and send each member's own part privately if they started the bot."""
    outbox.enqueue(
        conn,
        platform=PLATFORM,
        chat_id=chat_id,
        text=item.text,
        kind=item.kind[:16],
        club_id=item.club_id,
        priority=outbox.PRIORITY_BULK,
        now=now,
        dedupe_key=f"{item.key}:{PLATFORM}:{chat_id}",
    )
    for author_id, bag in sorted(item.bags.items()):
        user_id = members.user_id_of(author_id)
        if user_id is None or not bag.strip() or not members.started(conn, user_id):
            continue
        outbox.enqueue(
            conn,
            platform=PLATFORM,
            chat_id=user_id,
            text=bag,
            kind=item.kind[:16],
            club_id=item.club_id,
            priority=outbox.PRIORITY_BULK,
            now=now,
            dedupe_key=f"{item.key}:{PLATFORM}:bag:{user_id}",
        )
