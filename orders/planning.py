"""Turning the parser's actions into ledger operations, questions and replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orders import ledger, stock
from orders.messages import LineChange, Outcome, Reply
from orders.parsing import (
    Action,
    Amount,
    Answer,
    Ask,
    ClearAll,
    CopyOrder,
    Item,
    NotInCatalog,
    Removal,
    limit_for,
    to_catalog_unit,
)
from orders.replies import number, plain
from orders.turn import Turn


@dataclass(slots=True)
class Plan:
    """What one message will do: operations, questions to ask and replies to post."""

    ops: list[ledger.Op] = field(default_factory=list)
    asks: list[Ask] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    answered: bool = False


def apply_actions(
    turn: Turn,
    window_id: int,
    order_id: int | None,
    lines: dict[int, Decimal],
    actions: list[Action],
    pending: Any,
    *,
    kind: str,
    mentioned: str | None = "",
) -> Outcome:
    """Record the message, apply its operations to the member's order and say what happened."""
    plan = Plan()
    for action in actions:
        _plan(turn, action, pending, plan)
    if plan.unknown:
        words = ", ".join(plain(word, 30) for word in dict.fromkeys(plan.unknown[:3]))
        plan.replies.append(turn.reply("not_in_catalog", "not_in_catalog", words=words))
    edit = turn.original is not None
    turn.store("asked" if plan.asks else kind, mentioned, plan.ops if plan.ops or edit else None)
    if pending is not None:
        ledger.settle_questions(
            turn.conn, window_id, turn.member_id, "answered" if plan.answered else "expired"
        )
    if plan.asks:
        # One short question at a time: the member's next message answers it.
        _ask(turn, window_id, plan.asks[0], plan)
        others = [turn.view.index.products[a.product].label for a in plan.asks[1:]]
        if others:
            labels = ", ".join(plain(label, 40) for label in dict.fromkeys(others))
            plan.replies.append(turn.reply("unclear_others", "question", products=labels))
    return _write(turn, window_id, order_id, lines, plan, kind=kind)


def _write(
    turn: Turn,
    window_id: int,
    order_id: int | None,
    lines: dict[int, Decimal],
    plan: Plan,
    *,
    kind: str,
) -> Outcome:
    changes: list[LineChange] = []
    edit = turn.original is not None
    if plan.ops or (edit and order_id is not None):
        if order_id is None:
            order_id = ledger.create_order(
                turn.conn, window_id, turn.member_id, turn.message.sent_at
            )
        assert turn.record_id is not None
        if edit:
            # Re-reading the member's messages must not bring back a product that has
            # since been withdrawn ("plus de soles"): it only keeps what they still hold.
            infos = turn.view.infos
            wanted = {
                p: q
                for p, q in ledger.refold(turn.conn, window_id, turn.member_id).items()
                if p in lines or (p in infos and infos[p].available)
            }
        else:
            ops = ((op.action, op.product_id, op.quantity) for op in plan.ops)
            wanted = ledger.fold(ops, lines)
        touched = (
            None
            if edit or any(op.action == "clear" for op in plan.ops)
            else {op.product_id for op in plan.ops if op.product_id is not None}
        )
        wanted, short = stock.fit(turn, window_id, lines, wanted, touched)
        changes = ledger.write_lines(
            turn.conn,
            order_id,
            turn.member_id,
            lines,
            wanted,
            record_id=turn.record_id,
            codes=turn.view.codes,
            now=turn.message.sent_at,
        )
        # Nothing fitted the stock: the shortage reply says it all, not "cancelled".
        confirm = bool(plan.ops or changes) and bool(wanted or lines or not short)
        if confirm:
            # Nothing before, nothing after ("annule tout" with no order): say so.
            empty = not (lines or wanted or edit)
            reply = turn.reply("no_order", "info") if empty else turn.order_reply(wanted)
            plan.replies.insert(0, reply)
        plan.replies[int(confirm) : int(confirm)] = short
        freed = [p for p in lines if wanted.get(p, Decimal(0)) < lines[p]]
        plan.replies.extend(stock.serve_waiting(turn, window_id, freed))
    return Outcome(plan.replies, changes, kind=kind)


def apply_ops(turn: Turn, actions: list[Action]) -> Outcome:
    """Apply actions from a command (already recorded) to the member's current order."""
    assert turn.window_id is not None
    order_id, lines = ledger.order_lines(turn.conn, turn.window_id, turn.member_id)
    plan = Plan()
    for action in actions:
        _plan(turn, action, None, plan)
    assert turn.record_id is not None
    ledger.set_record_ops(turn.conn, turn.record_id, turn.window_id, plan.ops)
    return _write(turn, turn.window_id, order_id, lines, plan, kind="command")


