"""The bot's settings, read from the environment and an optional ``.env`` file.

Nothing here runs at import time: :func:`load_settings` is called by the
command line, and tests build :class:`Settings` directly.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
        default=4000,
        ge=100,
        le=100_000,
        description="Longer messages are cut to this many characters before parsing.",
    )

    host: str = Field(
        default="127.0.0.1", description="Address `orderbot serve` listens on for webhooks."
    )
    port: int = Field(default=8080, ge=1, le=65535, description="Port of `orderbot serve`.")
    public_url: str = Field(
        default="",
        description="Public https:// root of this server as the platforms see it (webhooks).",
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

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("log level must be DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in {"fr", "en"}:
            raise ValueError("default locale must be fr or en")
        return value


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and ``.env``, with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
