"""Offers made to a member by the supplier or an organiser, and products they declare
finished.

"Ifeoma, 24 tins is 2 cases, shall I do it as 2 cases?"; "pot de 250 g ou de 500 g ?";
"sorry, no more spinach this week". An offer is remembered as open questions of the
member it is addressed to (by a reply, an @mention or their first name): one row per
option ("offer") and per product the options would replace ("offer_for"). The member's
answer is read in :mod:`orders.offer_answers`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select

from orders import ledger
from orders.fastsql import Prepared
from orders.messages import LineChange, Reply
from orders.offer_reading import (
    OFFER,
    OFFERING,
    REPLACES,
    SUBSTITUTING,
    THEN,
    Read,
    packed_in,
    read_text,
)
from orders.parsing import ProductIndex, to_catalog_unit
from orders.parsing.elements import P
from orders.parsing.text import fold, stem
from orders.replies import plain, quantity
from orders.turn import Turn

_SOLD_OUT = (
    " sold out ",
    " no more ",
    " none left ",
    " ran out ",
    " run out ",
    " out of stock ",
    " all gone ",
    " epuise",
    " rupture ",
    " n y a plus ",
    " y a plus ",
    " n ai plus ",
    " n avons plus ",
    " ne reste plus ",
    " reste plus ",
    " plus de stock ",
)
# "Mauvaise nouvelle : plus de farine", "bad news, no more chickens".
_SORRY = frozenset(
    {"desole", "desolee", "sorry", "malheureusement", "unfortunately", "helas", "mauvaise", "bad"}
)
# An option offered on top of the order, not in place of anything in it.
_ADDING = frozenset(
    {"rajoute", "rajouter", "ajoute", "ajouter", "add", "extra", "aussi", "also", "another"}
    | {"supplementaire", "additional", "encore"}
)


def read_announcement(turn: Turn, window_id: int) -> tuple[list[Reply], list[LineChange]]:
    """Products declared finished leave the orders that held them; an offer is remembered.

    Most announcements are neither (a catalogue, a pickup time): two looks at the text
    keep them from being read.
    """
    low = turn.text.lower()
    if _FINISH_KEYS.search(low) is None and not _addressed(turn, low):
        return [], []
    folded = " " + " ".join(_WORD.findall(fold(turn.text))) + " "
    finishing = any(p in folded for p in _SOLD_OUT) or (
        (" plus de " in folded or " plus d " in folded) and any(f" {w} " in folded for w in _SORRY)
    )
    if not finishing:
        # Reading the text costs more than finding who it is for: who first.
        addressees = _addressees(turn) if _addressed(turn, folded) else []
        if addressees:
            _remember_offer(turn, window_id, read_text(turn.text, turn.view.index), addressees)
        return [], []
    read = read_text(turn.text, turn.view.index)
    replies, changes = _sold_out(turn, window_id, read)
    if not replies:
        _remember_offer(turn, window_id, read, _addressees(turn))
    return replies, changes


# Raw pieces of every _SOLD_OUT phrase, looked for before the text is folded.
_FINISH_KEYS = re.compile("plus|more|sold|left|ran out|run out|stock|gone|puis|rupture")
_WORD = re.compile(r"[a-z0-9]+|\?")


def _addressed(turn: Turn, folded: str) -> bool:
    """Whether a message may offer something to one member: a question or an offer, in
    reply to someone or opening on a name ("Farid, …", "@Laure …")."""
    head = turn.text.lstrip()[:40]
    if not (turn.message.reply_to or head.startswith("@") or _NAME_FIRST.match(head)):
        return False  # looked at first: a few characters, not the whole text
    return "?" in folded or _OFFERING_RE.search(folded) is not None


# Also looked for in the text before it is folded: with the accented spellings.
_OFFERING_RE = re.compile("|".join(sorted(OFFERING | {"plutôt", "préf"})))
_NAME_FIRST = re.compile(r"[^\W\d_][\w'-]{2,}\s?[,:]", re.UNICODE)


def _sold_out(turn: Turn, window_id: int, read: Read) -> tuple[list[Reply], list[LineChange]]:
    """ "Sorry, no more spinach this week": each order holding it loses it, with one reply."""
    finished = _finished(read)
    if not finished:
        return [], []
    replies: list[Reply] = []
    changes: list[LineChange] = []
    infos = turn.view.infos
    index = turn.view.index
    offered = {
        p.code for p in read.products if p.code not in finished and index.products[p.code].available
    } | set(_options_by_word(index, read, sorted(finished)))
    holders: dict[int, str] = {}
    for member_id, display, _user, product_id, _qty in ledger.window_lines(turn.conn, window_id):
        if turn.view.codes[product_id] in finished:
            holders[member_id] = display
    for code in finished:
        ledger.set_product(turn.conn, turn.club.id, code, available=False)
    for member_id, display in holders.items():
        ledger.lock_member(turn.conn, member_id)
        order_id, lines = ledger.order_lines(turn.conn, window_id, member_id)
        gone = {p: q for p, q in lines.items() if turn.view.codes[p] in finished}
        if order_id is None or not gone:
            continue
        wanted = {p: q for p, q in lines.items() if p not in gone}
        assert turn.record_id is not None
        changes += ledger.write_lines(
            turn.conn,
            order_id,
            member_id,
            lines,
            wanted,
            record_id=turn.record_id,
            codes=turn.view.codes,
            now=turn.message.sent_at,
        )
        for product_id, value in gone.items():
            _add(turn, window_id, member_id, REPLACES, product_id, value)
        for code in offered:  # "plus de Chinon 2022, je vous propose le 2021 à la place"
            _add(turn, window_id, member_id, OFFER, turn.view.ids[code], None)
        first = next(iter(gone.items()))
        info = infos[first[0]]
        text = turn.bot.renderer.render(
            turn.locale,
            "sold_out",
            name=plain(display.split(" ")[0] or display, 40),
            product=", ".join(plain(infos[p].label, 60) for p in gone),
            amount=quantity(first[1], info.unit, turn.locale).lstrip("×"),
        )
        replies.append(Reply(turn.message.chat_id, text, turn.message.message_id, "sold_out"))
    return replies, changes


def _finished(read: Read) -> set[str]:
    """The products a clause says are finished ("plus de X", "no more X", "X sold out")."""
    found: set[str] = set()
    cuts = [i for i, w in enumerate(read.words) if w in (".", "!", "?", "\n", ";", ",")]
    sorry = not _SORRY.isdisjoint(read.words)
    start = 0
    for end in [*cuts, len(read.words)]:
        # One clause at a time: "Désolée, plus de raclette cette semaine, … du morbier ?"
        text = " " + " ".join(read.words[start:end]) + " "
        if any(p in text for p in _SOLD_OUT) or (
            sorry and (" plus de " in text or " plus d " in text)
        ):
            # What follows an offering word is the substitute: "… je vous mets des tourteaux"
            offer_at = next((i for i in range(start, end) if read.words[i] in SUBSTITUTING), end)
            found.update(p.code for p in read.products if start <= p.start < offer_at)
        start = end + 1
    return found


def _remember_offer(turn: Turn, window_id: int, read: Read, addressees: list[int]) -> None:
    """ "Ifeoma, shall I do it as 2 cases?": the options offered to the members addressed."""
    if not read.questions and OFFERING.isdisjoint(read.words):
        return
    if (
        read.products
        or read.amounts
        or any(_names_a_product(w, turn.view.index) for w in read.words)
    ):
        for member_id in addressees:
            _offer_to(turn, window_id, read, member_id)


def _names_a_product(word: str, index: ProductIndex) -> bool:
    """Whether a word could name an option ("small instead?"): without one, and without a
    product or an amount, a question offers nothing ("Hugo, tu peux réécrire ta commande ?")."""
    return len(word) >= 3 and (word.isalpha() or word.isdigit()) and bool(index.saying(word))


def _offer_to(turn: Turn, window_id: int, read: Read, member_id: int) -> None:
    index, ids = turn.view.index, turn.view.ids
    _order_id, lines = ledger.order_lines(turn.conn, window_id, member_id)
    held = {turn.view.codes[p]: q for p, q in lines.items()}
    asked = _asked_about(turn, window_id, member_id)
    options: dict[str, Decimal | None] = {}
    replaced: dict[str, Decimal | None] = {}
    for p in read.products:
        if p.code in held or p.code in asked:
            replaced[p.code] = held.get(p.code, asked.get(p.code))
        else:
            options[p.code] = _amount_of(p, index)
    if not options:
        kinds = [c for w in read.words for c in index.kinds(w)]
        near = [*held, *asked, *kinds]
        options = (
            _options_by_size(index, read, near)
            or _options_by_pack(index, read, near)
            or _options_by_word(index, read, near, exclude=set(held))
        )
    if not options:
        return
    for code in options:
        if code in held or code in asked:
            replaced[code] = held.get(code, asked.get(code))  # "250 g or 500 g?" to a 500 g jar
        for sibling in index.siblings(code):
            if sibling not in options and (sibling in held or sibling in asked):
                replaced.setdefault(sibling, held.get(sibling, asked.get(sibling)))
    if not _ADDING.isdisjoint(read.words) and THEN.isdisjoint(read.words):
        replaced = {}  # "je te rajoute un campagne de 1 kg ?": on top of what they have
    elif _lacking(read, index):
        # In place of what the catalogue lacks: the rest of the order stays as it is.
        replaced = {c: q for c, q in replaced.items() if c in options}
    elif not replaced and not OFFERING.isdisjoint(read.words):
        # "je vous mets plutôt des noix ?": instead of what they ordered of the same thing.
        near = {c: q for c, q in held.items() if any(index.related(c, o) for o in options)}
        replaced.update(near)
    for code, value in options.items():
        _add(turn, window_id, member_id, OFFER, ids[code], value)
    for code, value in replaced.items():
        _add(turn, window_id, member_id, REPLACES, ids[code], value)


def _lacking(read: Read, index: ProductIndex) -> bool:
    """ "pas de baguettes chez Yannick, je te mets un campagne à la place ?": the offer
    stands in for something the catalogue does not sell, not for what the member holds."""
    words = read.words
    for i, word in enumerate(words[:-1]):
        if word not in ("pas", "no"):
            continue
        after = words[i + 2] if words[i + 1] in ("de", "d") and i + 2 < len(words) else words[i + 1]
        if len(after) >= 4 and after.isalpha() and not index.saying(after):
            return True
    return False


def _addressees(turn: Turn) -> list[int]:
    """The members an offer is for: the author of the message replied to, those @mentioned,
    and those named in its first words ("Farid, …")."""
    found: list[int] = []
    replied = turn.replied()
    if replied is not None and replied.member_id not in (None, turn.member_id):
        found.append(replied.member_id)
    words = turn.text.split()
    named = {fold(w).strip("@,:!?.") for w in words[:4]}
    # An @mention names someone even with a short name ("@Mo"); a first word needs three
    # letters not to be a word of the sentence.
    mentioned = {fold(w).strip("@,:!?.") for w in words if w.startswith("@")}
    for member_id, display in _MEMBERS.rows(turn.conn, {"club": turn.club.id}):
        first = _first_name(display)
        if (
            (first in mentioned or (len(first) >= 3 and first in named))
            and first
            and member_id not in (turn.member_id, *found)
        ):
            found.append(member_id)
    return found


@lru_cache(maxsize=4096)
def _first_name(display: str) -> str:
    """ "Laure" of "Laure B.", folded as the words of a message are."""
    return fold(display.split(" ")[0]).strip()


def _asked_about(turn: Turn, window_id: int, member_id: int) -> dict[str, Decimal | None]:
    """The product of the bot's open question to the member, with the amount it holds."""
    pending = ledger.open_question(turn.conn, window_id, member_id)
    if pending is None or pending.product_id is None:
        return {}
    code = turn.view.codes[pending.product_id]
    return {code: Decimal(pending.quantity) if pending.quantity is not None else None}


