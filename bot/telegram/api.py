"""The Bot API client (python-telegram-bot's ``Bot``) and what its errors mean for the outbox."""

from __future__ import annotations

import os
import warnings
from collections.abc import Awaitable
from datetime import timedelta
from typing import TypeVar

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from bot.delivery import RetryLater, SendFailed

T = TypeVar("T")


def make_bot(token: str, base_url: str, *, poll_timeout: int = 25) -> Bot:
    """A ``Bot`` talking to the Bot API server at ``base_url`` (its root, without /bot)."""
    # Time periods (a 429's retry_after) as timedelta, the library's coming default: without
    # this opt-in every 429 also raises a deprecation warning inside the library.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    root = base_url.rstrip("/")
    return Bot(
        token,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=HTTPXRequest(connection_pool_size=8, read_timeout=15, write_timeout=30),
        get_updates_request=HTTPXRequest(read_timeout=poll_timeout + 15),
    )


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait a 429 asks for, whatever type this version of the library reports it as."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def outbox_call(call: Awaitable[T]) -> T:
    """Await a Bot API call, translating failures into the outbox's retry or give-up."""
    try:
        return await call
    except RetryAfter as exc:
        raise RetryLater(f"429 Too Many Requests: {exc}", retry_after_seconds(exc)) from exc
    except ChatMigrated:
        raise
    except (BadRequest, Forbidden, InvalidToken) as exc:
        raise SendFailed(f"{type(exc).__name__}: {exc.message}") from exc
    except NetworkError as exc:  # timeouts, connection errors and 5xx answers
        raise RetryLater(f"{type(exc).__name__}: {exc.message}") from exc
    except TelegramError as exc:
        raise SendFailed(f"{type(exc).__name__}: {exc.message}") from exc
