"""Organisers' commands for the weekly cycle: the schedule, the supplier, pickup.

Parsed by the core like every command, so they behave the same typed in
Telegram, WhatsApp, the console or a replayed thread. Anything they send
(the supplier's order, the export files) is written to the outbox in the
message's own transaction.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select

from orders import late_orders, ledger, outbox
from orders.messages import Outcome, Reply
from orders.models import Club
from orders.parsing.text import fold
from orders.replies import plain, quantity
from schedules.settings import ALIASES, load_schedule, save_schedule
from schedules.week import DEFAULTS, EVENTS
from suppliers import dispatch
from suppliers.models import CHANNELS
from suppliers.pickup import mark_collected

if TYPE_CHECKING:
    from orders.turn import Turn

club_t = Club.__table__  # type: ignore[attr-defined]
LABELS = {
    "fr": {
        "opens": "ouverture", "last_call": "dernier appel", "closes": "fermeture",
        "supplier": "envoi au fournisseur", "confirm_by": "confirmation attendue avant",
        "reminder": "rappel de retrait", "pickup": "retrait", "not_collected": "sacs non retirés",
    },
    "en": {
        "opens": "opens", "last_call": "last call", "closes": "closes",
        "supplier": "order to the supplier", "confirm_by": "confirmation expected by",
        "reminder": "pickup reminder", "pickup": "pickup", "not_collected": "bags not collected",
    },
}  # fmt: skip
CONFIRMATION = re.compile(r"^\s*(ok|okay|reçu|recu|bien reçu|bien recu|received|got it)\b", re.I)


def _say(turn: Turn, template: str, kind: str = "command", **values: object) -> Outcome:
    return Outcome([turn.reply(template, kind, **values)], kind="command")


def _usage(turn: Turn, fr: str, en: str) -> Outcome:
    return _say(turn, "bad_arguments", "error", usage=fr if turn.locale == "fr" else en)


def schedule(turn: Turn, args: list[str]) -> Outcome:
    """/planning: show the week; /planning STEP DAY HH:MM (or off) changes one step."""
    if args:
        event = ALIASES.get(fold(args[0]).replace(" ", "-"))
        spec = " ".join(args[1:])
        try:
            if event is None or not spec:
                raise ValueError(args[0])
            save_schedule(turn.conn, turn.club.id, {event: spec}, turn.message.sent_at)
        except ValueError:
            return _usage(
                turn,
                "Usage : /planning fermeture jeu 20:00 (étapes : ouverture, rappel, fermeture, "
                "fournisseur, confirmation, retrait-rappel, retrait, non-retires ; off pour couper "
                "confirmation et non-retires)",
                "Usage: /schedule closes thu 20:00 (steps: opens, last-call, closes, supplier, "
                "confirm, reminder, pickup, not-collected; off switches confirm and "
                "not-collected off)",
            )
    current = load_schedule(turn.conn, turn.club.id)
    values = current or DEFAULTS
    zone = turn.conn.execute(select(club_t.c.timezone).where(club_t.c.id == turn.club.id)).scalar()
    labels = LABELS.get(turn.locale, LABELS["en"])
    steps = [{"label": labels[e], "when": _localised(values[e], turn.locale)} for e in EVENTS]
    return _say(turn, "schedule", steps=steps, zone=zone, active=current is not None)


def _localised(spec: str, locale: str) -> str:
    from schedules.week import parse_when

    when = parse_when(spec) if spec else None
    return when.text(locale) if when else ""


def supplier_channel(turn: Turn, args: list[str]) -> Outcome:
    """/fournisseur: show the channels; /fournisseur CHANNEL ADDRESS (or off) sets one."""
    if args:
        channel = args[0].lower()
        address = " ".join(args[1:]).strip()
        if channel not in CHANNELS or not address or len(address) > 200:
            return _usage(
                turn,
                "Usage : /fournisseur email|telegram|whatsapp|sms ADRESSE (ou off)",
                "Usage: /supplier email|telegram|whatsapp|sms ADDRESS (or off)",
            )
        dispatch.set_channel(turn.conn, turn.club.id, channel, "" if address == "off" else address)
    found = [{"name": c, "address": a[:80]} for c, a in dispatch.channels(turn.conn, turn.club.id)]
    return _say(turn, "channels", channels=found)


def send_now(turn: Turn, _args: list[str]) -> Outcome:
    """/envoyer: queue this week's order to the supplier on every channel now."""
    window_id = dispatch.week_window(turn.conn, turn.club.id)
    if window_id is None:
        return _say(turn, "closed", "closed")
    queued = dispatch.enqueue_supplier_order(
        turn.conn, turn.club.id, window_id, turn.bot.renderer, turn.message.sent_at
    )
    names = [c for c, _ in dispatch.channels(turn.conn, turn.club.id)]
    return _say(turn, "supplier_sent", queued=queued, channels=names)