def _options_by_size(index: ProductIndex, read: Read, near: list[str]) -> dict[str, Decimal | None]:
    """ "pot de 250 g ou de 500 g ?": the sizes of the product the member is ordering."""
    sizes = {
        (q.amount.dimension, q.amount.value * q.amount.factor)
        for q in read.amounts
        if q.amount.dimension in ("mass", "volume")
    }
    options: dict[str, Decimal | None] = {}
    for code in near:
        for sibling in index.siblings(code):
            pack = index.products[sibling].pack
            if pack is not None and (pack.dimension, pack.amount) in sizes:
                options[sibling] = None
    return options if len(options) >= 2 else {}


def _options_by_pack(index: ProductIndex, read: Read, near: list[str]) -> dict[str, Decimal | None]:
    """ "shall I do it as 2 cases?": the product of the family sold in that pack."""
    options: dict[str, Decimal | None] = {}
    for q in read.amounts:
        word = stem(q.amount.word or "")
        if not word:
            continue
        for code in near:
            if index.says(code, word):
                continue  # "24 tins" of the tinned product itself
            for sibling in index.siblings(code):
                if sibling not in near and packed_in(index, sibling, word):
                    options[sibling] = q.amount.value * q.amount.factor
    return options


def _options_by_word(
    index: ProductIndex, read: Read, near: list[str], exclude: set[str] | None = None
) -> dict[str, Decimal | None]:
    """ "large box is light this week, small instead?": the product of the same kind that a
    word of the offer names."""
    named = {i for p in read.products for i in range(p.start, p.end)}
    options: dict[str, Decimal | None] = {}
    for i, word in enumerate(read.words):
        if (
            i in named
            or len(word) < 3
            or not (word.isalpha() or (word.isdigit() and len(word) == 4))
        ):
            continue  # a word, or a year ("le 2021 à la place")
        for code in index.saying(word):
            if (
                code not in (near if exclude is None else exclude)
                and index.products[code].available
                and any(index.related(code, c) for c in near)
            ):
                options[code] = None
    return options


def _amount_of(p: P, index: ProductIndex) -> Decimal | None:
    if p.qty is None:
        return None
    return to_catalog_unit(p.qty.amount, index.products[p.code]) or None


def _add(
    turn: Turn, window_id: int, member_id: int, kind: str, product_id: int, value: Any
) -> None:
    ledger.add_question(
        turn.conn,
        window_id=window_id,
        member_id=member_id,
        record_id=turn.record_id,
        kind=kind,
        product_id=product_id,
        quantity=value,
        mode="set",
        status="open",
        created_at=turn.message.sent_at,
    )


_MEMBERS = Prepared(
    select(ledger.member_t.c.id, ledger.member_t.c.display_name).where(
        ledger.member_t.c.club_id == bindparam("club")
    )
)