def _plan(turn: Turn, action: Action, pending: Any, plan: Plan) -> None:
    ids = turn.view.ids
    if isinstance(action, Item) and not turn.view.index.products[action.product].available:
        plan.unknown.append(turn.view.index.products[action.product].label)
    elif isinstance(action, Item):
        plan.ops.append(ledger.Op(action.mode, ids[action.product], action.quantity))
        if _answers(turn, pending, action.product):
            plan.answered = True
    elif isinstance(action, Removal):
        plan.ops.append(ledger.Op("remove", ids[action.product]))
    elif isinstance(action, ClearAll):
        plan.ops.append(ledger.Op("clear"))
    elif isinstance(action, Ask) and _kind_chosen(turn, action, pending):
        # "gala" after "pommes (5 kg): gala, reinette or chantecler?": the amount asked about.
        plan.ops.append(ledger.Op(pending.mode, ids[action.product], Decimal(pending.quantity)))
        plan.answered = True
    elif isinstance(action, Ask):
        plan.asks.append(action)
    elif isinstance(action, NotInCatalog):
        plan.unknown.append(action.word)
    elif isinstance(action, CopyOrder):
        _copy(turn, action, plan)
    elif isinstance(action, Answer) and pending is not None:
        _answer(turn, action, pending, plan)


def _answers(turn: Turn, pending: Any, code: str) -> bool:
    """Whether ordering this product answers the open question."""
    if pending is None or pending.product_id is None:
        return False
    asked = turn.view.infos[pending.product_id].code
    return code == asked or (pending.kind == "which" and code in turn.view.index.kinds_with(asked))


def _kind_chosen(turn: Turn, action: Ask, pending: Any) -> bool:
    """A product named without an amount, one of the kinds the bot just asked to choose from."""
    return (
        action.kind == "vague"
        and pending is not None
        and pending.kind == "which"
        and pending.quantity is not None
        and _answers(turn, pending, action.product)
    )


def _ask(turn: Turn, window_id: int, action: Ask, plan: Plan) -> None:
    product_id = turn.view.ids[action.product]
    ledger.add_question(
        turn.conn,
        window_id=window_id,
        member_id=turn.member_id,
        record_id=turn.record_id,
        kind=action.kind,
        product_id=product_id,
        quantity=action.quantity,
        mode=action.mode,
        status="open",
        created_at=turn.message.sent_at,
    )
    plan.replies.append(turn.question(action, turn.view.infos[product_id]))


def _copy(turn: Turn, action: CopyOrder, plan: Plan) -> None:
    source = turn.copy_source(action.name, action.last_week, action.nearest)
    if source is None and action.nearest and not turn.message.reply_to:
        return  # "moi aussi" after no order of anyone's: agreement, not an order to copy
    if source is None:
        what = turn.copy_missing_phrase(action.last_week, action.name)
        plan.replies.append(turn.reply("copy_missing", "copy_missing", what=what))
        return
    plan.ops.append(ledger.Op("clear"))
    for product_id, quantity in sorted(source.items()):
        info = turn.view.infos[product_id]
        if info.available:
            plan.ops.append(ledger.Op("set", product_id, quantity))
        else:
            plan.unknown.append(info.label)


def _answer(turn: Turn, action: Answer, pending: Any, plan: Plan) -> None:
    plan.answered = True
    if pending.product_id is None:
        return
    if pending.kind == "confirm":
        if action.yes and pending.quantity is not None:
            plan.ops.append(ledger.Op(pending.mode, pending.product_id, Decimal(pending.quantity)))
        elif action.yes is False:
            plan.replies.append(turn.dropped(pending.product_id, Decimal(pending.quantity or 0)))
        return
    info = turn.view.infos[pending.product_id]
    if not info.available:
        plan.unknown.append(info.label)  # withdrawn since the question was asked
        return
    value = to_catalog_unit(action.amount, info) if action.amount is not None else None
    if value is None:
        # "500 g" for a product sold by the piece: still unclear, ask again.
        plan.asks.append(Ask("unit", info.code, said=_said(action.amount), mode=pending.mode))
    elif value == 0:
        plan.asks.append(Ask("vague", info.code, mode=pending.mode))
    elif value > limit_for(info):
        plan.asks.append(Ask("confirm", info.code, quantity=value, mode=pending.mode))
    else:
        plan.ops.append(ledger.Op(pending.mode, pending.product_id, value))


def _said(amount: Amount | None) -> str:
    if amount is None:
        return ""
    unit = {"mass": "kg", "volume": "L", "dozen": "dz", "piece": "pc"}.get(
        amount.dimension or "", ""
    )
    return f"{number(amount.value * amount.factor, 'fr')} {unit}".strip()
