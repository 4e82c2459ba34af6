"""The one pipeline: an :class:`InboundMessage` in, ledger changes and replies out.

Every transport (Telegram, WhatsApp, a replayed thread, a chat export, the
console, the tests) calls :meth:`OrderBot.handle` and nothing else.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from orders import ledger
from orders.catalog_view import CatalogView, load_view
from orders.commands import run_command
from orders.messages import InboundMessage, LineChange, Outcome, Reply
from orders.models import Clarification, Club, InboundRecord, Member, OrderWindow
from orders.parsing import (
    Answer,
    Ask,
    ClearAll,
    CopyOrder,
    Item,
    NotInCatalog,
    ParseContext,
    Removal,
    parse,
)
from orders.replies import Renderer, plain
from orders.turn import Turn, order_reply

log = logging.getLogger("orderbot")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class OrderBot:
    """The core of the bot: holds the ledger and turns messages into outcomes."""

    def __init__(self, engine: Engine, *, renderer: Renderer | None = None,
                 max_chars: int = 4000, default_locale: str = "fr") -> None:
        self.engine = engine
        self.renderer = renderer or Renderer()
        self.max_chars = max_chars
        self.default_locale = default_locale
        self._views: dict[int, CatalogView] = {}

    def handle(self, message: InboundMessage) -> Outcome:
        """Handle one message exactly once and return what to post back."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                outcome = self._handle(session, message)
                session.commit()
        except IntegrityError:
            # Another worker stored the same platform message first: it counts once.
            outcome = Outcome(duplicate=True, kind="duplicate")
        _log(message, outcome)
        return outcome

    def view(self, session: Session, club: Club) -> CatalogView:
        """Return the club's catalogue, reloaded only when an import changed it."""
        assert club.id is not None
        cached = self._views.get(club.id)
        if cached is None or cached.version != club.catalog_version:
            cached = load_view(session, club)
            self._views[club.id] = cached
        return cached

    def _handle(self, session: Session, message: InboundMessage) -> Outcome:
        club = ledger.club_for_chat(session, message.platform, message.chat_id)
        text = _CONTROL.sub(" ", message.text or "")[: self.max_chars]
        if club is None:
            return self._unbound(message, text)
        if ledger.find_record(session, message.platform, message.chat_id, message.message_id):
            return Outcome(duplicate=True, kind="duplicate")
        assert club.id is not None
        role = ledger.role_of(session, club.id, message.platform, message.author_id)
        member = ledger.member_for(session, club.id, message.platform, message.author_id,
                                   plain(message.author_name, 80) or message.author_id,
                                   message.sent_at)
        original = ledger.find_record(session, message.platform, message.chat_id,
                                      message.edit_of) if message.edit_of else None
        record = _store(session, club, member, role, message, text, original)
        turn = Turn(self, session, club, member, role, record, message, original)
        if text.lstrip().startswith("/"):
            outcome = run_command(turn, text.strip())
        elif original is not None and original.kind == "command":
            outcome = Outcome(kind="chatter")
        else:
            outcome = self._order_message(turn, text)
        record.kind = outcome.kind
        session.add(record)
        return outcome

    def _unbound(self, message: InboundMessage, text: str) -> Outcome:
        if not text.lstrip().startswith("/"):
            return Outcome(kind="unbound")
        reply = self.renderer.render(self.default_locale, "unbound")
        return Outcome([Reply(message.chat_id, reply, message.message_id, "unbound")],
                       kind="unbound")

    def _order_message(self, turn: Turn, text: str) -> Outcome:
        window = turn.window()
        ctx = _context(turn, window)
        result = parse(text, turn.view.index, ctx)
        turn.record.mentioned = ",".join(result.mentioned)[:2000]
        actionable = [a for a in result.actions if not isinstance(a, NotInCatalog)]
        if not result.actions and turn.original is None:
            return Outcome(kind=result.kind)
        if window is None:
            if not actionable:
                return Outcome(kind=result.kind)
            return Outcome([turn.reply("closed", "closed")], kind="closed")
        return _apply(turn, window, result.actions, result.kind)


@dataclass(slots=True)
class _Plan:
    ops: list[ledger.Op]
    replies: list[Reply]
    answered: set[int]


def _apply(turn: Turn, window: OrderWindow, actions: list, kind: str) -> Outcome:
    assert window.id is not None and turn.member.id is not None
    plan = _Plan([], [], set())
    pending = _open_clarification(turn.session, window.id, turn.member.id)
    for action in actions:
        _plan_action(turn, window, action, pending, plan)
    _expire(turn, pending, plan)
    changes: list[LineChange] = []
    has_order = ledger.find_order(turn.session, window.id, turn.member.id)
    if plan.ops or (turn.original is not None and has_order is not None):
        order = has_order or ledger.order_for(turn.session, window.id, turn.member.id,
                                              turn.message.sent_at)
        ledger.record_ops(turn.session, order, turn.record, plan.ops)
        changes = ledger.refold(turn.session, order, record_id=turn.record.id,
                                actor_id=turn.member.id, now=turn.message.sent_at)
        if plan.ops or changes:
            plan.replies.insert(0, order_reply(turn, order))
    return Outcome(plan.replies, changes, kind=kind)


