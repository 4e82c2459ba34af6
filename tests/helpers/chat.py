"""A chat driver for dialogue tests: say something in a bound thread, get the replies back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.replay import final_orders
from orders.messages import InboundMessage, Outcome

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def display_name(author_id: str) -> str:
    """ "u-laure" -> "Laure": the name a member shows in the thread."""
    return author_id.removeprefix("u-").replace("-", " ").title() or author_id


class Chat:
    """One thread bound to a club; every message gets a fresh id and a later timestamp."""

    def __init__(
        self,
        app: App,
        club_id: int,
        *,
        platform: str = "test",
        chat_id: str = "chat-1",
        start: datetime = START,
    ) -> None:
        self.app = app
        self.club_id = club_id
        self.platform = platform
        self.chat_id = chat_id
        self._count = 0
        self._start = start
        self.sent: list[InboundMessage] = []
        self.outcomes: list[Outcome] = []

    def message(
        self,
        text: str,
        author: str = "u-laure",
        name: str | None = None,
        id: str | None = None,
        reply_to: str | None = None,
        edit_of: str | None = None,
    ) -> InboundMessage:
        """Build the next message of the thread without delivering it."""
        self._count += 1
        return InboundMessage(
            platform=self.platform,
            chat_id=self.chat_id,
            message_id=id or f"t{self._count}",
            author_id=author,
            author_name=name or display_name(author),
            text=text,
            sent_at=self._start + timedelta(minutes=self._count),
            edit_of=edit_of,
            reply_to=reply_to,
        )

    def deliver(self, message: InboundMessage) -> Outcome:
        """Hand a message to the core, as a transport would (also for redeliveries)."""
        outcome = self.app.bot.handle(message)
        self.sent.append(message)
        self.outcomes.append(outcome)
        return outcome

    def send(
        self,
        text: str,
        author: str = "u-laure",
        name: str | None = None,
        id: str | None = None,
        reply_to: str | None = None,
        edit_of: str | None = None,
    ) -> Outcome:
        """Say something and return the whole outcome."""
        return self.deliver(self.message(text, author, name, id, reply_to, edit_of))

    def say(
        self,
        text: str,
        author: str = "u-laure",
        name: str | None = None,
        id: str | None = None,
        reply_to: str | None = None,
        edit_of: str | None = None,
    ) -> list[str]:
        """Say something and return the texts of the bot's replies."""
        outcome = self.send(text, author, name, id, reply_to, edit_of)
        return [reply.text for reply in outcome.replies]

    @property
    def last_id(self) -> str:
        return self.sent[-1].message_id

    def orders(self) -> dict[str, dict[str, int | float]]:
        """Every member's current order in the club, as `orderbot replay` reports it."""
        return final_orders(self.app, self.club_id)


Step = tuple[str, str, Sequence[str]]


def verify_dialog(chat: Chat, steps: Sequence[Step]) -> None:
    """Play ``(author, text, [expected reply substrings])`` steps; fail on a missing or extra reply.

    The n-th substring must appear in the n-th reply to that message, and there
    must be exactly as many replies as substrings (an empty list: no reply at all).
    """
    for number, (author, text, expected) in enumerate(steps, start=1):
        replies = chat.say(text, author=author)
        where = f"step {number} ({author}: {text!r})"
        assert len(replies) == len(expected), (
            f"{where}: expected {len(expected)} replies {list(expected)!r}, got {replies!r}"
        )
        for wanted, reply in zip(expected, replies, strict=True):
            assert wanted in reply, f"{where}: {wanted!r} not in reply {reply!r}"
