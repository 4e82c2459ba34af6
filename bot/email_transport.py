"""The supplier's email channel as a transport of `orderbot serve`: a sender, no webhook.

The SMTP work lives in :mod:`suppliers.email`; this adapter only maps its errors
to the outbox worker's retry-or-fail vocabulary.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

from bot.delivery import InboxHandler, RetryLater, Sender, SendFailed
from bot.settings import Settings
from orders.outbox import OutboxRow
from suppliers.email import EmailSender, PermanentSmtpError, RetryableSmtpError, SmtpSettings

if TYPE_CHECKING:
    from bot.server import Service


class _MappedEmailSender:
    platform = "email"
    idempotent_kinds: frozenset[str] = frozenset()

    def __init__(self, sender: EmailSender) -> None:
        self._sender = sender

    def delay(self, row: OutboxRow, now: datetime) -> float:
        return self._sender.delay(row, now)

    async def send(self, row: OutboxRow) -> str | None:
        try:
            return await self._sender.send(row)
        except RetryableSmtpError as exc:
            raise RetryLater(str(exc)) from exc
        except PermanentSmtpError as exc:
            raise SendFailed(str(exc)) from exc


class EmailTransport:
    """Sends outbox rows of platform "email" (the supplier's order) through SMTP."""

    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.sender = _MappedEmailSender(EmailSender(settings))

    def routes(self) -> list[BaseRoute]:
        return []

    def senders(self) -> list[Sender]:
        return [self.sender]

    def inbox_handlers(self) -> dict[str, InboxHandler]:
        return {}

    async def start(self, service: Service) -> None:
        return None

    async def stop(self) -> None:
        return None


def email_transport(settings: Settings) -> EmailTransport | None:
    """The email transport when ``SMTP_HOST`` is set, else None."""
    if not settings.smtp_host:
        return None
    smtp = SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        user=settings.smtp_user,
        password=settings.smtp_password,
        from_=settings.smtp_from,
        starttls=settings.smtp_starttls,
    )
    return EmailTransport(smtp)
