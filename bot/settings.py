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
