"""Which chat platforms `orderbot serve` runs, read from the settings.

Each platform's package builds its transport from the app when its settings are
present; the service knows transports only through :class:`bot.server.Transport`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.app import App

if TYPE_CHECKING:
    from bot.server import Transport


def configured_transports(app: App) -> list[Transport]:
    """The transports whose settings are filled in, each registered with the app's router."""
    transports: list[Transport] = []
    from bot.whatsapp.transport import TwilioTransport, is_configured

    if is_configured(app):
        transports.append(TwilioTransport(app))
    if app.settings.telegram_bot_token:
        from bot.telegram.transport import build_transport

        telegram = build_transport(app)
        if telegram is not None:
            transports.append(telegram)
    # The supplier's email channel (SMTP_HOST and friends).
    from bot.email_transport import email_transport

    email = email_transport(app.settings)
    if email is not None:
        transports.append(email)
    return transports
