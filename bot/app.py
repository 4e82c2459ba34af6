"""Wiring: one function builds the whole application from settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.announce import Announcers
from bot.outbound import OutcomeRouter
from bot.settings import Settings
from orders.catalog import ImportResult, bind_chat, import_catalog, load_catalog
from orders.core import OrderBot
from orders.db import create_schema, make_engine
from schedules.clock import Clock, SystemClock


@dataclass
class App:
    """Everything a transport needs: settings, ledger, core, outbox router and announcers."""

    settings: Settings
    engine: Engine
    bot: OrderBot
    clock: Clock
    router: OutcomeRouter
    announcers: Announcers = field(default_factory=Announcers)

    def import_catalog(
        self, path: Path, *, bind: tuple[str, str] | None = None, slug: str | None = None
    ) -> ImportResult:
        """Load a catalogue file into a club and optionally bind a chat to it."""
        spec = load_catalog(path)
        with Session(self.engine) as session:
            result = import_catalog(session, spec, slug=slug, now=self.clock.now())
            if bind is not None:
                was = bind_chat(session, result.club_id, *bind)
                result = replace(result, chat_was=was)
        return result

    def close(self) -> None:
        self.bot.close()
        self.engine.dispose()


def build_app(settings: Settings, *, clock: Clock | None = None) -> App:
    """Create the engine, the schema and the core from settings."""
    engine = make_engine(settings.database_url)
    create_schema(engine)
    router = OutcomeRouter()
    bot = OrderBot(
        engine,
        max_chars=settings.max_message_chars,
        default_locale=settings.default_locale,
        on_outcome=router,
    )
    return App(settings, engine, bot, clock or SystemClock(), router)


def configure_logging(level: str) -> None:
    """Log one readable line per event to standard error."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
