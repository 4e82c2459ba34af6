"""The one pipeline: an :class:`InboundMessage` in, ledger changes and replies out.

Every transport (Telegram, WhatsApp, a replayed thread, a chat export, the
console, the tests) calls :meth:`OrderBot.handle` and nothing else.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from orders import ledger, offer_answers, offers, thread_context
from orders.catalog_view import CatalogView, load_view
from orders.commands import run_command
from orders.db import take_write_lock_at_begin
from orders.messages import InboundMessage, Outcome, Reply
from orders.parsing import ParseContext, ParseResult, mentions, parse
from orders.parsing.draft import fmt
from orders.parsing.reasons import NO_PRODUCT
from orders.planning import apply_actions
from orders.replies import Renderer, plain
from orders.turn import Turn
from orders.weekly_commands import supplier_confirmation

log = logging.getLogger("orderbot")
# Called inside a message's own transaction with what handling it produced (never for a
# duplicate): how a transport turns replies into outbox rows atomically with the ledger change.
OutcomeHook = Callable[[Connection, InboundMessage, Outcome], None]
# Control characters and lone surrogates (which no database can store) become spaces.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class OrderBot:
    """The core of the bot: holds the ledger and turns messages into outcomes."""

    def __init__(
        self,
        engine: Engine,
        *,
        renderer: Renderer | None = None,
        max_chars: int = 10_000,
        default_locale: str = "fr",
        on_outcome: OutcomeHook | None = None,
    ) -> None:
        self.engine = engine
        self.on_outcome = on_outcome
        self.renderer = renderer or Renderer()
        self.max_chars = max_chars
        self.default_locale = default_locale
        self._views: dict[int, CatalogView] = {}
        self._conn: Connection | None = None
        # One connection per bot: a bot shared by threads handles one message at a time.
        self._lock = threading.RLock()
        # (platform, chat, author) -> (club id, member id, display name); members are never
        # deleted, so a cached id stays valid; the club id is checked on every message.
        self._members: dict[tuple[str, str, str], tuple[int, int, str]] = {}

    def handle(self, message: InboundMessage) -> Outcome:
        """Handle one message exactly once and return what to post back."""
        with self._lock:
            return self._handle_one(_fitted(message))

    def _handle_one(self, message: InboundMessage) -> Outcome:
        try:
            outcome = self._attempt(message)
        except Exception:
            # Nothing was committed, so a redelivery of the message can still count.
            self._members.clear()
            self.close()
            log.exception("failed platform=%s msg=%s", message.platform, message.message_id)
            outcome = Outcome(kind="error")
        _log(message, outcome)
        return outcome

    def handle_batch(self, messages: Sequence[InboundMessage]) -> list[Outcome]:
        """Handle messages that arrived together in one transaction (group commit).

        For transports that receive messages in bursts (a polling batch, a chat
        export, a replay): the same core path for each message, one commit for
        all. If any message fails (a duplicate delivery included), nothing of the
        batch is kept and every message is handled again on its own.
        """
        messages = [_fitted(m) for m in messages]
        with self._lock:
            if len(messages) < 2:
                return [self._handle_one(m) for m in messages]
            try:
                conn = self._connection()
                with conn.begin():
                    self._lock_known_members(conn, messages)
                    outcomes = [self._handle_hooked(conn, m) for m in messages]
            except Exception as exc:
                log.warning(
                    "batch of %d handled one by one after %s", len(messages), type(exc).__name__
                )
                self._members.clear()
                return [self._handle_one(m) for m in messages]
        for message, outcome in zip(messages, outcomes, strict=True):
            _log(message, outcome)
        return outcomes

    def _lock_known_members(self, conn: Connection, messages: Sequence[InboundMessage]) -> None:
        """Lock a batch's known clubs and members up front, in one order, so batches of
        two workers wait for each other instead of deadlocking (PostgreSQL)."""
        known = [self._members.get((m.platform, m.chat_id, m.author_id)) for m in messages]
        for club_id in sorted({k[0] for k in known if k}):
            ledger.lock_club_shared(conn, club_id)
        for member_id in sorted({k[1] for k in known if k}):
            ledger.lock_member(conn, member_id)

    def _attempt(self, message: InboundMessage) -> Outcome:
        """One transaction; the record's unique key is what makes a second delivery a no-op."""
        for _ in range(2):
            conn = self._connection()
            try:
                with conn.begin():
                    return self._handle_hooked(conn, message)
            except IntegrityError:
                self._members.clear()
                known = ledger.find_record(
                    conn, message.platform, message.chat_id, message.message_id
                )
                conn.rollback()
                if known is not None:
                    return Outcome(duplicate=True, kind="duplicate")
                # Lost a race on something else (a new member, a new order): try once more.
        raise RuntimeError("the ledger refused the message twice")

    def _connection(self) -> Connection:
        """This bot's own connection; its transactions begin with the write lock."""
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self.engine.connect()
            take_write_lock_at_begin(self._conn)
        return self._conn

    def close(self) -> None:
        """Give the connection back to the engine's pool."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def view(self, conn: Connection, club: ledger.ClubRow) -> CatalogView:
        """Return the club's catalogue, reloaded only when it changed."""
        cached = self._views.get(club.id)
        if cached is None or cached.version != club.catalog_version:
            cached = load_view(conn, club.id, club.catalog_version)
            self._views[club.id] = cached
        return cached

    def _handle_hooked(self, conn: Connection, message: InboundMessage) -> Outcome:
        outcome = self._handle(conn, message)
        if self.on_outcome is not None:
            self.on_outcome(conn, message, outcome)
        return outcome

    def _handle(self, conn: Connection, message: InboundMessage) -> Outcome:
        cleaned = _CONTROL.sub(" ", message.text or "")
        text = cleaned[: self.max_chars]
        name = plain(message.author_name, 80) or plain(message.author_id, 80)
        cached = self._members.get((message.platform, message.chat_id, message.author_id))
        if cached is not None:
            ledger.lock_club_shared(conn, cached[0])
            ledger.lock_member(conn, cached[1])
        club = ledger.club_for_chat(
            conn, message.platform, message.chat_id, cached[1] if cached else None
        )
        if club is None:
            return self._unbound(message, text)
        if cached is not None and cached[0] == club.id and cached[2] == name:
            member_id, previous = cached[1], _previous(club)
        else:
            club, member_id, name, previous = self._new_to_cache(conn, club, message, name)
        original = (
            ledger.find_record(conn, message.platform, message.chat_id, message.edit_of)
            if message.edit_of
            else None
        )
        view = self.view(conn, club)
        role = view.role(message.platform, message.author_id)
        turn = Turn(self, conn, club, view, member_id, name, role, message, original, text)
        turn.previous = previous
        too_long = len(cleaned) > self.max_chars
        outcome = self._too_long(turn) if too_long else self._route(turn)
        outcome.club, outcome.member_id = club.slug, member_id
        return outcome

    def _new_to_cache(
        self, conn: Connection, club: ledger.ClubRow, message: InboundMessage, name: str
    ) -> tuple[ledger.ClubRow, int, str, tuple[str, str] | None]:
        """Find or create the author, lock them, and read their context the slow way."""
        member_id, name, created = ledger.member_for(
            conn, club.id, message.platform, message.author_id, name, message.sent_at
        )
        self._members[(message.platform, message.chat_id, message.author_id)] = (
            club.id,
            member_id,
            name,
        )
        if ledger.lock_club_shared(conn, club.id) and ledger.lock_member(conn, member_id):
            # Read the week again now that /fermer and the member's other messages wait.
            club = ledger.club_for_chat(conn, message.platform, message.chat_id) or club
        previous = None if created else ledger.previous_record(conn, member_id, club.window_id)
        return replace(club, lines=None), member_id, name, previous

    def _route(self, turn: Turn) -> Outcome:
        """A command, an edit of a command (which changes nothing), or a message to read."""
        if turn.original is not None and turn.original.kind == "command":
            turn.store("chatter")  # a command runs once; editing it changes nothing
            return Outcome(kind="chatter")
        if turn.role == "supplier" and turn.message.edit_of is None:
            confirmed = supplier_confirmation(turn)
            if confirmed is not None:
                return confirmed
        if turn.message.edit_of is None and turn.text.lstrip().startswith("/"):
            turn.store("command")
            return run_command(turn, turn.text.strip())
        return self._order_message(turn)

    def _too_long(self, turn: Turn) -> Outcome:
        """Say that a message over the limit was not read; record it, change nothing."""
        turn.store("too_long")
        limit = f"{self.max_chars:,}".replace(",", " " if turn.locale == "fr" else ",")
        return Outcome([turn.reply("too_long", "error", limit=limit)], kind="too_long")

    def _unbound(self, message: InboundMessage, text: str) -> Outcome:
        if not text.lstrip().startswith("/"):
            return Outcome(kind="unbound")
        reply = self.renderer.render(self.default_locale, "unbound")
        return Outcome(
            [Reply(message.chat_id, reply, message.message_id, "unbound")], kind="unbound"
        )

    def _order_message(self, turn: Turn) -> Outcome:
        window_id = turn.window_id
        if turn.original is not None and turn.original.window_id is None:
            turn.original = None  # sent while orders were closed: its edit is a new message
        if turn.original is not None and turn.original.window_id != window_id:
            # An edit of a message from a week that is over cannot change this week.
            turn.store("closed")
            return Outcome([turn.reply("edit_closed", "closed")], kind="closed")
        lines: dict[int, Decimal] = {}
        order_id = None
        if turn.club.lines is not None and window_id == turn.club.window_id:
            order_id, lines = turn.club.order_id, turn.club.lines
        elif window_id is not None:
            order_id, lines = ledger.order_lines(turn.conn, window_id, turn.member_id)
        previous = turn.previous
        pending = None
        if previous is not None and previous[0] == "asked" and window_id is not None:
            pending = ledger.open_question(turn.conn, window_id, turn.member_id)
        ctx = _context(turn, previous, lines, pending)
        result = parse(turn.text, turn.view.index, ctx)
        if result.reason == NO_PRODUCT and window_id is not None and not ctx.reply_products:
            result = _after_offer_to_all(turn, window_id, ctx, result)
        mentioned = None if result.mentioned is None else ",".join(result.mentioned)
        if window_id is not None and turn.original is None:
            if result.kind == "announcement":
                turn.store(result.kind, mentioned)
                replies, changes = offers.read_announcement(turn, window_id)
                return Outcome(replies, changes, kind=result.kind, reason=result.reason)
            _answer_offer(turn, window_id, result)
        if not result.actions and turn.original is None:
            turn.store(result.kind, mentioned)
            return Outcome(kind=result.kind, reason=result.reason)
        if window_id is None:
            window_id = turn.ensure_window()  # a new club's first order opens its first week
        if window_id is None:
            turn.store("closed", mentioned)
            return Outcome([turn.reply("closed", "closed")], kind="closed")
        return apply_actions(
            turn,
            window_id,
            order_id,
            lines,
            result.actions,
            pending,
            kind=result.kind,
            mentioned=mentioned,
        )


