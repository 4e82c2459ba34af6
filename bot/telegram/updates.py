"""Reading a raw Telegram update (the JSON of the Bot API) into what the bot acts on.

Pure functions over dicts: the inbox keeps each update exactly as Telegram sent it,
and this module decides what it means.

- a message or an edit in a group becomes an :class:`InboundMessage`: author
  ``tg-<user id>``, the chat id as a string; an edit is a new delivery of the same
  message (its id is ``<message id>:e<edit date>`` and ``edit_of`` names the
  message), so the same edit delivered twice counts once;
- a message an anonymous administrator posts (``sender_chat`` is the group
  itself) is authored by ``tg-<chat id>``, which the bot counts as an organiser;
- a channel posting into the group, channel posts and other bots are ignored;
- ``/cmd@thisbot`` becomes ``/cmd``; ``/cmd@otherbot`` is not for us.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from orders.messages import InboundMessage

PLATFORM = "telegram"
GROUP_TYPES = {"group", "supergroup"}


@dataclass(frozen=True)
class Added:
    """The bot was added to a group."""

    chat_id: str
    title: str
    language: str
    by: str
    date: int


@dataclass(frozen=True)
class Migrated:
    """A group became a supergroup with a new id."""

    old_chat_id: str
    new_chat_id: str


@dataclass(frozen=True)
class Private:
    """A person wrote to the bot in private."""

    user_id: str
    text: str
    language: str
    sent_at: datetime


@dataclass(frozen=True)
class Document:
    """A file posted in a group (a catalogue, perhaps)."""

    message: InboundMessage
    file_id: str
    file_name: str
    file_size: int
    language: str


@dataclass(frozen=True)
class GroupMessage:
    """An ordinary message in a group, for the core."""

    message: InboundMessage
    language: str
    title: str


Event = Added | Migrated | Private | Document | GroupMessage


def read_update(update: dict[str, Any], bot_username: str) -> Event | None:
    """What one update means, or None when it is nothing for the bot."""
    membership = update.get("my_chat_member")
    if isinstance(membership, dict):
        return _membership(membership)
    edited = "message" not in update and "edited_message" in update
    message = update.get("message") or update.get("edited_message")
    if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
        return None  # channel posts, callback queries, anything else
    chat = message["chat"]
    chat_id = str(chat.get("id"))
    if "migrate_to_chat_id" in message:
        return Migrated(chat_id, str(message["migrate_to_chat_id"]))
    if "migrate_from_chat_id" in message:
        return Migrated(str(message["migrate_from_chat_id"]), chat_id)
    sender = message.get("from") or {}
    language = _language(sender)
    if chat.get("type") == "private":
        text = message.get("text")
        if edited or not isinstance(text, str) or sender.get("is_bot"):
            return None
        return Private(str(sender.get("id")), text, language, _when(message.get("date")))
    if chat.get("type") not in GROUP_TYPES:
        return None
    author = _author(message, chat_id)
    if author is None:
        return None
    raw = message.get("text")
    if not isinstance(raw, str):
        raw = message.get("caption")
    text = _command_for_us(raw if isinstance(raw, str) else "", bot_username)
    if text is None:
        return None
    inbound = _inbound(message, chat_id, author, text, edited)
    document = message.get("document")
    if isinstance(document, dict) and not edited:
        return Document(
            inbound,
            str(document.get("file_id")),
            str(document.get("file_name") or ""),
            int(document.get("file_size") or 0),
            language,
        )
    if not text.strip():
        return None
    return GroupMessage(inbound, language, str(chat.get("title") or ""))


def _membership(update: dict[str, Any]) -> Event | None:
    chat = update.get("chat") or {}
    if chat.get("type") not in GROUP_TYPES:
        return None
    before = (update.get("old_chat_member") or {}).get("status")
    after = (update.get("new_chat_member") or {}).get("status")
    if before in {"left", "kicked", None} and after in {"member", "administrator"}:
        sender = update.get("from") or {}
        return Added(
            str(chat.get("id")),
            str(chat.get("title") or ""),
            _language(sender),
            str(sender.get("id")),
            int(update.get("date") or 0),
        )
    return None


def _author(message: dict[str, Any], chat_id: str) -> tuple[str, str] | None:
    """(author id, display name), or None for a channel or another bot."""
    sender_chat = message.get("sender_chat")
    if isinstance(sender_chat, dict):
        if str(sender_chat.get("id")) == chat_id:
            return f"tg-{chat_id}", str(message.get("author_signature") or "Admin")
        return None  # a channel posting into the group is not a member
    sender = message.get("from")
    if not isinstance(sender, dict) or sender.get("is_bot") or "id" not in sender:
        return None
    name = " ".join(part for part in (sender.get("first_name"), sender.get("last_name")) if part)
    return f"tg-{sender['id']}", name or str(sender.get("username") or sender["id"])


def _command_for_us(text: str, bot_username: str) -> str | None:
    """Drop ``@thisbot`` from a command; None for a command meant for another bot."""
    if not text.startswith("/"):
        return text
    head, _, rest = text.partition(" ")
    name, at, target = head.partition("@")
    if at and target.lower() != bot_username.lower():
        return None
    return f"{name} {rest}".rstrip() if rest else name


def _inbound(
    message: dict[str, Any], chat_id: str, author: tuple[str, str], text: str, edited: bool
) -> InboundMessage:
    message_id = str(message.get("message_id"))
    replied = message.get("reply_to_message")
    reply_to = str(replied["message_id"]) if isinstance(replied, dict) else None
    if edited:
        stamp = message.get("edit_date") or message.get("date")
        return InboundMessage(
            platform=PLATFORM,
            chat_id=chat_id,
            message_id=f"{message_id}:e{stamp}",
            author_id=author[0],
            author_name=author[1],
            text=text,
            sent_at=_when(stamp),
            edit_of=message_id,
            reply_to=reply_to,
        )
    return InboundMessage(
        platform=PLATFORM,
        chat_id=chat_id,
        message_id=message_id,
        author_id=author[0],
        author_name=author[1],
        text=text,
        sent_at=_when(message.get("date")),
        reply_to=reply_to,
    )


def _language(sender: dict[str, Any]) -> str:
    code = str(sender.get("language_code") or "")
    return "en" if code.startswith("en") else "fr"


def _when(stamp: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(stamp), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)
