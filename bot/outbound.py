"""From the core's replies to outbox rows, per platform, inside the message's transaction."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection

from orders import outbox
from orders.messages import InboundMessage, Outcome, Reply

# A policy decides what one platform sends for an outcome: a reply per Reply, a reaction
# instead of a confirmation, a private message... It only writes outbox rows.
Policy = Callable[[Connection, InboundMessage, Outcome], None]

# Replies that tell a member something they must act on go before plain confirmations.
_URGENT = {"question", "closed", "info", "refused", "unknown", "error", "unbound"}


def priority_of(reply: Reply) -> int:
    """Questions and refusals first; confirmations after."""
    return outbox.PRIORITY_REPLY if reply.kind in _URGENT else outbox.PRIORITY_NORMAL


def one_row_per_reply(platform: str) -> Policy:
    """The plain policy: every reply becomes one message in the chat it answers."""

    def policy(conn: Connection, message: InboundMessage, outcome: Outcome) -> None:
        for reply in outcome.replies:
            outbox.enqueue(
                conn,
                platform=platform,
                chat_id=reply.chat_id,
                text=reply.text,
                kind=reply.kind,
                reply_to=reply.reply_to,
                priority=priority_of(reply),
                now=message.sent_at,
            )

    return policy


class OutcomeRouter:
    """The core's ``on_outcome`` hook: hands each outcome to its platform's policy.

    Platforms with no policy (the console, a replay) queue nothing: their callers
    print ``Outcome.replies`` themselves.
    """

    def __init__(self) -> None:
        self._policies: dict[str, Policy] = {}

    def register(self, platform: str, policy: Policy | None = None) -> None:
        """Queue this platform's replies with ``policy`` (default: one row per reply)."""
        self._policies[platform] = policy or one_row_per_reply(platform)

    def __contains__(self, platform: str) -> bool:
        return platform in self._policies

    def __call__(self, conn: Connection, message: InboundMessage, outcome: Outcome) -> None:
        policy = self._policies.get(message.platform)
        if policy is not None:
            policy(conn, message, outcome)
