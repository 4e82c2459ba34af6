"""Putting a week's order in the outbox for each of the supplier's channels.

The outbox row's dedupe key is per club, week and channel: the scheduled send,
a restart that runs it again and an organiser's ``/envoyer`` queue it once.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from orders import ledger, outbox
from orders.catalog_view import load_view
from orders.models import Club, OrderWindow
from orders.replies import Renderer
from suppliers.formats import order_csv, order_pdf
from suppliers.models import SupplierChannel, SupplierConfirmation
from suppliers.text import order_text
from suppliers.weekly_order import WeeklyOrder, build_weekly_order

KIND = "supplier_order"
club_t, window_t = Club.__table__, OrderWindow.__table__  # type: ignore[attr-defined]
channel_t = SupplierChannel.__table__  # type: ignore[attr-defined]
confirm_t = SupplierConfirmation.__table__  # type: ignore[attr-defined]
_SUBJECT = {"fr": "Commande {club} — semaine du {week}", "en": "Order {club} — week of {week}"}


@dataclass(frozen=True)
class SupplierOrder:
    """A week's order in every form a supplier may receive it."""

    club_id: int
    window_id: int
    slug: str
    week: str
    weekly: WeeklyOrder
    text: str
    csv: bytes
    pdf: bytes

    @property
    def stem(self) -> str:
        return f"{self.slug}-{self.week}"

    def subject(self) -> str:
        template = _SUBJECT.get(self.weekly.locale, _SUBJECT["en"])
        return template.format(club=self.weekly.club_name, week=self.week)

    def attachments(self) -> list[dict[str, str]]:
        return [
            {"filename": f"{self.stem}.csv", "content_type": "text/csv",
             "data_b64": base64.b64encode(self.csv).decode()},
            {"filename": f"{self.stem}.pdf", "content_type": "application/pdf",
             "data_b64": base64.b64encode(self.pdf).decode()},
        ]  # fmt: skip


def week_window(conn: Connection, club_id: int) -> int | None:
    """The week the supplier's order is about: the open one, else the latest."""
    latest = ledger.latest_window(conn, club_id)
    return latest[0] if latest else None


def build_supplier_order(
    conn: Connection, club_id: int, window_id: int, renderer: Renderer
) -> SupplierOrder:
    """Render the text, the CSV and the PDF of one club's week."""
    club = ledger.club_by_id(conn, club_id)
    assert club is not None
    view = load_view(conn, club_id, club.catalog_version)
    weekly = build_weekly_order(conn, club, window_id, view)
    zone = conn.execute(select(club_t.c.timezone).where(club_t.c.id == club_id)).scalar_one()
    window = conn.execute(
        select(window_t.c.opens_at, window_t.c.pickup_at).where(window_t.c.id == window_id)
    ).one()
    when: datetime = window.pickup_at or window.opens_at
    week = when.astimezone(ZoneInfo(zone)).date().isoformat()
    text = order_text(renderer, weekly, pickup=club.pickup, week=week)
    return SupplierOrder(
        club_id, window_id, club.slug, week, weekly, text,
        order_csv(weekly), order_pdf(weekly, pickup=club.pickup, week=week),
    )  # fmt: skip


def channels(conn: Connection, club_id: int) -> list[tuple[str, str]]:
    """The supplier's (channel, address) pairs, in the order they were set."""
    rows = conn.execute(
        select(channel_t.c.channel, channel_t.c.address)
        .where(channel_t.c.club_id == club_id)
        .order_by(channel_t.c.id)
    ).all()
    return [(r.channel, r.address) for r in rows]


def set_channel(conn: Connection, club_id: int, channel: str, address: str) -> None:
    """Set (or replace) the supplier's address on one channel; an empty address removes it."""
    conn.execute(
        channel_t.delete().where(channel_t.c.club_id == club_id, channel_t.c.channel == channel)
    )
    if address:
        conn.execute(channel_t.insert().values(club_id=club_id, channel=channel, address=address))


def dedupe_key(club_id: int, window_id: int, channel: str) -> str:
    return f"{KIND}:{club_id}:{window_id}:{channel}"


def enqueue_supplier_order(
    conn: Connection, club_id: int, window_id: int, renderer: Renderer, now: datetime
) -> list[str]:
    """Queue the week's order on every channel not queued yet; return the channels queued."""
    targets = channels(conn, club_id)
    pending = [
        (c, a) for c, a in targets if outbox.queued(conn, dedupe_key(club_id, window_id, c)) is None
    ]
    if not pending:
        return []
    order = build_supplier_order(conn, club_id, window_id, renderer)
    queued = []
    for channel, address in pending:
        payload: dict[str, object] = {"subject": order.subject(), "window_id": window_id}
        if channel in ("email", "telegram"):
            payload["attachments"] = order.attachments()
        row = outbox.enqueue(
            conn, platform=channel, chat_id=address, kind=KIND, club_id=club_id,
            text=order.text, payload=payload, now=now, priority=outbox.PRIORITY_NORMAL,
            dedupe_key=dedupe_key(club_id, window_id, channel),
        )  # fmt: skip
        if row is not None:
            queued.append(channel)
    return queued


def delivery_status(conn: Connection, club_id: int, window_id: int) -> list[tuple[str, str]]:
    """(channel, outbox status) of this week's order on each channel; "" when not queued."""
    found = []
    for channel, _address in channels(conn, club_id):
        row = outbox.queued(conn, dedupe_key(club_id, window_id, channel))
        found.append((channel, row.status if row else ""))
    return found


def confirmation(conn: Connection, window_id: int) -> datetime | None:
    """When the supplier confirmed this week's order, if they did."""
    return conn.execute(
        select(confirm_t.c.confirmed_at).where(confirm_t.c.window_id == window_id)
    ).scalar()


def confirm(conn: Connection, club_id: int, window_id: int, now: datetime, text: str) -> bool:
    """Record the supplier's "OK" for a week; False when it was already recorded."""
    if confirmation(conn, window_id) is not None:
        return False
    conn.execute(
        confirm_t.insert().values(
            club_id=club_id, window_id=window_id, confirmed_at=now, text=text[:200]
        )
    )
    return True


def set_window_times(
    conn: Connection, window_id: int, closes_at: datetime | None, pickup_at: datetime | None
) -> None:
    """Note when a week closes and when its bags are collected."""
    conn.execute(
        update(window_t)
        .where(window_t.c.id == window_id)
        .values(closes_at=closes_at, pickup_at=pickup_at)
    )
