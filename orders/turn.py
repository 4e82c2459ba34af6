"""One message being handled: who wrote it, where, and how to answer them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from orders import ledger
from orders.messages import InboundMessage, Reply
from orders.models import Clarification, Club, InboundRecord, Member, Order, OrderWindow
from orders.parsing import Ask, CopyOrder, ProductInfo
from orders.replies import join_lines, money, number, plain, quantity, unit_phrase

if TYPE_CHECKING:
    from orders.catalog_view import CatalogView
    from orders.core import OrderBot


@dataclass
class Turn:
    """The handling of one inbound message, with what the reply helpers need."""

    bot: OrderBot
    session: Session
    club: Club
    member: Member
    role: str
    record: InboundRecord
    message: InboundMessage
    original: InboundRecord | None

    @property
    def view(self) -> CatalogView:
        return self.bot.view(self.session, self.club)

    @property
    def locale(self) -> str:
        return self.club.locale

    @property
    def name(self) -> str:
        return plain(self.member.display_name.split(" ")[0] or self.member.display_name, 40)

    def window(self) -> OrderWindow | None:
        """The open window; a club's very first order opens one by itself."""
        assert self.club.id is not None
        window = ledger.open_window(self.session, self.club.id)
        if window is None and ledger.latest_window(self.session, self.club.id) is None:
            window = ledger.start_window(self.session, self.club.id, self.message.sent_at)
        return window

    def render(self, template: str, **values: Any) -> str:
        return self.bot.renderer.render(self.locale, template, **values)

    def reply(self, template: str, kind: str, **values: Any) -> Reply:
        """A reply to this message, addressed by first name."""
        text = self.render(template, name=self.name, **values)
        return Reply(self.message.chat_id, text, self.message.message_id, kind)

    def line(self, product_id: int, value: Decimal) -> str:
        info = self.view.infos[product_id]
        return f"{plain(info.label, 60)} {quantity(value, info.unit, self.locale)}"

    def question(self, action: Ask, info: ProductInfo) -> Reply:
        """The one short question a careful organiser would ask."""
        label = plain(info.label, 60)
        if action.kind == "unit":
            at, many = unit_phrase(info.unit, self.locale)
            return self.reply("ask_unit", "question", product=label, unit_phrase=at,
                              unit_question=many, said=action.said or "?")
        if action.kind == "choice":
            sep = " ou " if self.locale == "fr" else " or "
            options = sep.join(number(Decimal(o), self.locale) for o in action.options)
            return self.reply("ask_choice", "question", product=label, options=options)
        if action.kind == "confirm" and action.quantity is not None:
            amount = quantity(action.quantity, info.unit, self.locale).lstrip("×")
            return self.reply("ask_confirm", "question", product=label, amount=amount)
        return self.reply("ask_vague", "question", product=label,
                          unit_phrase=unit_phrase(info.unit, self.locale)[0])

    def dropped(self, pending: Clarification) -> Reply:
        assert pending.product_id is not None
        info = self.view.infos[pending.product_id]
        amount = quantity(Decimal(pending.quantity or 0), info.unit, self.locale).lstrip("×")
        return self.reply("dropped", "info", product=plain(info.label, 60), amount=amount)

    def copy_source(self, window: OrderWindow, action: CopyOrder) -> dict[int, Decimal] | None:
        """The lines to copy for "pareil que Camille" or "comme la semaine dernière"."""
        assert self.club.id is not None and window.id is not None
        if action.last_week:
            previous = ledger.previous_window(self.session, self.club.id, window.id)
            if previous is None or previous.id is None:
                return None
            return self._lines_of(previous.id, self.member.id)
        member_id = self._copy_member(action.name)
        if member_id is None or member_id == self.member.id:
            return None
        return self._lines_of(window.id, member_id)

    def copy_missing_phrase(self, what: str, name: str | None) -> str:
        if what == "last_week":
            return "votre commande de la semaine dernière" if self.locale == "fr" \
                else "your order from last week"
        who = plain(name or "", 30) or ("cette personne" if self.locale == "fr" else "them")
        return f"la commande de {who}" if self.locale == "fr" else f"{who}'s order"

    def _copy_member(self, name: str | None) -> int | None:
        if self.message.reply_to:
            replied = ledger.find_record(self.session, self.message.platform,
                                         self.message.chat_id, self.message.reply_to)
            if replied is not None and replied.member_id is not None:
                return replied.member_id
        if not name:
            return None
        for member in self.session.exec(select(Member).where(Member.club_id == self.club.id)):
            first = member.display_name.split(" ")[0].lower()
            if first and _fold(first) == _fold(name):
                return member.id
        return None

    def _lines_of(self, window_id: int, member_id: int | None) -> dict[int, Decimal] | None:
        if member_id is None:
            return None
        order = self.session.exec(select(Order).where(
            Order.window_id == window_id, Order.member_id == member_id)).first()
        if order is None or order.id is None:
            return None
        lines = ledger.lines_of(self.session, order.id)
        return lines or None


def order_reply(turn: Turn, order: Order) -> Reply:
    """Confirm a member's whole order after a change, with its total price."""
    assert order.id is not None
    lines = ledger.lines_of(turn.session, order.id)
    if not lines:
        return turn.reply("cancelled", "confirmation")
    view = turn.view
    ordered = sorted(lines.items(), key=lambda item: view.index_position(item[0]))
    total = sum((q * view.price(p) for p, q in ordered), Decimal(0))
    return turn.reply("confirm", "confirmation",
                      lines=join_lines(turn.line(p, q) for p, q in ordered),
                      total=money(total, turn.club.currency, turn.locale), notes="")


def _fold(text: str) -> str:
    from orders.parsing.text import fold

    return fold(text).strip()

