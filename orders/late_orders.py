"""Orders that arrived after the close: kept aside, then accepted by an organiser or not.

A message sent while orders are closed is recorded with kind "closed" and no
week (the member got the "orders are closed" answer). ``/accepter NAME`` reads
that member's set-aside messages again and applies them to the week that just
closed, as if they had come in time: the record joins the week with its
operations, so a later edit re-folds it like any other message.
``/rouvrir`` reopens the week that just closed instead.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from orders import ledger
from orders.messages import InboundMessage, Outcome
from orders.models import InboundRecord, Member, OrderWindow
from orders.parsing import ParseContext, parse
from orders.parsing.text import fold
from orders.replies import plain

if TYPE_CHECKING:
    from orders.turn import Turn

record_t, member_t = InboundRecord.__table__, Member.__table__  # type: ignore[attr-defined]
window_t = OrderWindow.__table__  # type: ignore[attr-defined]


def _closed_week(turn: Turn) -> tuple[int, object] | None:
    latest = ledger.latest_window(turn.conn, turn.club.id)
    if latest is None or latest[1] != "closed":
        return None
    opened = turn.conn.execute(
        select(window_t.c.opens_at).where(window_t.c.id == latest[0])
    ).scalar()
    return latest[0], opened


def _set_aside(turn: Turn, since: object) -> list[tuple[int, str]]:
    """(member id, name) of members with messages kept aside since the week opened."""
    rows = turn.conn.execute(
        select(member_t.c.id, member_t.c.display_name)
        .join(record_t, record_t.c.member_id == member_t.c.id)
        .where(
            record_t.c.club_id == turn.club.id,
            record_t.c.kind == "closed",
            record_t.c.window_id.is_(None),
            record_t.c.sent_at >= since,
        )
        .distinct()
    ).all()
    return [(int(r.id), r.display_name) for r in rows]


def accept(turn: Turn, args: list[str]) -> Outcome:
    """/accepter NAME: apply a member's late messages to the week that just closed."""
    from orders.planning import apply_ops
    from orders.turn import Turn as TurnType

    wanted = fold(" ".join(args)).strip()
    week = _closed_week(turn)
    if not wanted:
        return Outcome(
            [turn.reply("bad_arguments", "error", usage=_USAGE[turn.locale])], kind="command"
        )
    candidates = _set_aside(turn, week[1]) if week else []
    found = [c for c in candidates if fold(c[1]) == wanted] or [
        c for c in candidates if fold(c[1]).startswith(wanted)
    ]
    if week is None or len(found) != 1:
        names = ", ".join(plain(n, 40) for _i, n in candidates)
        return Outcome(
            [turn.reply("late_none", "error", member=plain(" ".join(args), 60), waiting=names)],
            kind="command",
        )
    member_id, name = found[0]
    records = turn.conn.execute(
        select(record_t)
        .where(
            record_t.c.member_id == member_id,
            record_t.c.kind == "closed",
            record_t.c.window_id.is_(None),
            record_t.c.sent_at >= week[1],
        )
        .order_by(record_t.c.id)
    ).all()
    user_id = turn.conn.execute(
        select(member_t.c.user_id).where(member_t.c.id == member_id)
    ).scalar_one()
    outcome = Outcome(kind="command")
    for record in records:
        message = InboundMessage(
            platform=record.platform, chat_id=record.chat_id, message_id=record.message_id,
            author_id=user_id, author_name=name, text=record.text, sent_at=record.sent_at,
        )  # fmt: skip
        member_turn = TurnType(
            turn.bot, turn.conn, turn.club, turn.view, member_id, name, "member", message, None,
            record.text,
        )  # fmt: skip
        member_turn.window_id, member_turn.record_id = week[0], record.id
        lines = ledger.order_lines(turn.conn, week[0], member_id)[1]
        codes = turn.view.codes
        context = ParseContext(order=tuple((codes[p], Decimal(q)) for p, q in lines.items()))
        result = parse(record.text, turn.view.index, context)
        applied = apply_ops(member_turn, result.actions)
        turn.conn.execute(update(record_t).where(record_t.c.id == record.id).values(kind="order"))
        outcome.replies.extend(applied.replies)
        outcome.changes.extend(applied.changes)
    outcome.replies.append(
        turn.reply("late_accepted", "confirmation", member=plain(name, 60), count=len(records))
    )
    return outcome


def reopen(turn: Turn, _args: list[str]) -> Outcome:
    """/rouvrir: take orders again in the week that just closed."""
    ledger.lock_club(turn.conn, turn.club.id)
    week = _closed_week(turn)
    if week is None:
        return Outcome([turn.reply("already_open", "error")], kind="command")
    turn.conn.execute(
        update(window_t).where(window_t.c.id == week[0]).values(status="open", closed_at=None)
    )
    turn.window_id = week[0]
    return Outcome([turn.reply("window_opened", "announcement")], kind="command")


_USAGE = {"fr": "Usage : /accepter NOM", "en": "Usage: /accept NAME"}
