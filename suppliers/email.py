"""Sending the supplier's order by email (SMTP, optionally STARTTLS), CSV and PDF attached.

An outbox sender like the chat platforms' ones: it reads the row's text as the
body and ``payload["subject"]`` and ``payload["attachments"]``
(``[{"filename", "content_type", "data_b64"}]``).
"""

from __future__ import annotations

import asyncio
import base64
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from orders.outbox import OutboxRow


class SmtpSettings(BaseSettings):
    """``SMTP_*`` settings; the email channel is on when ``SMTP_HOST`` is set."""

    model_config = SettingsConfigDict(
        env_prefix="SMTP_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )
    host: str = Field(default="", description="SMTP server; empty: no email channel.")
    port: int = Field(default=587, ge=1, le=65535)
    user: str = ""
    password: str = ""
    from_: str = Field(default="", validation_alias="SMTP_FROM")
    starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")
    timeout: float = 30.0


class RetryableSmtpError(Exception):
    """A temporary SMTP failure (connection refused, 4xx): the outbox tries again later."""


class PermanentSmtpError(Exception):
    """The server refused the message for good (5xx on a recipient)."""


def build_message(row: OutboxRow, sender: str) -> EmailMessage:
    """The email for one outbox row: text body, subject and attachments from the payload."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.chat_id
    message["Subject"] = str(row.payload.get("subject") or "orderbot")
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or "orderbot")
    message.set_content(row.text)
    for item in row.payload.get("attachments") or []:
        maintype, _, subtype = str(item["content_type"]).partition("/")
        message.add_attachment(
            base64.b64decode(item["data_b64"]),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=str(item["filename"]),
        )
    return message


class EmailSender:
    """Outbox sender for the "email" platform."""

    platform = "email"
    idempotent_kinds: frozenset[str] = frozenset()

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def delay(self, row: OutboxRow, now: datetime) -> float:
        return 0.0

    async def send(self, row: OutboxRow) -> str | None:
        s = self.settings
        message = build_message(row, s.from_ or s.user or f"orderbot@{s.host}")
        await asyncio.to_thread(self._deliver, message)
        return str(message["Message-ID"])

    def _deliver(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentSmtpError(str(exc)[:200]) from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentSmtpError(f"{exc.smtp_code} {exc.smtp_error!r}"[:200]) from exc
            raise RetryableSmtpError(f"{exc.smtp_code}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise RetryableSmtpError(type(exc).__name__) from exc
