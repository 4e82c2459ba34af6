"""Twilio as a transport of `orderbot serve`: webhooks in, the Messages API out.

``POST /twilio/whatsapp``, ``POST /twilio/sms`` and ``POST /twilio/status`` each
check ``X-Twilio-Signature`` against ``ORDERBOT_PUBLIC_URL`` + the path (what
Twilio signed, whatever proxy stands in front of us); a request that fails gets
403 and changes nothing. A valid one is committed to the inbox, keyed by its
``MessageSid``, before Twilio gets its 200: a retried webhook is one row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from twilio.request_validator import RequestValidator

from bot.app import App
from bot.delivery import FAILURE_REPORTERS, InboxHandler, Sender
from bot.whatsapp import contacts
from bot.whatsapp.config import TwilioClubs, load_clubs
from bot.whatsapp.inbound import handle_message
from bot.whatsapp.outbound import announcer, organiser_reporter, reply_policy
from bot.whatsapp.sender import OUTSIDE_WINDOW, TwilioSender, twilio_client
from orders import outbox
from orders.inbox import InboxRow

if TYPE_CHECKING:
    from bot.server import Service

log = logging.getLogger("orderbot.twilio")

CHANNELS = ("whatsapp", "sms")
SOURCES = {"whatsapp": "twilio-whatsapp", "sms": "twilio-sms", "status": "twilio-status"}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
FAILED_STATUSES = {"failed", "undelivered"}
MAX_BODY = 64_000  # a message webhook is a few kB; anything bigger is not Twilio's


def is_configured(app: App) -> bool:
    settings = app.settings
    return bool(settings.twilio_account_sid and settings.twilio_auth_token)


class TwilioTransport:
    """WhatsApp and SMS members of every club, through one Twilio account."""

    name = "twilio"

    def __init__(self, app: App, clubs: TwilioClubs | None = None) -> None:
        settings = app.settings
        self.app = app
        self.clubs = clubs or load_clubs(settings.twilio_clubs)
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.public_url = settings.public_url.rstrip("/")
        contacts.create_tables(app.engine)
        client = twilio_client(
            settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_base_url
        )
        callback = f"{self.public_url}/twilio/status" if self.public_url else ""
        rates = {"whatsapp": settings.whatsapp_rate, "sms": settings.sms_rate}
        self._senders = [
            TwilioSender(
                channel,
                client,
                app.engine,
                self.clubs,
                app.clock,
                rate=rates[channel],
                status_callback=callback,
            )
            for channel in CHANNELS
        ]
        for channel in CHANNELS:
            app.router.register(channel, reply_policy(channel))
            app.announcers.register(channel, announcer(channel, self.clubs))
            FAILURE_REPORTERS[channel] = organiser_reporter(channel)
        self.service: Service | None = None

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/twilio/whatsapp", self._webhook("whatsapp"), methods=["POST"]),
            Route("/twilio/sms", self._webhook("sms"), methods=["POST"]),
            Route("/twilio/status", self._webhook("status"), methods=["POST"]),
        ]

    def senders(self) -> list[Sender]:
        return list(self._senders)

    def inbox_handlers(self) -> dict[str, InboxHandler]:
        return {
            SOURCES["whatsapp"]: lambda row: self._message("whatsapp", row),
            SOURCES["sms"]: lambda row: self._message("sms", row),
            SOURCES["status"]: self._status,
        }

    async def start(self, service: Service) -> None:
        self.service = service
        if not self.public_url:
            log.warning("ORDERBOT_PUBLIC_URL is not set: every Twilio webhook will get 403")

    async def stop(self) -> None:
        return None

    def _webhook(self, kind: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            # Twilio posts application/x-www-form-urlencoded; read it without a multipart parser.
            body = (await request.body())[:MAX_BODY].decode("utf-8", "replace")
            form = dict(parse_qsl(body, keep_blank_values=True))
            if not self._signed(request, form):
                log.warning("refused an unsigned or forged Twilio request on %s", request.url.path)
                return Response("forbidden", status_code=403)
            sid = form.get("MessageSid") or form.get("SmsSid") or ""
            if not sid:
                return Response("MessageSid missing", status_code=400)
            key = f"{sid}:{form.get('MessageStatus', '')}" if kind == "status" else sid
            self._put(SOURCES[kind], key, json.dumps(form, ensure_ascii=False))
            return Response(EMPTY_TWIML, media_type="text/xml")

        return endpoint

    def _signed(self, request: Request, form: dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.public_url:
            return False
        url = self.public_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        return bool(self.validator.validate(url, form, signature))

    def _put(self, source: str, key: str, payload: str) -> None:
        if self.service is not None:  # the service's worker: records, then wakes its loop
            self.service.inbox.put(source, key, payload)
            return
        from orders import inbox

        with self.app.engine.begin() as conn:
            inbox.put(conn, source=source, key=key, payload=payload, now=self.app.clock.now())

    def _message(self, channel: str, row: InboxRow) -> None:
        handle_message(self.app, self.clubs, channel, row.payload, row.received_at)

    def _status(self, row: InboxRow) -> None:
        """Record a status callback; a message that finally failed is reported to organisers."""
        form = json.loads(row.payload)
        status = form.get("MessageStatus", "")
        code = form.get("ErrorCode", "")
        now = self.app.clock.now()
        with self.app.engine.begin() as conn:
            outbox_id = contacts.record_status(conn, form.get("MessageSid", ""), status, code, now)
            if outbox_id is None or status not in FAILED_STATUSES:
                return
            item = outbox.find(conn, outbox_id)
            if item is None or item.status == outbox.FAILED:
                return
            template = item.payload.get("template")
            if code == str(OUTSIDE_WINDOW) and template and item.kind != "supplier_order":
                _queue_template(conn, item, now)
                return
            reason = f"Twilio status {status}" + (f" (error {code})" if code else "")
            outbox.mark_failed(conn, item.id, now, reason)
            FAILURE_REPORTERS[item.platform](conn, item, reason, now)


def _queue_template(conn: Connection, item: outbox.OutboxRow, now: datetime) -> None:
    """The free-form message arrived outside the window: the template goes instead."""
    outbox.enqueue(
        conn,
        platform=item.platform,
        chat_id=item.chat_id,
        club_id=item.club_id,
        text=item.text,
        kind=item.kind,
        payload={"template": item.payload["template"], "template_only": True},
        priority=item.priority,
        now=now,
        dedupe_key=f"template:{item.id}",
    )
