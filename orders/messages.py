"""Plain values that cross the boundary between platform adapters and the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One chat message as every transport hands it to the core.

    ``message_id`` is unique within ``(platform, chat_id)``; delivering the same
    value twice changes nothing the second time. An edit carries its own
    ``message_id`` and names the message it rewrites in ``edit_of``.
    """

    platform: str
    chat_id: str
    message_id: str
    author_id: str
    author_name: str
    text: str
    sent_at: datetime
    edit_of: str | None = None
    reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """A message the bot wants posted in a chat, in answer to ``reply_to``."""

    chat_id: str
    text: str
    reply_to: str | None = None
    kind: str = "info"


@dataclass(frozen=True, slots=True)
class LineChange:
    """One product of one member's order changing quantity (0 means absent)."""

    member_id: int
    product_code: str
    before: Decimal
    after: Decimal


@dataclass(slots=True)
class Outcome:
    """What handling one message produced: replies to post and ledger changes made."""

    replies: list[Reply] = field(default_factory=list)
    changes: list[LineChange] = field(default_factory=list)
    duplicate: bool = False
    kind: str = "chatter"
    club: str = ""
    member_id: int | None = None
    reason: str = ""  # why a message changed nothing: "a question", "a recipe"...
