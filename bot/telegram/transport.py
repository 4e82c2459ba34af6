"""Telegram plugged into `orderbot serve`: long polling or a webhook, the sender, the handler.

Both ways in record each raw update in the inbox, committed, before Telegram is
told it arrived: in polling mode before the next ``getUpdates`` confirms it by
its offset (python-telegram-bot's own ``Updater`` confirms a batch before its
handlers have run, so it is not used); in webhook mode before the HTTP answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
)

from bot.app import App
from bot.delivery import InboxHandler, Sender
from bot.telegram import members
from bot.telegram.api import make_bot
from bot.telegram.budget import Budget
from bot.telegram.handler import BotProfile, UpdateHandler
from bot.telegram.organisers import Organisers
from bot.telegram.policy import AcknowledgementPolicy, parse_styles, telegram_announcer
from bot.telegram.sender import TelegramSender

if TYPE_CHECKING:
    from bot.server import Service

log = logging.getLogger("orderbot.telegram")
SOURCE = "telegram"
WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = ["message", "edited_message", "my_chat_member"]
MAX_UPDATE_BYTES = 1_000_000

MEMBER_COMMANDS = {
    "fr": [
        ("commande", "Voir ma commande"),
        ("annuler", "Annuler toute ma commande"),
        ("catalogue", "Les produits et les prix"),
        ("aide", "Comment commander"),
    ],
    "en": [
        ("order", "See my order"),
        ("cancel", "Cancel my whole order"),
        ("catalog", "Products and prices"),
        ("help", "How to order"),
    ],
}
ORGANISER_COMMANDS = {
    "fr": [
        ("recap", "Total par produit et par membre"),
        ("ouvrir", "Ouvrir une semaine de commandes"),
        ("fermer", "Clore les commandes"),
        ("prix", "Changer un prix : /prix PRODUIT PRIX"),
        ("dispo", "Proposer ou retirer : /dispo PRODUIT oui|non"),
        ("setup", "Lier ce groupe à un club"),
    ],
    "en": [
        ("summary", "Totals per product and member"),
        ("open", "Open a week of orders"),
        ("close", "Close orders"),
        ("price", "Change a price: /price PRODUCT PRICE"),
        ("available", "Offer or withdraw: /available PRODUCT yes|no"),
        ("setup", "Bind this group to a club"),
    ],
}


def webhook_secret(token: str, configured: str) -> str:
    """The configured secret, or one derived from the token (Telegram allows [A-Za-z0-9_-])."""
    if configured:
        return configured
    return hashlib.sha256(f"orderbot-webhook:{token}".encode()).hexdigest()


class TelegramTransport:
    """The Telegram side of `orderbot serve`."""

    name = "telegram"

    def __init__(self, app: App, *, bot: Bot | None = None, poll_timeout: int = 25) -> None:
        settings = app.settings
        self.app = app
        self.token = settings.telegram_bot_token
        self.bot = bot or make_bot(
            self.token, settings.telegram_api_base_url, poll_timeout=poll_timeout
        )
        self.poll_timeout = poll_timeout
        self.public_url = settings.public_url.rstrip("/")
        self.secret = webhook_secret(self.token, settings.telegram_webhook_secret)
        self.budget = Budget()
        self.profile = BotProfile()
        self.organisers = Organisers(self.bot, app.engine, self.budget)
        self.sender = TelegramSender(
            self.bot, app.engine, app.clock, self.budget, ready=self.profile.ready
        )
        self.handler = UpdateHandler(app, self.bot, self.organisers, self.profile)
        self.policy = AcknowledgementPolicy(
            parse_styles(settings.telegram_ack_style, settings.telegram_club_ack_styles),
            settings.default_locale,
        )
        self._service: Service | None = None
        self._polling: asyncio.Task[None] | None = None
        members.create_table(app.engine)
        app.router.register(SOURCE, self.policy)
        app.announcers.register(SOURCE, telegram_announcer)

    # -- the Transport protocol -----------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self._webhook, methods=["POST"])]

    def senders(self) -> list[Sender]:
        return [self.sender]

    def inbox_handlers(self) -> dict[str, InboxHandler]:
        return {SOURCE: self.handler}

    async def start(self, service: Service) -> None:
        """Connect in the background: the web server and the queues do not wait for Telegram."""
        self._service = service
        self._polling = asyncio.create_task(self._begin(service), name="telegram")

    async def _begin(self, service: Service) -> None:
        """Read the bot's profile (until Telegram answers), publish the menus, then poll or
        set the webhook. Updates wait in the inbox until the profile is known: a command
        reads ``/cmd@thisbot`` only once the bot knows its own username."""
        while True:
            try:
                await self.bot.initialize()
                me = await self.bot.get_me()
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Telegram does not answer getMe (%s); trying again", exc)
                await asyncio.sleep(5)
        self.profile.username = me.username or ""
        self.profile.can_read_all_group_messages = bool(me.can_read_all_group_messages)
        self.policy.help_link = f"https://t.me/{self.profile.username}?start=orders"
        self.profile.ready.set()
        if not self.profile.can_read_all_group_messages:
            log.warning(
                "privacy mode is on: the bot reads only commands in groups where it is not "
                "an administrator (BotFather: /setprivacy → Disable)"
            )
        await self._publish_commands()
        if self.public_url:
            await self._set_webhook()
        else:
            await self.bot.delete_webhook()
            log.info("telegram: long polling")
            await self._poll(service)

    async def _set_webhook(self) -> None:
        while True:
            try:
                await self.bot.set_webhook(
                    f"{self.public_url}{WEBHOOK_PATH}",
                    secret_token=self.secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("setWebhook failed (%s); trying again", exc)
                await asyncio.sleep(5)
        log.info("telegram webhook set at %s%s", self.public_url, WEBHOOK_PATH)

    async def stop(self) -> None:
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._polling
        with contextlib.suppress(Exception):
            await self.bot.shutdown()

    # -- ways in --------------------------------------------------------------------------

    def record(self, update: dict[str, Any]) -> bool:
        """Commit one raw update to the inbox; False if it was already there."""
        assert self._service is not None
        bot_id = self.token.split(":", 1)[0]
        key = f"{bot_id}:{update['update_id']}"
        return self._service.inbox.put(SOURCE, key, json.dumps(update, ensure_ascii=False))

    async def _poll(self, service: Service) -> None:
        """getUpdates, record every update, and only then ask for the next offset."""
        offset: int | None = None
        while not service.stop_event.is_set():
            try:
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=self.poll_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                    read_timeout=self.poll_timeout + 15,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("getUpdates failed (%s); trying again", exc)
                await asyncio.sleep(2)
                continue
            for update in updates:
                # The update as Telegram sent it (fields this library does not know included).
                self.record(update.to_dict())
                offset = max(offset or 0, update.update_id + 1)

    async def _webhook(self, request: Request) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return Response("forbidden", status_code=403)
        body = await request.body()
        if len(body) > MAX_UPDATE_BYTES:
            return Response("too large", status_code=413)
        try:
            update = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return Response("not JSON", status_code=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return Response("not an update", status_code=400)
        await asyncio.to_thread(self.record, update)
        return JSONResponse({"ok": True})

    # -- menus ----------------------------------------------------------------------------

    async def _publish_commands(self) -> None:
        """Telegram's command menu in each language, organisers' commands for admins."""
        for locale in ("fr", "en"):
            members_list = [BotCommand(n, d) for n, d in MEMBER_COMMANDS[locale]]
            admins_list = members_list + [BotCommand(n, d) for n, d in ORGANISER_COMMANDS[locale]]
            language = None if locale == "fr" else locale
            try:
                await self.bot.set_my_commands(
                    members_list, scope=BotCommandScopeAllGroupChats(), language_code=language
                )
                await self.bot.set_my_commands(
                    admins_list,
                    scope=BotCommandScopeAllChatAdministrators(),
                    language_code=language,
                )
            except Exception as exc:
                log.warning("could not publish the command menu (%s)", exc)


def build_transport(app: App) -> TelegramTransport | None:
    """The Telegram transport when TELEGRAM_BOT_TOKEN is set."""
    if not app.settings.telegram_bot_token:
        return None
    return TelegramTransport(app)
