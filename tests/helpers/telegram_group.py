"""Driving the real Telegram transport against the fake Bot API server, in one process."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import App
from bot.server import Service
from bot.telegram.transport import TelegramTransport
from helpers.fake_telegram import BOT_USERNAME, FakeTelegram, group, user
from orders import inbox, outbox

__all__ = ["BOT_USERNAME", "Group", "free_port", "run_until", "settled"]


class AcceleratedClock:
    """Time running ``factor`` times faster than the wall clock, shared by bot and server."""

    def __init__(self, factor: float, start: datetime | None = None) -> None:
        self.factor = factor
        self.start = start or datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
        self._origin = time.monotonic()

    def seconds(self) -> float:
        return (time.monotonic() - self._origin) * self.factor

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds())


class Group:
    """A Telegram group whose members post through the fake server."""

    def __init__(self, fake: FakeTelegram, chat_id: str, title: str = "Club de Montsouris") -> None:
        self.fake = fake
        self.chat_id = chat_id
        self.chat = group(chat_id, title)
        self.date = int(datetime(2026, 11, 2, 8, 0, tzinfo=UTC).timestamp())

    def say(
        self,
        author: dict[str, Any] | None,
        text: str,
        *,
        reply_to: int | None = None,
        sender_chat: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> int:
        """Post a message; return its message id."""
        message_id = self.fake.new_message_id(self.chat_id)
        self.date += 1
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": self.date,
            "chat": self.chat,
            **({"text": text} if text else {}),
            **(extra or {}),
        }
        if author is not None:
            message["from"] = author
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        if reply_to is not None:
            message["reply_to_message"] = {
                "message_id": reply_to,
                "date": self.date,
                "chat": self.chat,
            }
        self.fake.push({"message": message})
        return message_id

    def edit(self, author: dict[str, Any], message_id: int, text: str, *, edit_date: int) -> dict:
        update = {
            "edited_message": {
                "message_id": message_id,
                "date": self.date,
                "edit_date": edit_date,
                "chat": self.chat,
                "from": author,
                "text": text,
            }
        }
        self.fake.push(update)
        return update


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def settled(app: App, fake: FakeTelegram) -> bool:
    """Every update read and handled, and nothing left to send."""
    if fake.pending_updates():
        return False
    with app.engine.connect() as conn:
        if inbox.counts(conn).get(inbox.PENDING, 0):
            return False
        waiting = outbox.rows(conn, status=outbox.PENDING) + outbox.rows(
            conn, status=outbox.SENDING
        )
    return not waiting


def run_until(
    app: App,
    fake: FakeTelegram,
    condition: Callable[[], bool] | None = None,
    *,
    steps: list[Callable[[], None]] | None = None,
    limit: float = 60,
    public_url: str = "",
    port: int | None = None,
) -> TelegramTransport:
    """Run `orderbot serve`'s service with Telegram until ``condition`` holds after each step.

    ``limit`` (wall seconds) only guards against a hang: reaching it fails the test.
    """
    app.settings.telegram_bot_token = "4242:test-token"
    app.settings.telegram_api_base_url = fake.url
    app.settings.public_url = public_url
    transport = TelegramTransport(app, poll_timeout=1)
    check = condition or (lambda: settled(app, fake))

    async def scenario() -> None:
        service = Service(app, [transport], host="127.0.0.1", port=port or free_port(), idle=0.05)
        runner = asyncio.create_task(service.run(install_signals=False))
        try:
            for step in [*(steps or []), None]:
                await asyncio.sleep(0.3)
                deadline = time.monotonic() + limit
                while not await asyncio.to_thread(check):
                    if time.monotonic() > deadline or runner.done():
                        raise AssertionError("the bot did not settle")
                    await asyncio.sleep(0.05)
                if step is not None:
                    await asyncio.to_thread(step)
        finally:
            service.stop_event.set()
            await asyncio.wait_for(runner, 20)

    asyncio.run(scenario())
    return transport


def member(user_id: int, name: str, language: str = "fr") -> dict[str, Any]:
    return user(user_id, name, language)
