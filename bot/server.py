"""`orderbot serve`: one asyncio process with the web server, the workers and the transports.

A transport (Telegram, Twilio) brings routes for its webhooks, senders for the
outbox, handlers for its inbox rows, and whatever loops it runs (long polling).
Everything it receives goes into the inbox before the platform is answered;
everything the bot says leaves through the outbox. On SIGTERM or Ctrl-C the
service stops taking input, lets the row in hand finish, and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.delivery import InboxHandler, InboxWorker, OutboxWorker, Sender
from orders import inbox

log = logging.getLogger("orderbot.serve")

Background = Callable[[asyncio.Event], Awaitable[None]]


class Transport(Protocol):
    """A chat platform plugged into the service."""

    name: str

    def routes(self) -> list[BaseRoute]: ...

    def senders(self) -> list[Sender]: ...

    def inbox_handlers(self) -> dict[str, InboxHandler]: ...

    async def start(self, service: Service) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Service:
    """The running bot: the app, its workers, its transports and background tasks."""

    app: App
    transports: Sequence[Transport] = ()
    host: str = "127.0.0.1"
    port: int = 8080
    idle: float = 1.0
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    _background: list[tuple[str, Background]] = field(default_factory=list)

    def __post_init__(self) -> None:
        handlers: dict[str, InboxHandler] = {}
        senders: list[Sender] = []
        for transport in self.transports:
            handlers.update(transport.inbox_handlers())
            senders.extend(transport.senders())
        clock = self.app.clock
        self.outbox = OutboxWorker(self.app.engine, senders, clock, idle=self.idle)
        self.inbox = InboxWorker(
            self.app.engine, handlers, clock, idle=self.idle, after_each=self.outbox.wake
        )

    def background(self, name: str, task: Background) -> None:
        """Run ``task(stop_event)`` for as long as the service runs (e.g. the scheduler)."""
        self._background.append((name, task))

    def web(self) -> Starlette:
        """The ASGI app: every transport's webhooks and ``GET /healthz``."""
        routes: list[BaseRoute] = [Route("/healthz", self._healthz, methods=["GET"])]
        for transport in self.transports:
            routes.extend(transport.routes())
        return Starlette(routes=routes)

    async def _healthz(self, _request: Request) -> JSONResponse:
        with self.app.engine.connect() as conn:
            counts = inbox.counts(conn)
        return JSONResponse(
            {
                "status": "ok",
                "transports": [t.name for t in self.transports],
                "inbox_pending": counts.get(inbox.PENDING, 0),
            }
        )

    async def run(self, *, install_signals: bool = True) -> None:
        """Serve until SIGTERM/SIGINT (or ``stop_event``), then stop in order."""
        import uvicorn

        loop = asyncio.get_running_loop()
        if install_signals:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self.stop_event.set)
        config = uvicorn.Config(
            self.web(), host=self.host, port=self.port, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        tasks = [
            asyncio.create_task(self.inbox.run(self.stop_event), name="inbox"),
            asyncio.create_task(self.outbox.run(self.stop_event), name="outbox"),
            asyncio.create_task(server.serve(), name="web"),
        ]
        tasks += [
            asyncio.create_task(task(self.stop_event), name=name)
            for name, task in self._background
        ]
        for transport in self.transports:
            await transport.start(self)
        log.info(
            "serving on http://%s:%d with %s",
            self.host,
            self.port,
            ", ".join(t.name for t in self.transports) or "no chat platform",
        )
        try:
            await self.stop_event.wait()
        finally:
            log.info("stopping")
            for transport in self.transports:
                with contextlib.suppress(Exception):
                    await transport.stop()
            server.should_exit = True
            await asyncio.gather(*tasks, return_exceptions=True)
            self.app.close()
