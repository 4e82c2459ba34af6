"""Sending outbox rows through Twilio's Messages API, on WhatsApp or by SMS.

Inside a member's 24-hour window a message goes free-form (cut in parts of
1,600 characters); outside it, or when Twilio refuses a free-form message for
being outside it (error 63016), the row's Content template goes instead (its
``payload["template"]``: ``content_sid`` + ``variables``), or nothing at all.
A supplier's weekly order (kind ``supplier_order``, chat id = a phone number)
only ever goes free-form: a template cannot carry it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.engine import Engine
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.delivery import RetryLater, SendFailed
from bot.whatsapp import contacts
from bot.whatsapp.config import TwilioClubs
from orders.models import Club
from orders.outbox import OutboxRow
from schedules.clock import Clock

log = logging.getLogger("orderbot.twilio")

BODY_LIMIT = 1600
OUTSIDE_WINDOW = 63016
_club_t = Club.__table__  # type: ignore[attr-defined]


def twilio_client(account_sid: str, auth_token: str, base_url: str) -> Client:
    """A Twilio REST client whose API root is ``base_url`` (a local server in tests)."""
    client = Client(account_sid, auth_token)
    client.api.base_url = base_url.rstrip("/")
    return client


def split_body(text: str, limit: int = BODY_LIMIT) -> list[str]:
    """Parts of at most ``limit`` characters, cut at a line break or a space when possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text] if text or not parts else parts


class TwilioSender:
    """The outbox's sender for one channel ("whatsapp" or "sms")."""

    idempotent_kinds: frozenset[str] = frozenset()

    def __init__(
        self,
        platform: str,
        client: Client,
        engine: Engine,
        clubs: TwilioClubs,
        clock: Clock,
        *,
        rate: float,
        status_callback: str = "",
    ) -> None:
        self.platform = platform
        self.client = client
        self.engine = engine
        self.clubs = clubs
        self.clock = clock
        self.interval = timedelta(seconds=1.0 / rate)
        self.status_callback = status_callback
        self._next: dict[str, datetime] = {}  # sender number -> when it may send again
        self._from: dict[str, str] = {}  # chat id -> sender number, learnt on first send
        self._parts_done: dict[int, int] = {}  # outbox id -> parts already accepted

    def delay(self, row: OutboxRow, now: datetime) -> float:
        sender = self._from.get(row.chat_id, self.platform)
        ready = self._next.get(sender)
        return max(0.0, (ready - now).total_seconds()) if ready else 0.0

    async def send(self, row: OutboxRow) -> str | None:
        return await asyncio.to_thread(self._send, row)

    def _send(self, row: OutboxRow) -> str | None:
        to, sender, in_window = self._route(row)
        template = row.payload.get("template")
        free_form = in_window and not row.payload.get("template_only")
        if row.kind == "supplier_order" or free_form or not template:
            try:
                return self._free_form(row, to, sender)
            except SendFailed as exc:
                if row.kind == "supplier_order" and _outside(exc):
                    raise SendFailed(
                        f"{exc}; outside the supplier's 24-hour window the weekly order "
                        "must go by SMS or email"
                    ) from None
                if not (template and _outside(exc)):
                    raise
                log.info("outbox row %d: outside the 24-hour window; sending the template", row.id)
        return self._create(row, to, sender, content=template)

    def _route(self, row: OutboxRow) -> tuple[str, str, bool]:
        """Who to send to, from which number, and whether a free-form message may go."""
        now = self.clock.now()
        if row.kind == "supplier_order" or not row.chat_id.startswith(
            contacts.PREFIX[self.platform]
        ):
            to = row.chat_id
            if self.platform == "whatsapp" and not to.startswith("whatsapp:"):
                to = f"whatsapp:{to}"
            return to, self._club_number(row), True
        with self.engine.connect() as conn:
            contact = contacts.find(conn, self.platform, row.chat_id)
        if contact is None:
            raise SendFailed("no such WhatsApp/SMS contact")
        if contact.opted_out and row.kind != "optout":
            raise SendFailed("opted out (STOP)")
        sender = contact.via or self._club_number(row)
        self._from[row.chat_id] = sender
        return contact.address, sender, contact.in_window(now)

    def _club_number(self, row: OutboxRow) -> str:
        slug = None
        if row.club_id is not None:
            with self.engine.connect() as conn:
                slug = conn.execute(
                    select(_club_t.c.slug).where(_club_t.c.id == row.club_id)
                ).scalar()
        number = self.clubs.get(slug).sender(self.platform) if slug else ""
        if not number:
            raise SendFailed(f"no {self.platform} sender number configured for club {slug}")
        return number

    def _free_form(self, row: OutboxRow, to: str, sender: str) -> str | None:
        parts = split_body(row.text)
        done = self._parts_done.get(row.id, 0)
        sid = None
        for index in range(done, len(parts)):
            sid = self._create(row, to, sender, body=parts[index])
            self._parts_done[row.id] = index + 1
        self._parts_done.pop(row.id, None)
        return sid

    def _create(
        self,
        row: OutboxRow,
        to: str,
        sender: str,
        *,
        body: str | None = None,
        content: Mapping[str, Any] | None = None,
    ) -> str:
        values: dict[str, Any] = {"to": to, "from_": sender}
        if content is not None:
            values["content_sid"] = content["content_sid"]
            values["content_variables"] = json.dumps(content.get("variables") or {})
        else:
            values["body"] = body
        if self.status_callback:
            values["status_callback"] = self.status_callback
        now = self.clock.now()
        self._next[sender] = max(self._next.get(sender, now), now) + self.interval
        try:
            message = self.client.messages.create(**values)
        except TwilioRestException as exc:
            raise _classify(exc) from None
        except requests.RequestException as exc:
            raise RetryLater(f"network: {type(exc).__name__}") from None
        with self.engine.begin() as conn:
            contacts.record_sent(conn, message.sid, row.id, message.status or "queued", now)
        return str(message.sid)


def _classify(exc: TwilioRestException) -> Exception:
    reason = f"Twilio {exc.status} error {exc.code}: {exc.msg}"[:300]
    if exc.status == 429 or exc.status >= 500:
        return RetryLater(reason)
    return SendFailed(reason)


def _outside(exc: SendFailed) -> bool:
    return f"error {OUTSIDE_WINDOW}" in str(exc)