def _after_offer_to_all(
    turn: Turn, window_id: int, ctx: ParseContext, result: ParseResult
) -> ParseResult:
    """ "I'll take a case then!" with no product and no reply link, right after the supplier
    offered what is left to everyone: read it as a reply to that offer. Only a member's
    message with an amount, or one that takes something, costs the ledger this look."""
    words = result.words
    if turn.role != "member" or not (
        any(w[:1].isdigit() for w in words) or not _TAKING.isdisjoint(words)
    ):
        return result
    offered = thread_context.offer_to_all(turn.conn, turn.message, window_id)
    products = mentions(offered, turn.view.index) if offered else ()
    if not products:
        return result
    again = parse(turn.text, turn.view.index, replace(ctx, reply_products=products))
    return again if again.actions else result


_TAKING = frozenset({"take", "prends", "prendre"})  # "I'll take the BBQ box!"


def _answer_offer(turn: Turn, window_id: int, result: ParseResult) -> None:
    """ "Le grand 👍", "yes please, 2 cases": a short message read against the offers made
    to its author; only such messages cost the ledger a look."""
    words = result.words
    if not offer_answers.may_answer(words, result.actions, bool(result.mentioned)):
        return
    found = offer_answers.open_offers(turn, window_id)
    if not found:
        return
    actions = offer_answers.read_answer(turn, found, result.actions)
    if actions:
        result.actions, result.kind, result.reason = list(actions), "order", ""


