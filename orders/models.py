"""The ledger's tables.

A member's order is the fold of the operations their messages asked for (kept
with each message in :class:`InboundRecord`); :class:`OrderLine` holds the result and
:class:`OrderChange` is the append-only history of every line that moved, with
the message that moved it. Totals per product and per member are computed from
the lines, never stored.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from orders.db import UTCDateTime

UNITS = ("kg", "piece", "dozen", "litre", "bunch", "pack")
MONEY = Numeric(10, 2)
QUANTITY = Numeric(12, 3)


def _when(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)  # type: ignore[call-overload]


class Club(SQLModel, table=True):
    """A buying group: one catalogue, one supplier, one or more threads."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=80)
    name: str = Field(max_length=200)
    locale: str = Field(default="fr", max_length=8)
    currency: str = Field(default="EUR", max_length=3)
    timezone: str = Field(default="Europe/Paris", max_length=64)
    pickup: str = Field(default="", max_length=300)
    catalog_version: int = 0
    created_at: datetime = _when()


class ClubChat(SQLModel, table=True):
    """A platform thread bound to a club: where its members write."""

    __table_args__ = (UniqueConstraint("platform", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    club_id: int = Field(foreign_key="club.id")
    platform: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)


class ClubRole(SQLModel, table=True):
    """A user allowed more than ordering: an organiser or the supplier.

    ``user_ref`` is a bare author id (any platform) or ``platform:author_id``.
    """

    __table_args__ = (UniqueConstraint("club_id", "user_ref", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    club_id: int = Field(foreign_key="club.id")
    user_ref: str = Field(max_length=160)
    role: str = Field(max_length=16)


class Supplier(SQLModel, table=True):
    """Who delivers the club's weekly order, and how to reach them."""

    id: int | None = Field(default=None, primary_key=True)
    club_id: int = Field(foreign_key="club.id", unique=True)
    name: str = Field(max_length=200)
    author_id: str = Field(default="", max_length=128)
    contact: str = Field(default="", max_length=300)


class Product(SQLModel, table=True):
    """One catalogue entry; ``code`` is the stable id used in exports and gold files."""

    __table_args__ = (UniqueConstraint("club_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    club_id: int = Field(foreign_key="club.id")
    code: str = Field(max_length=80)
    name: str = Field(max_length=200)
    unit: str = Field(max_length=8)
    price: Decimal = Field(sa_type=MONEY)  # type: ignore[call-overload]
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    stock_limit: Decimal | None = Field(default=None, sa_type=QUANTITY)  # type: ignore[call-overload]
    available: bool = True
    position: int = 0


class Member(SQLModel, table=True):
    """A platform identity inside a club."""

    __table_args__ = (UniqueConstraint("club_id", "platform", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    club_id: int = Field(foreign_key="club.id")
    platform: str = Field(max_length=32)
    user_id: str = Field(max_length=128)
    display_name: str = Field(max_length=200)
    joined_at: datetime = _when()


class OrderWindow(SQLModel, table=True):
    """A club's week: orders are taken while it is open."""

    __table_args__ = (Index("ix_window_club_status", "club_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    club_id: int = Field(foreign_key="club.id")
    status: str = Field(default="open", max_length=8)
    opens_at: datetime = _when()
    closes_at: datetime | None = _when(default=None)
    pickup_at: datetime | None = _when(default=None)
    closed_at: datetime | None = _when(default=None)


class Order(SQLModel, table=True):
    """One member's order for one window."""

    __table_args__ = (UniqueConstraint("window_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    window_id: int = Field(foreign_key="orderwindow.id")
    member_id: int = Field(foreign_key="member.id")
    updated_at: datetime = _when()


class OrderLine(SQLModel, table=True):
    """The current quantity of one product in one order (in the catalogue unit).

    Keyed by (order, product) and, on SQLite, stored without a rowid: a line is one
    B-tree entry, so a change rewrites one page instead of a table page and an index page.
    """

    __table_args__ = {"sqlite_with_rowid": False}
    order_id: int = Field(foreign_key="order.id", primary_key=True)
    product_id: int = Field(foreign_key="product.id", primary_key=True)
    quantity: Decimal = Field(sa_type=QUANTITY)  # type: ignore[call-overload]


class InboundRecord(SQLModel, table=True):
    """Every platform message the core has handled, so none counts twice.

    ``ops`` is what the message asked of its author's order in ``window_id``:
    ``[[action, product_id, quantity], ...]`` with action "set", "add", "remove"
    or "clear". ``origin_id`` is the record of the first version of the message:
    an edit's ops take the place of the edited message's when an order is
    re-folded.
    """

    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "message_id"),
        # A member's messages in a week, newest last: the context of their next message
        # and what an edit re-folds.
        Index("ix_record_member_window", "member_id", "window_id", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    club_id: int = Field(foreign_key="club.id")
    platform: str = Field(max_length=32)
    chat_id: str = Field(max_length=128)
    message_id: str = Field(max_length=160)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    origin_id: int | None = Field(default=None)
    edit_of: str | None = Field(default=None, max_length=160)
    reply_to: str | None = Field(default=None, max_length=160)
    sent_at: datetime = _when()
    text: str = ""
    role: str = Field(default="member", max_length=16)
    kind: str = Field(default="chatter", max_length=16)
    mentioned: str | None = Field(default="", max_length=2000)
    window_id: int | None = Field(default=None, foreign_key="orderwindow.id")
    ops: list[list[Any]] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )


class OrderChange(SQLModel, table=True):
    """Append-only history: a line moved from ``before`` to ``after`` because of a message."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id")
    member_id: int = Field(foreign_key="member.id")
    product_id: int = Field(foreign_key="product.id")
    before: Decimal = Field(sa_type=QUANTITY)  # type: ignore[call-overload]
    after: Decimal = Field(sa_type=QUANTITY)  # type: ignore[call-overload]
    record_id: int | None = Field(default=None, foreign_key="inboundrecord.id")
    actor_member_id: int | None = Field(default=None, foreign_key="member.id")
    changed_at: datetime = _when()


class Clarification(SQLModel, table=True):
    """A question the bot asked a member and is waiting for an answer to."""

    # The window too: offers a member never answered stay open, week after week, and the
    # lookup of this week's must not walk through them.
    __table_args__ = (
        Index("ix_clarification_member_open_window", "member_id", "status", "window_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    window_id: int = Field(foreign_key="orderwindow.id")
    member_id: int = Field(foreign_key="member.id")
    record_id: int = Field(foreign_key="inboundrecord.id")
    kind: str = Field(max_length=16)
    product_id: int | None = Field(default=None, foreign_key="product.id")
    quantity: Decimal | None = Field(default=None, sa_type=QUANTITY)  # type: ignore[call-overload]
    mode: str = Field(default="set", max_length=8)
    status: str = Field(default="open", max_length=8)
    created_at: datetime = _when()
