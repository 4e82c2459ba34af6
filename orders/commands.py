"""Slash commands, parsed by the core so they behave the same on every platform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from orders import ledger
from orders.messages import Outcome, Reply
from orders.replies import money, per_unit, plain
from suppliers.render import summary_text
from suppliers.weekly_order import build_weekly_order

if TYPE_CHECKING:
    from orders.turn import Turn


@dataclass(frozen=True)
class Command:
    """A slash command: its handler and whether only organisers may run it."""

    run: Callable[[Turn, list[str]], Outcome]
    organisers_only: bool = False


def run_command(turn: Turn, text: str) -> Outcome:
    """Run ``/name args`` for the author of ``turn``, or answer why not."""
    words = text.split()
    name = words[0][1:].split("@", 1)[0].lower()
    command = COMMANDS.get(name)
    shown = plain("/" + name, 30)
    if command is None:
        return _say(turn, "unknown_command", "error", command=shown)
    if command.organisers_only and turn.role != "organiser":
        return _say(turn, "not_allowed", "refused", command=shown)
    return command.run(turn, words[1:])


def _say(turn: Turn, template: str, kind: str, **values: object) -> Outcome:
    return Outcome([turn.reply(template, kind, **values)], kind="command")


def _current_window(turn: Turn) -> int | None:
    if turn.window_id is not None:
        return turn.window_id
    latest = ledger.latest_window(turn.conn, turn.club.id)
    return latest[0] if latest else None


def _help(turn: Turn, _args: list[str]) -> Outcome:
    return _say(turn, "help", "help", organiser=turn.role == "organiser")


def _show_order(turn: Turn, _args: list[str]) -> Outcome:
    window_id = _current_window(turn)
    lines = ledger.order_lines(turn.conn, window_id, turn.member_id)[1] if window_id else {}
    text, total = turn.order_text(lines)
    return _say(turn, "order", "order", lines=text, total=total)


def _cancel(turn: Turn, _args: list[str]) -> Outcome:
    from orders.parsing import ClearAll
    from orders.planning import apply_ops

    if turn.window_id is None:
        if ledger.latest_window(turn.conn, turn.club.id) is None:
            return _say(turn, "no_order", "info")  # a new club: nothing was ever closed
        return _say(turn, "closed", "closed")
    outcome = apply_ops(turn, [ClearAll()])
    if not outcome.replies:
        outcome.replies.append(turn.reply("cancelled", "confirmation"))
    return outcome


def _catalog(turn: Turn, _args: list[str]) -> Outcome:
    items = [
        {
            "name": plain(info.name, 80),
            "price": money(info.price, turn.club.currency, turn.locale),
            "per": per_unit(info.unit, turn.locale),
        }
        for info in turn.view.infos.values()
        if info.available
    ]
    return _say(
        turn,
        "catalog",
        "catalog",
        club=plain(turn.club.name, 80),
        products=items,
        pickup=plain(turn.club.pickup, 200),
    )


def _summary(turn: Turn, _args: list[str]) -> Outcome:
    window_id = _current_window(turn)
    weekly = build_weekly_order(turn.conn, turn.club, window_id, turn.view)
    text = summary_text(turn.bot.renderer, weekly)
    from orders.weekly_commands import recap_lines

    status = recap_lines(turn, window_id)
    text = f"{text}\n{status}" if status else text
    return Outcome(
        [Reply(turn.message.chat_id, text, turn.message.message_id, "summary")], kind="command"
    )


def _open(turn: Turn, _args: list[str]) -> Outcome:
    ledger.lock_club(turn.conn, turn.club.id)
    latest = ledger.latest_window(turn.conn, turn.club.id)
    if turn.window_id is not None or (latest is not None and latest[1] == "open"):
        # A slip of the thumb must not move everyone's orders out of sight.
        return _say(turn, "already_open", "error")
    turn.window_id = ledger.start_window(turn.conn, turn.club.id, turn.message.sent_at)
    return _say(turn, "window_opened", "announcement")


def _close(turn: Turn, _args: list[str]) -> Outcome:
    ledger.lock_club(turn.conn, turn.club.id)
    if ledger.latest_window(turn.conn, turn.club.id) is None:
        # Closing before the first order: record a closed week, so orders wait for /ouvrir.
        ledger.start_window(turn.conn, turn.club.id, turn.message.sent_at)
    ledger.close_windows(turn.conn, turn.club.id, turn.message.sent_at)
    turn.window_id = None
    return _say(turn, "window_closed", "announcement", pickup=plain(turn.club.pickup, 200))


MAX_PRICE = Decimal("99999999.99")


def _product_code(turn: Turn, given: str) -> str | None:
    """The catalogue id an organiser typed, with or without its capitals."""
    if given in turn.view.ids:
        return given
    lowered = {code.lower(): code for code in turn.view.ids}
    return lowered.get(given.lower())


def _usage(turn: Turn, fr: str, en: str) -> Outcome:
    return _say(turn, "bad_arguments", "error", usage=fr if turn.locale == "fr" else en)


def _price(turn: Turn, args: list[str]) -> Outcome:
    usage = (
        "Usage : /prix PRODUIT PRIX, par exemple /prix moules 6,80",
        "Usage: /price PRODUCT PRICE, for example /price moules 6.80",
    )
    code = _product_code(turn, args[0]) if len(args) == 2 else None
    try:
        price = Decimal(args[1].replace(",", ".")) if code else None
    except InvalidOperation:
        price = None
    if price is None or not price.is_finite() or abs(price) > 10 * MAX_PRICE:
        return _usage(turn, *usage)
    price = price.quantize(Decimal("0.01")) + Decimal("0.00")  # rounded; -0 becomes 0
    if price < 0 or price > MAX_PRICE:
        return _usage(turn, *usage)
    ledger.set_product(turn.conn, turn.club.id, code, price=price)
    info = turn.view.infos[turn.view.ids[code]]
    return _say(
        turn,
        "price_set",
        "confirmation",
        product=plain(info.name, 80),
        price=money(price, turn.club.currency, turn.locale),
        per=per_unit(info.unit, turn.locale),
    )


def _available(turn: Turn, args: list[str]) -> Outcome:
    usage = ("Usage : /dispo PRODUIT oui|non", "Usage: /available PRODUCT yes|no")
    flag = {"oui": True, "yes": True, "on": True, "non": False, "no": False, "off": False}.get(
        args[1].lower() if len(args) == 2 else ""
    )
    code = _product_code(turn, args[0]) if len(args) == 2 else None
    if flag is None or code is None:
        return _usage(turn, *usage)
    ledger.set_product(turn.conn, turn.club.id, code, available=flag)
    info = turn.view.infos[turn.view.ids[code]]
    return _say(
        turn, "availability_set", "confirmation", product=plain(info.name, 80), available=flag
    )


COMMANDS: dict[str, Command] = {}
for _names, _command in [
    (("help", "aide", "start"), Command(_help)),
    (("order", "commande", "myorder", "macommande"), Command(_show_order)),
    (("cancel", "annuler", "annule"), Command(_cancel)),
    (("catalog", "catalogue", "produits", "products"), Command(_catalog)),
    (("summary", "recap", "récap", "resume"), Command(_summary, organisers_only=True)),
    (("open", "ouvrir"), Command(_open, organisers_only=True)),
    (("close", "fermer", "clore"), Command(_close, organisers_only=True)),
    (("price", "prix"), Command(_price, organisers_only=True)),
    (("available", "dispo"), Command(_available, organisers_only=True)),
]:
    for _name in _names:
        COMMANDS[_name] = _command

# The weekly cycle's organiser commands (orders/weekly_commands.py).
from orders import weekly_commands as _weekly  # noqa: E402

for _names, _run in _weekly.COMMANDS:
    _weekly_command = Command(_run, organisers_only=True)
    for _name in _names:
        COMMANDS[_name] = _weekly_command