_LIMITS = {"chat_id": 128, "message_id": 160, "author_id": 128, "edit_of": 160, "reply_to": 160}


def _fitted(message: InboundMessage) -> InboundMessage:
    """Platform ids longer than the ledger's columns, shortened the same way every time."""
    if len(message.chat_id) + len(message.message_id) + len(message.author_id) <= 128 and not (
        message.edit_of or message.reply_to
    ):
        return message  # every id shorter than the shortest column: the usual case
    long = {
        field: value
        for field, limit in _LIMITS.items()
        if (value := getattr(message, field)) is not None and len(value) > limit
    }
    if not long:
        return message
    short = {
        field: value[: _LIMITS[field] - 17] + "#" + hashlib.sha256(value.encode()).hexdigest()[:16]
        for field, value in long.items()
    }
    return replace(message, **short)


def _previous(club: ledger.ClubRow) -> tuple[str, str] | None:
    if club.previous_kind is None:
        return None
    return club.previous_kind, club.previous_mentioned or ""


def _context(
    turn: Turn, previous: tuple[str, str] | None, lines: dict[int, Decimal], pending: object
) -> ParseContext:
    reply_products: tuple[str, ...] = ()
    reply_to_member = False
    replied = turn.replied() if turn.message.reply_to else None
    if replied is not None:
        if replied.mentioned is None:
            reply_products = mentions(replied.text, turn.view.index)
        else:
            reply_products = tuple(c for c in replied.mentioned.split(",") if c)
        reply_to_member = replied.member_id != turn.member_id and replied.role == "member"
    recent: tuple[str, ...] = ()
    if previous is not None and previous[0] == "question":
        recent = tuple(c for c in previous[1].split(",") if c)
    codes = turn.view.codes
    order = tuple((codes[p], q) for p, q in lines.items())
    awaiting = getattr(pending, "kind", None)
    return ParseContext(
        role=turn.role,
        reply_to_member=reply_to_member,
        reply_products=reply_products,
        recent_products=recent,
        order=order,
        awaiting=awaiting,
    )


def _log(message: InboundMessage, outcome: Outcome) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    changed = " ".join(f"{c.product_code}:{fmt(c.before)}->{fmt(c.after)}" for c in outcome.changes)
    log.info(
        "handled club=%s member=%s platform=%s msg=%s kind=%s replies=%d changes=[%s]",
        outcome.club or "-",
        outcome.member_id or "-",
        message.platform,
        message.message_id,
        outcome.kind,
        len(outcome.replies),
        changed,
    )
