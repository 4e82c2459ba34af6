"""Who started a private chat with the bot (``/start``): only they can get private messages.

Telegram lets a bot write to a person only after that person wrote to it first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from orders.db import UTCDateTime


class TelegramPrivateChat(SQLModel, table=True):
    """A Telegram user who started the bot in private (their private chat id is their id)."""

    __tablename__ = "telegram_private_chat"
    user_id: str = Field(primary_key=True, max_length=32)
    started_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]


private_t = TelegramPrivateChat.__table__  # type: ignore[attr-defined]


def create_table(engine: Engine) -> None:
    private_t.create(engine, checkfirst=True)


def started(conn: Connection, user_id: str) -> bool:
    found = conn.execute(select(private_t.c.user_id).where(private_t.c.user_id == user_id))
    return found.first() is not None


def remember(conn: Connection, user_id: str, now: datetime) -> None:
    """Note that ``user_id`` started the bot (idempotent)."""
    if started(conn, user_id):
        return
    try:
        with conn.begin_nested():
            conn.execute(private_t.insert().values(user_id=user_id, started_at=now))
    except IntegrityError:
        pass


def user_id_of(author_id: str) -> str | None:
    """ "tg-42" -> "42"; None for an author that is not a Telegram user (a group, another app)."""
    if not author_id.startswith("tg-"):
        return None
    rest = author_id[3:]
    return rest if rest.isdigit() else None