def export(turn: Turn, _args: list[str]) -> Outcome:
    """/export: the week's CSV and PDF, posted to the organiser who asked."""
    window_id = dispatch.week_window(turn.conn, turn.club.id)
    if window_id is None:
        return _say(turn, "closed", "closed")
    order = dispatch.build_supplier_order(turn.conn, turn.club.id, window_id, turn.bot.renderer)
    attachments = order.attachments()
    files = [a["filename"] for a in attachments]
    text = turn.bot.renderer.render(turn.locale, "export", files=files)
    m = turn.message
    outbox.enqueue(
        turn.conn, platform=m.platform, chat_id=m.chat_id, text=text, kind="export",
        club_id=turn.club.id, reply_to=m.message_id, now=m.sent_at,
        payload={"subject": order.subject(), "attachments": attachments},
        priority=outbox.PRIORITY_BULK, dedupe_key=f"export:{m.platform}:{m.chat_id}:{m.message_id}",
    )  # fmt: skip
    return Outcome(kind="command")


def collected(turn: Turn, args: list[str]) -> Outcome:
    """/recupere NAME: mark a member's bag of this week as collected."""
    wanted = fold(" ".join(args)).strip()
    if not wanted:
        return _usage(turn, "Usage : /recupere NOM", "Usage: /collected NAME")
    window_id = dispatch.week_window(turn.conn, turn.club.id)
    members = {}
    if window_id is not None:
        members = {mid: name for mid, name, _u, _p, _q in ledger.window_lines(turn.conn, window_id)}
    matches = [mid for mid, name in members.items() if fold(name) == wanted]
    matches = matches or [mid for mid, name in members.items() if fold(name).startswith(wanted)]
    if len(matches) != 1 or window_id is None:
        return _say(turn, "member_unknown", member=plain(" ".join(args), 60))
    done = mark_collected(turn.conn, window_id, matches[0], turn.message.sent_at)
    return _say(turn, "collected", member=plain(members[matches[0]], 60), done=done)


def set_stock(turn: Turn, args: list[str]) -> Outcome:
    """/stock PRODUCT N (or off): cap the week's total of a product; more stock serves the list."""
    from decimal import Decimal, InvalidOperation

    from orders import stock

    usage = ("Usage : /stock PRODUIT N (ou off)", "Usage: /stock PRODUCT N (or off)")
    code = None
    if len(args) == 2:
        lowered = {c.lower(): c for c in turn.view.ids}
        code = lowered.get(args[0].lower())
    limit: Decimal | None = None
    try:
        if code is not None and args[1].lower() != "off":
            limit = Decimal(args[1].replace(",", "."))
            if not limit.is_finite() or limit <= 0 or limit > 10**7:
                code = None
    except InvalidOperation:
        code = None
    if code is None:
        return _usage(turn, *usage)
    ledger.set_product(turn.conn, turn.club.id, code, stock_limit=limit)
    product_id = turn.view.ids[code]
    turn.view = turn.bot.view(turn.conn, ledger.club_by_id(turn.conn, turn.club.id) or turn.club)
    info = turn.view.infos[product_id]
    window_id = dispatch.week_window(turn.conn, turn.club.id)
    replies = [
        turn.reply(
            "stock_set",
            "confirmation",
            product=plain(info.label, 60),
            limit="" if limit is None else quantity(limit, info.unit, turn.locale),
        )
    ]
    if window_id is not None and turn.record_id is not None:
        replies += stock.serve_waiting(turn, window_id, [product_id])
    return Outcome(replies, kind="command")


