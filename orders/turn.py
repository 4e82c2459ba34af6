"""One message being handled: who wrote it, where, and how to answer them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from orders import ledger
from orders.catalog_view import CatalogView
from orders.messages import InboundMessage, Reply
from orders.parsing import Ask, ProductInfo
from orders.parsing.text import fold
from orders.replies import join_lines, money, number, plain, quantity, unit_phrase
from orders.thread_context import nearest_order_author

if TYPE_CHECKING:
    from orders.core import OrderBot


@dataclass
class Turn:
    """The handling of one inbound message, with what the reply helpers need."""

    bot: OrderBot
    conn: Connection
    club: ledger.ClubRow
    view: CatalogView
    member_id: int
    member_name: str
    role: str
    message: InboundMessage
    original: ledger.RecordRow | None
    text: str
    record_id: int | None = None
    window_id: int | None = field(default=None)
    previous: tuple[str, str] | None = None
    _replied: ledger.RecordRow | None = field(default=None, init=False, repr=False)
    _replied_read: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        self.window_id = self.club.window_id

    def replied(self) -> ledger.RecordRow | None:
        """The recorded message this one replies to (read once: the parser's context, an
        offer's addressee and "pareil" in reply all ask)."""
        if not self._replied_read:
            m = self.message
            if m.reply_to:
                self._replied = ledger.find_record(self.conn, m.platform, m.chat_id, m.reply_to)
            self._replied_read = True
        return self._replied

    @property
    def locale(self) -> str:
        return self.club.locale

    @property
    def name(self) -> str:
        return plain(self.member_name.split(" ")[0] or self.member_name, 40)

    def store(
        self, kind: str, mentioned: str | None = "", ops: Sequence[ledger.Op] | None = None
    ) -> int:
        """Record the message as handled, with what it asked; a duplicate fails here."""
        m = self.message
        self.record_id = ledger.insert_record(
            self.conn,
            club_id=self.club.id,
            platform=m.platform,
            chat_id=m.chat_id,
            message_id=m.message_id,
            member_id=self.member_id,
            origin_id=self.original.origin_id if self.original is not None else None,
            edit_of=m.edit_of,
            reply_to=m.reply_to,
            sent_at=m.sent_at,
            text=self.text,
            role=self.role,
            kind=kind,
            mentioned=None if mentioned is None else mentioned[:2000],
            window_id=self.window_id,
            ops=None if ops is None else ledger.ops_json(ops),
        )
        return self.record_id

    def ensure_window(self) -> int | None:
        """The open window; a club's very first order opens one by itself."""
        if self.window_id is None:
            ledger.lock_club(self.conn, self.club.id)
            latest = ledger.latest_window(self.conn, self.club.id)
            if latest is None:
                self.window_id = ledger.start_window(self.conn, self.club.id, self.message.sent_at)
            elif latest[1] == "open":
                self.window_id = latest[0]  # another worker opened it meanwhile
        return self.window_id

    def reply(self, template: str, kind: str, **values: Any) -> Reply:
        """A reply to this message, addressed by first name."""
        text = self.bot.renderer.render(self.locale, template, name=self.name, **values)
        return Reply(self.message.chat_id, text, self.message.message_id, kind)

    def line(self, product_id: int, value: Decimal) -> str:
        return self.view.line(product_id, value, self.locale)

    def order_text(self, lines: dict[int, Decimal]) -> tuple[str, str]:
        """An order's lines in catalogue order, and its total price, as replies show them."""
        ordered = sorted(lines.items(), key=lambda item: self.view.position(item[0]))
        total = sum((q * self.view.price(p) for p, q in ordered), Decimal(0))
        return (
            join_lines(self.line(p, q) for p, q in ordered),
            money(total, self.club.currency, self.locale),
        )

    def order_reply(self, lines: dict[int, Decimal]) -> Reply:
        """Confirm a member's whole order after a change, with its total price."""
        if not lines:
            return self.reply("cancelled", "confirmation")
        text, total = self.order_text(lines)
        return self.reply("confirm", "confirmation", lines=text, total=total, notes="")

    def question(self, action: Ask, info: ProductInfo) -> Reply:
        """The one short question a careful organiser would ask."""
        label = plain(info.label, 60)
        if action.kind == "unit":
            at, many = unit_phrase(info.unit, self.locale)
            return self.reply(
                "ask_unit",
                "question",
                product=label,
                unit_phrase=at,
                unit_question=many,
                said=action.said,
                measured=any(c.isalpha() for c in action.said),
            )
        if action.kind == "choice":
            sep = " ou " if self.locale == "fr" else " or "
            options = sep.join(number(Decimal(o), self.locale) for o in action.options)
            return self.reply("ask_choice", "question", product=label, options=options)
        if action.kind == "which":
            labels = [plain(self.view.index.products[c].label, 40) for c in action.options]
            sep = " ou " if self.locale == "fr" else " or "
            amount = (
                quantity(action.quantity, info.unit, self.locale).lstrip("×")
                if action.quantity is not None
                else ""
            )
            return self.reply(
                "ask_which",
                "question",
                word=plain(action.said, 30),
                amount=amount,
                options=", ".join(labels[:-1]) + sep + labels[-1],
            )
        if action.kind == "confirm" and action.quantity is not None:
            amount = quantity(action.quantity, info.unit, self.locale).lstrip("×")
            return self.reply("ask_confirm", "question", product=label, amount=amount)
        return self.reply(
            "ask_vague",
            "question",
            product=label,
            unit_phrase=unit_phrase(info.unit, self.locale)[0],
        )

    def dropped(self, product_id: int, value: Decimal) -> Reply:
        info = self.view.infos[product_id]
        amount = quantity(value, info.unit, self.locale).lstrip("×")
        return self.reply("dropped", "info", product=plain(info.label, 60), amount=amount)

    def copy_source(
        self, name: str | None, last_week: bool, nearest: bool = False
    ) -> dict[int, Decimal] | None:
        """The lines to copy for "pareil que Camille", "comme la semaine dernière" or a
        bare "pareil" (the order written just before it)."""
        if self.window_id is None:
            return None
        if nearest and not self.message.reply_to:
            author = nearest_order_author(self.conn, self.message, self.window_id, self.member_id)
            if author is None:
                return None
            return ledger.order_lines(self.conn, self.window_id, author)[1] or None
        if last_week:
            previous = ledger.previous_window(self.conn, self.club.id, self.window_id)
            if previous is None:
                return None
            return ledger.order_lines(self.conn, previous, self.member_id)[1] or None
        member_id = self._copy_member(name)
        if member_id is None or member_id == self.member_id:
            return None
        return ledger.order_lines(self.conn, self.window_id, member_id)[1] or None

    def copy_missing_phrase(self, last_week: bool, name: str | None) -> str:
        if last_week:
            return (
                "votre commande de la semaine dernière"
                if self.locale == "fr"
                else "your order from last week"
            )
        who = plain(name or "", 30) or ("cette personne" if self.locale == "fr" else "them")
        return f"la commande de {who}" if self.locale == "fr" else f"{who}'s order"

    def _copy_member(self, name: str | None) -> int | None:
        replied = self.replied()
        if replied is not None and replied.member_id is not None:
            return replied.member_id
        if not name:
            return None
        for member_id, display in ledger.members_named(self.conn, self.club.id):
            first = display.split(" ")[0]
            if first and fold(first).strip() == fold(name).strip():
                return member_id
        return None
