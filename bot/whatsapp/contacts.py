"""Who wrote to a club's Twilio number: their address, their 24-hour window, their opt-out.

Members are known to the ledger by an opaque id (``wa-…``, ``sms-…``) drawn at
random the first time a sender identity writes (a hash of a phone number could be
reversed by trying every number); the address to answer them at (a phone number
or a business-scoped user id) lives only here, read by the sender and never
shown to anyone. On WhatsApp the opt-out list is ours to keep: a contact
who sent STOP gets nothing more, templates included, until they send START.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel, UniqueConstraint

from orders.db import UTCDateTime

WINDOW = timedelta(hours=24)
PREFIX = {"whatsapp": "wa-", "sms": "sms-"}


class TwilioContact(SQLModel, table=True):
    """One sender identity on one channel, and what we may send them."""

    __table_args__ = (
        UniqueConstraint("platform", "author_id"),
        UniqueConstraint("platform", "address"),
    )
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    author_id: str = Field(max_length=64)
    address: str = Field(max_length=160)  # "whatsapp:+33…", a user id, or "+33…" for SMS
    via: str = Field(max_length=160)  # the club number they wrote to: our sender for them
    club_id: int | None = Field(default=None, foreign_key="club.id")
    last_inbound_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]
    opted_out: bool = False


class TwilioMessage(SQLModel, table=True):
    """A message Twilio accepted for us (one per 1,600-character part) and its last status."""

    sid: str = Field(primary_key=True, max_length=64)
    outbox_id: int = Field(index=True)
    status: str = Field(default="queued", max_length=16)
    error_code: str = Field(default="", max_length=16)
    updated_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]


contact_t = TwilioContact.__table__  # type: ignore[attr-defined]
message_t = TwilioMessage.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Contact:
    platform: str
    author_id: str
    address: str
    via: str
    club_id: int | None
    last_inbound_at: datetime
    opted_out: bool

    def in_window(self, now: datetime) -> bool:
        """Whether a free-form message may go now (24 hours after their last message)."""
        return now - self.last_inbound_at < WINDOW


_FIELDS = [contact_t.c[name] for name in Contact.__slots__]  # type: ignore[attr-defined]


def create_tables(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine, tables=[contact_t, message_t])


def by_address(conn: Connection, platform: str, address: str) -> Contact | None:
    row = conn.execute(
        select(*_FIELDS).where(contact_t.c.platform == platform, contact_t.c.address == address)
    ).first()
    return Contact(*row) if row is not None else None


def find(conn: Connection, platform: str, author_id: str) -> Contact | None:
    row = conn.execute(
        select(*_FIELDS).where(contact_t.c.platform == platform, contact_t.c.author_id == author_id)
    ).first()
    return Contact(*row) if row is not None else None


def seen(conn: Connection, *, platform: str, address: str, via: str, now: datetime) -> Contact:
    """Record an inbound message: it opens (or renews) the contact's 24-hour window."""
    found = by_address(conn, platform, address)
    author_id = found.author_id if found else PREFIX[platform] + secrets.token_hex(8)
    if found is None:
        conn.execute(
            insert(contact_t).values(
                platform=platform,
                author_id=author_id,
                address=address,
                via=via,
                last_inbound_at=now,
                opted_out=False,
            )
        )
    else:
        _set(conn, platform, author_id, via=via, last_inbound_at=now)
    contact = find(conn, platform, author_id)
    assert contact is not None
    return contact


def join(conn: Connection, contact: Contact, club_id: int) -> None:
    _set(conn, contact.platform, contact.author_id, club_id=club_id)


def opt(conn: Connection, contact: Contact, *, out: bool) -> None:
    _set(conn, contact.platform, contact.author_id, opted_out=out)


def may_receive(conn: Connection, platform: str, author_id: str) -> bool:
    """False for a contact who opted out (and for an unknown one)."""
    contact = find(conn, platform, author_id)
    return contact is not None and not contact.opted_out


def _set(conn: Connection, platform: str, author_id: str, **values: object) -> None:
    conn.execute(
        update(contact_t)
        .where(contact_t.c.platform == platform, contact_t.c.author_id == author_id)
        .values(**values)
    )


def record_sent(conn: Connection, sid: str, outbox_id: int, status: str, now: datetime) -> None:
    conn.execute(
        insert(message_t).values(
            sid=sid, outbox_id=outbox_id, status=status, error_code="", updated_at=now
        )
    )


# Callbacks may arrive out of order: a later stage never goes back to an earlier one.
_STAGE = {"accepted": 0, "queued": 0, "sending": 1, "sent": 2, "delivered": 3, "read": 4}
_FINAL = 5  # failed, undelivered


def record_status(
    conn: Connection, sid: str, status: str, error_code: str, now: datetime
) -> int | None:
    """Store a status callback; return the outbox row the message belongs to, if ours."""
    found = conn.execute(
        select(message_t.c.outbox_id, message_t.c.status).where(message_t.c.sid == sid)
    ).first()
    if found is None:
        return None
    outbox_id, current = found
    if _STAGE.get(status, _FINAL) >= _STAGE.get(current, _FINAL):
        conn.execute(
            update(message_t)
            .where(message_t.c.sid == sid)
            .values(status=status, error_code=error_code, updated_at=now)
        )
    return outbox_id


def message_status(conn: Connection, sid: str) -> tuple[str, str] | None:
    row = conn.execute(
        select(message_t.c.status, message_t.c.error_code).where(message_t.c.sid == sid)
    ).first()
    return (row[0], row[1]) if row is not None else None
