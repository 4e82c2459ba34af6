"""Where a club's weekly order goes and whether the supplier confirmed it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from orders.db import UTCDateTime

CHANNELS = ("telegram", "email", "whatsapp", "sms")


class SupplierChannel(SQLModel, table=True):
    """One way of reaching the supplier: a platform name and an address on it."""

    __table_args__ = (UniqueConstraint("club_id", "channel"),)
    id: int | None = Field(default=None, primary_key=True)
    club_id: int = Field(foreign_key="club.id")
    channel: str = Field(max_length=16)
    address: str = Field(max_length=200)


class SupplierConfirmation(SQLModel, table=True):
    """The supplier's "OK" for one week's order (the first one counts)."""

    id: int | None = Field(default=None, primary_key=True)
    club_id: int = Field(foreign_key="club.id")
    window_id: int = Field(foreign_key="orderwindow.id", unique=True)
    confirmed_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]
    text: str = Field(default="", max_length=200)


class BagCollected(SQLModel, table=True):
    """A member's bag handed over at pickup (``/recupere NAME``)."""

    __table_args__ = (UniqueConstraint("window_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    window_id: int = Field(foreign_key="orderwindow.id")
    member_id: int = Field(foreign_key="member.id")
    collected_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]