def recap_lines(turn: Turn, window_id: int | None) -> str:
    """For /recap: the waiting list, the late orders set aside, the supplier's status."""
    from orders import stock

    if window_id is None:
        return ""
    parts = []
    waiting = stock.waiting_list(turn.conn, window_id)
    if waiting:
        items = [
            f"{plain(name, 40)} {plain(turn.view.infos[p].label, 40)} "
            f"{quantity(q, turn.view.infos[p].unit, turn.locale)}"
            for name, p, q in waiting
        ]
        head = "Liste d'attente" if turn.locale == "fr" else "Waiting list"
        parts.append(f"{head} : " if turn.locale == "fr" else f"{head}: ")
        parts[-1] += ", ".join(items)
    status = status_line(turn, window_id)
    if status:
        parts.append(status)
    return "\n".join(parts)


def status_line(turn: Turn, window_id: int | None) -> str:
    """For /recap: was the supplier's order delivered, and confirmed?"""
    if window_id is None:
        return ""
    statuses = dispatch.delivery_status(turn.conn, turn.club.id, window_id)
    if not statuses:
        return ""
    fr = turn.locale == "fr"
    words = {
        "": "pas envoyée" if fr else "not sent", "pending": "en attente" if fr else "queued",
        "sending": "en cours" if fr else "sending", "sent": "livrée" if fr else "delivered",
        "failed": "échec" if fr else "failed", "uncertain": "incertaine" if fr else "uncertain",
    }  # fmt: skip
    confirmed = dispatch.confirmation(turn.conn, window_id)
    zone = turn.conn.execute(select(club_t.c.timezone).where(club_t.c.id == turn.club.id)).scalar()
    shown = confirmed.astimezone(ZoneInfo(zone)).strftime("%d/%m %H:%M") if confirmed else ""
    channels = [{"name": c, "status": words.get(s, s)} for c, s in statuses]
    return turn.bot.renderer.render(
        turn.locale, "supplier_status", channels=channels, confirmed=shown
    )


def supplier_confirmation(turn: Turn) -> Outcome | None:
    """The supplier's "OK"/"reçu"/"received": recorded for the week their order was sent."""
    if turn.role != "supplier" or not CONFIRMATION.match(turn.text):
        return None
    window_id = dispatch.week_window(turn.conn, turn.club.id)
    sent = window_id is not None and any(
        s for _c, s in dispatch.delivery_status(turn.conn, turn.club.id, window_id)
    )
    if not sent or window_id is None:
        return None
    turn.store("supplier_ok")
    first = dispatch.confirm(turn.conn, turn.club.id, window_id, turn.message.sent_at, turn.text)
    if not first:
        return Outcome(kind="supplier_ok")
    reply = turn.reply("supplier_thanks", "confirmation")
    return Outcome(
        [Reply(reply.chat_id, reply.text, reply.reply_to, reply.kind)], kind="supplier_ok"
    )


COMMANDS = [
    (("planning", "schedule"), schedule),
    (("fournisseur", "supplier"), supplier_channel),
    (("envoyer", "send"), send_now),
    (("export",), export),
    (("recupere", "récupère", "recupéré", "récupéré", "collected"), collected),
    (("accepter", "accept"), late_orders.accept),
    (("stock",), set_stock),
    (("rouvrir", "reopen"), late_orders.reopen),
]
