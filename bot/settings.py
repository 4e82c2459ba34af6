"""The bot's settings, read from the environment and an optional ``.env`` file.

Nothing here runs at import time: :func:`load_settings` is called by the
command line, and tests build :class:`Settings` directly.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(ValueError):
    """A setting with a value orderbot cannot use: its name, the value and what is expected."""


class Settings(BaseSettings):
    """Every knob of orderbot; each one is documented in ``.env.example``."""

    model_config = SettingsConfigDict(
        env_prefix="ORDERBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default="sqlite:///orderbot.sqlite3",
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL of the ledger (default: a SQLite file here).",
    )
    log_level: str = Field(default="INFO", description="Logging level: DEBUG, INFO, WARNING.")
    default_locale: str = Field(
        default="fr", description="Reply language for chats bound to no club."
    )
    max_message_chars: int = Field(
        default=10_000,
        ge=100,
        le=100_000,
        description="Longer messages are not read: the bot answers that they are too long.",
    )

    host: str = Field(
        default="127.0.0.1", description="Address `orderbot serve` listens on for webhooks."
    )
    port: int = Field(default=8080, ge=1, le=65535, description="Port of `orderbot serve`.")
    public_url: str = Field(
        default="",
        description="Public https:// root of this server as the platforms see it (webhooks).",
    )

    # WhatsApp and SMS through Twilio (bot/whatsapp); set both credentials to enable it.
    twilio_account_sid: str = Field(
        default="", validation_alias="TWILIO_ACCOUNT_SID", description="Twilio account SID (AC…)."
    )
    twilio_auth_token: str = Field(
        default="",
        validation_alias="TWILIO_AUTH_TOKEN",
        description="Twilio auth token: signs the webhooks and authenticates the API calls.",
    )
    twilio_api_base_url: str = Field(
        default="https://api.twilio.com",
        validation_alias="TWILIO_API_BASE_URL",
        description="Root of Twilio's REST API (tests point it at a local server).",
    )
    twilio_clubs: str = Field(
        default="",
        description="YAML file of each club's Twilio sender numbers and Content templates.",
    )
    whatsapp_rate: float = Field(
        default=80.0, gt=0, description="Messages per second one WhatsApp sender may send."
    )
    sms_rate: float = Field(
        default=1.0, gt=0, description="Messages per second one SMS sender number may send."
    )
    # Telegram (bot/telegram): on when TELEGRAM_BOT_TOKEN is set.
    telegram_bot_token: str = Field(
        default="",
        validation_alias="TELEGRAM_BOT_TOKEN",
        description="The token BotFather gave; empty: no Telegram.",
    )
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org",
        validation_alias="TELEGRAM_API_BASE_URL",
        description="Root of the Bot API server; the bot appends /bot and /file/bot.",
    )
    telegram_webhook_secret: str = Field(
        default="",
        validation_alias="TELEGRAM_WEBHOOK_SECRET",
        description="Secret Telegram sends with each webhook call (default: derived).",
    )
    telegram_ack_style: str = Field(
        default="auto",
        validation_alias="TELEGRAM_ACK_STYLE",
        description="How orders are acknowledged: auto, reactions, grouped or replies.",
    )
    telegram_club_ack_styles: str = Field(
        default="",
        validation_alias="TELEGRAM_CLUB_ACK_STYLES",
        description="Per-club acknowledgement styles: slug=style,slug=style.",
    )
    # The supplier's email channel (SMTP); empty host: no email is sent.
    smtp_host: str = Field(
        default="", validation_alias="SMTP_HOST", description="SMTP server for email to suppliers."
    )
    smtp_port: int = Field(
        default=587, ge=1, le=65535, validation_alias="SMTP_PORT", description="SMTP port."
    )
    smtp_user: str = Field(default="", validation_alias="SMTP_USER", description="SMTP login.")
    smtp_password: str = Field(
        default="", validation_alias="SMTP_PASSWORD", description="SMTP password."
    )
    smtp_from: str = Field(
        default="", validation_alias="SMTP_FROM", description="Sender address of the emails."
    )
    smtp_starttls: bool = Field(
        default=True,
        validation_alias="SMTP_STARTTLS",
        description="Upgrade the SMTP connection with STARTTLS (off only for a local relay).",
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in {"fr", "en"}:
            raise ValueError("fr or en")
        return value


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and ``.env``, with explicit overrides on top.

    Raises :class:`SettingsError` naming the first bad setting.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_describe(exc.errors()[0])) from None
    except UnicodeDecodeError as exc:
        env_file = Settings.model_config.get("env_file")
        raise SettingsError(
            f"{env_file} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); save it as UTF-8"
        ) from None


def env_name(field: str) -> str:
    """The environment variable that sets ``field`` (``port`` -> ``ORDERBOT_PORT``)."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, str):
        return alias
    return f"{Settings.model_config.get('env_prefix', '')}{field}".upper()


def _describe(error: Any) -> str:
    """One line for a pydantic error, without its web link."""
    key = str(error["loc"][0]) if error["loc"] else ""
    fields = {env_name(name): name for name in Settings.model_fields}
    field = fields.get(key.upper(), key.lower())
    name = env_name(field) if field in Settings.model_fields else key
    expected = _expected(field, error)
    return f"setting {name} is {error.get('input')!r}: expected {expected}"


def _expected(field: str, error: Any) -> str:
    info = Settings.model_fields.get(field)
    if info is not None and info.annotation is int:
        low = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
        high = next((m.le for m in info.metadata if hasattr(m, "le")), None)
        if low is not None and high is not None:
            return f"a whole number from {low} to {high}"
        return "a whole number"
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return message[:1].lower() + message[1:] if message[1:2].islower() else message