def _plan_action(turn: Turn, window: OrderWindow, action: object,
                 pending: Clarification | None, plan: _Plan) -> None:
    view = turn.view
    if isinstance(action, Item):
        plan.ops.append(ledger.Op(action.mode, view.ids[action.product], action.quantity))
        if pending is not None and pending.product_id == view.ids[action.product]:
            plan.answered.add(pending.id or 0)
    elif isinstance(action, Removal):
        plan.ops.append(ledger.Op("remove", view.ids[action.product]))
    elif isinstance(action, ClearAll):
        plan.ops.append(ledger.Op("clear"))
    elif isinstance(action, Ask):
        _ask(turn, window, action, plan)
    elif isinstance(action, NotInCatalog):
        words = plain(action.word, 30)
        plan.replies.append(turn.reply("not_in_catalog", "not_in_catalog", words=words))
    elif isinstance(action, CopyOrder):
        _copy(turn, window, action, plan)
    elif isinstance(action, Answer) and pending is not None:
        _answer(turn, action, pending, plan)


def _ask(turn: Turn, window: OrderWindow, action: Ask, plan: _Plan) -> None:
    assert window.id is not None and turn.member.id is not None and turn.record.id is not None
    view = turn.view
    info = view.index.products[action.product]
    turn.session.add(Clarification(
        window_id=window.id, member_id=turn.member.id, record_id=turn.record.id,
        kind=action.kind, product_id=view.ids[action.product], quantity=action.quantity,
        mode=action.mode, created_at=turn.message.sent_at))
    plan.replies.append(turn.question(action, info))


def _copy(turn: Turn, window: OrderWindow, action: CopyOrder, plan: _Plan) -> None:
    source = turn.copy_source(window, action)
    if source is None:
        what = "last_week" if action.last_week else "someone"
        plan.replies.append(turn.reply("copy_missing", "copy_missing",
                                       what=turn.copy_missing_phrase(what, action.name)))
        return
    plan.ops.append(ledger.Op("clear"))
    for product_id, quantity in sorted(source.items()):
        plan.ops.append(ledger.Op("set", product_id, quantity))


def _answer(turn: Turn, action: Answer, pending: Clarification, plan: _Plan) -> None:
    plan.answered.add(pending.id or 0)
    if pending.product_id is None:
        return
    if pending.kind == "confirm":
        if action.yes and pending.quantity is not None:
            plan.ops.append(ledger.Op(pending.mode, pending.product_id, Decimal(pending.quantity)))
        elif action.yes is False:
            plan.replies.append(turn.dropped(pending))
        return
    if action.quantity is not None and action.quantity > 0:
        plan.ops.append(ledger.Op(pending.mode, pending.product_id, action.quantity))


def _open_clarification(session: Session, window_id: int, member_id: int) -> Clarification | None:
    return session.exec(select(Clarification).where(
        Clarification.window_id == window_id, Clarification.member_id == member_id,
        Clarification.status == "open").order_by(col(Clarification.id).desc())).first()


def _expire(turn: Turn, pending: Clarification | None, plan: _Plan) -> None:
    """A question is answered by the member's next message, or not at all."""
    if pending is None:
        return
    pending.status = "answered" if (pending.id or 0) in plan.answered else "expired"
    turn.session.add(pending)


def _context(turn: Turn, window: OrderWindow | None) -> ParseContext:
    session, message, member = turn.session, turn.message, turn.member
    reply_products: tuple[str, ...] = ()
    reply_to_member = False
    if message.reply_to:
        replied = ledger.find_record(session, message.platform, message.chat_id,
                                     message.reply_to)
        if replied is not None:
            reply_products = tuple(c for c in replied.mentioned.split(",") if c)
            reply_to_member = replied.member_id != member.id and replied.role == "member"
    previous = session.exec(select(InboundRecord.kind, InboundRecord.mentioned).where(
        InboundRecord.club_id == turn.club.id, InboundRecord.member_id == member.id,
        col(InboundRecord.id) < turn.record.id).order_by(col(InboundRecord.id).desc())).first()
    recent = tuple(c for c in previous[1].split(",") if c) if previous and \
        previous[0] == "question" else ()
    order: tuple[tuple[str, Decimal], ...] = ()
    awaiting = None
    if window is not None and window.id is not None and member.id is not None:
        found = ledger.find_order(session, window.id, member.id)
        if found is not None and found.id is not None:
            codes = turn.view.codes
            order = tuple((codes[p], q) for p, q in ledger.lines_of(session, found.id).items())
        pending = _open_clarification(session, window.id, member.id)
        awaiting = pending.kind if pending is not None else None
    return ParseContext(role=turn.role, reply_to_member=reply_to_member,
                        reply_products=reply_products, recent_products=recent, order=order,
                        awaiting=awaiting)


def _store(session: Session, club: Club, member: Member, role: str, message: InboundMessage,
           text: str, original: InboundRecord | None) -> InboundRecord:
    assert club.id is not None
    record = InboundRecord(
        club_id=club.id, platform=message.platform, chat_id=message.chat_id,
        message_id=message.message_id, member_id=member.id,
        origin_id=original.origin_id if original is not None else None,
        edit_of=message.edit_of, reply_to=message.reply_to, sent_at=message.sent_at,
        text=text, role=role)
    session.add(record)
    session.flush()
    if record.origin_id is None:
        record.origin_id = record.id
    return record


def _log(message: InboundMessage, outcome: Outcome) -> None:
    changed = " ".join(f"{c.product_code}:{_n(c.before)}->{_n(c.after)}"
                       for c in outcome.changes)
    log.info("handled platform=%s chat=%s msg=%s kind=%s replies=%d changes=[%s]",
             message.platform, message.chat_id, message.message_id, outcome.kind,
             len(outcome.replies), changed)


def _n(value: Decimal) -> str:
    return format(value.normalize(), "f")
