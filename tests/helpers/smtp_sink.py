"""A real SMTP server on 127.0.0.1 (aiosmtpd) on an ephemeral port, keeping what it receives."""

from __future__ import annotations

import email
from email.message import Message
from email.policy import default

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class _EphemeralController(Controller):
    def _trigger_server(self) -> None:
        # Listening on port 0: learn the port the system chose before connecting to it.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpSink:
    """``with SmtpSink() as sink:`` → ``sink.port``, ``sink.messages`` after delivery."""

    def __init__(self) -> None:
        self._handler = _Keep()
        self._controller = _EphemeralController(self._handler, hostname="127.0.0.1", port=0)

    @property
    def port(self) -> int:
        return int(self._controller.port)

    @property
    def messages(self) -> list[Message]:
        return self._handler.messages

    @property
    def envelopes(self) -> list[tuple[str, list[str]]]:
        return self._handler.envelopes

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._controller.stop()
