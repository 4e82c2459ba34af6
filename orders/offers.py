"""Offers made to a member by the supplier or an organiser, and the member's answer to them.

"Ifeoma, 24 tins is 2 cases, shall I do it as 2 cases?" then "Yes please, 2 cases";
"pot de 250 g ou de 500 g ?" then "Le grand 👍"; "sorry, no more spinach this week" then
"chard then". An offer is remembered as open questions of the member it is addressed to
(by a reply, an @mention or their first name): one row per option ("offer") and per
product the options would replace ("offer_for"). The member's next short message is read
against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, or_, select

from orders import ledger
from orders.fastsql import Prepared
from orders.messages import LineChange, Reply
from orders.parsing import Action, Item, ProductIndex, Removal, to_catalog_unit
from orders.parsing.elements import P, Q, find_elements
from orders.parsing.lexicon import NO, YES
from orders.parsing.structure import bind, split_segments, split_sentences
from orders.parsing.text import Token, fold, normalize, stem, tokenize
from orders.replies import plain, quantity
from orders.turn import Turn

OFFER, REPLACES = "offer", "offer_for"
_OFFERING = frozenset(
    {"plutot", "instead", "place", "rather", "propose", "suggest", "shall", "should", "prefer"}
)
_SUBSTITUTING = _OFFERING | {"mets", "mettre", "proposer", "offer", "can", "peux", "could"}
_AGREE = YES | frozenset(
    {"parfait", "perfect", "great", "super", "top", "nickel", "please", "deal", "go", "va", "bon"}
)
_THEN = frozenset({"alors", "then", "plutot", "instead", "place", "rather"})
_BIG = frozenset({"grand", "grande", "gros", "grosse", "large", "big", "bigger", "larger", "plus"})
_SMALL = frozenset({"petit", "petite", "small", "smaller", "little", "moins"})
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


@dataclass(frozen=True, slots=True)
class _Read:
    """A message read for its product mentions and amounts."""

    tokens: list[Token]
    words: list[str]
    products: list[P]
    amounts: list[Q]
    questions: list[tuple[int, int]]  # token spans of sentences ending in "?"


def _instead_at(words: list[str], start: int) -> bool:
    """ "à la place", "au lieu": never the plaice or the pollack of a fish club."""
    return words[max(0, start - 2) : start + 1] == ["a", "la", "place"] or (
        start > 0 and words[start - 1 : start + 1] == ["au", "lieu"]
    )


def _read(text: str, index: ProductIndex) -> _Read:
    tokens = tokenize(normalize(text))
    words = [t.text for t in tokens]
    flat = " " + " ".join(words) + " "
    found = [m for m in index.find(tokens) if not _instead_at(words, m.start)]
    elements = find_elements(tokens, found)
    sentences = split_sentences(tokens, flat)
    for segment in split_segments(tokens, sentences, elements):
        if len(segment.elements) > 1:
            bind(segment, words)
    return _Read(
        tokens,
        words,
        [_sized(e, index) for e in elements if isinstance(e, P)],
        [e for e in elements if isinstance(e, Q)],
        [(s.start, s.end) for s in sentences if s.question],
    )


def _sized(p: P, index: ProductIndex) -> P:
    """ "plus de farine d'épeautre en sac de 5 kg": the product sold in that pack."""
    q = p.qty
    if q is None or q.amount.dimension not in ("mass", "volume"):
        return p
    if index.products[p.code].unit != "pack":
        return p
    size = q.amount.value * q.amount.factor
    sibling = index.sized_sibling(p.code, p.named, q.amount.dimension, size)
    return p if sibling is None else replace(p, code=sibling[0])


# --- the supplier's or organiser's side --------------------------------------------------------


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
            _remember_offer(turn, window_id, _read(turn.text, turn.view.index), addressees)
        return [], []
    read = _read(turn.text, turn.view.index)
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
_OFFERING_RE = re.compile("|".join(sorted(_OFFERING | {"plutôt", "préf"})))
_NAME_FIRST = re.compile(r"[^\W\d_][\w'-]{2,}\s?[,:]", re.UNICODE)


def _sold_out(turn: Turn, window_id: int, read: _Read) -> tuple[list[Reply], list[LineChange]]:
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


def _finished(read: _Read) -> set[str]:
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
            offer_at = next((i for i in range(start, end) if read.words[i] in _SUBSTITUTING), end)
            found.update(p.code for p in read.products if start <= p.start < offer_at)
        start = end + 1
    return found


def _remember_offer(turn: Turn, window_id: int, read: _Read, addressees: list[int]) -> None:
    """ "Ifeoma, shall I do it as 2 cases?": the options offered to the members addressed."""
    if not read.questions and _OFFERING.isdisjoint(read.words):
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


def _offer_to(turn: Turn, window_id: int, read: _Read, member_id: int) -> None:
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
    if not _ADDING.isdisjoint(read.words) and _THEN.isdisjoint(read.words):
        replaced = {}  # "je te rajoute un campagne de 1 kg ?": on top of what they have
    elif _lacking(read, index):
        # In place of what the catalogue lacks: the rest of the order stays as it is.
        replaced = {c: q for c, q in replaced.items() if c in options}
    elif not replaced and not _OFFERING.isdisjoint(read.words):
        # "je vous mets plutôt des noix ?": instead of what they ordered of the same thing.
        near = {c: q for c, q in held.items() if any(index.related(c, o) for o in options)}
        replaced.update(near)
    for code, value in options.items():
        _add(turn, window_id, member_id, OFFER, ids[code], value)
    for code, value in replaced.items():
        _add(turn, window_id, member_id, REPLACES, ids[code], value)


def _lacking(read: _Read, index: ProductIndex) -> bool:
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


def _options_by_size(
    index: ProductIndex, read: _Read, near: list[str]
) -> dict[str, Decimal | None]:
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


def _options_by_pack(
    index: ProductIndex, read: _Read, near: list[str]
) -> dict[str, Decimal | None]:
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
                if sibling not in near and _packed_in(index, sibling, word):
                    options[sibling] = q.amount.value * q.amount.factor
    return options


def _options_by_word(
    index: ProductIndex, read: _Read, near: list[str], exclude: set[str] | None = None
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


def _packed_in(index: ProductIndex, code: str, word: str) -> bool:
    return index.products[code].pack_word == word or index.says(code, word)


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


# --- the member's side -------------------------------------------------------------------------

_ANSWER_WORDS = _AGREE | _THEN | _BIG | _SMALL
_SIZE_WORDS = (_BIG | _SMALL | {"medium", "moyen", "moyenne"}) - {"plus", "moins"}
_DIGIT = re.compile("[0-9]")


def may_answer(words: list[str], actions: list[Action], named: bool = False) -> bool:
    """Whether a message could answer an offer: short, ordering nothing clear by itself
    ("le grand 👍", "yes please, 2 cases", or a product named alone: "unsmoked ta").

    Cheap, so that the ledger is asked for open offers only for such messages.
    """
    if len(words) > 14:
        return False
    for action in actions:
        if isinstance(action, Item):
            return False
    if named and not actions and len(words) <= 5 and "?" not in words:
        return True
    return not _ANSWER_WORDS.isdisjoint(words) or _DIGIT.search(" ".join(words)) is not None


def open_offers(turn: Turn, window_id: int) -> list[_Offer]:
    """The open offers made to this member in this week."""
    rows = _OPEN_OFFERS.rows(turn.conn, {"member": turn.member_id, "window": window_id})
    return [_Offer(str(kind), int(product), _dec(value)) for kind, product, value in rows]


@dataclass(frozen=True, slots=True)
class _Offer:
    kind: str
    product_id: int
    quantity: Decimal | None


_MEMBERS = Prepared(
    select(ledger.member_t.c.id, ledger.member_t.c.display_name).where(
        ledger.member_t.c.club_id == bindparam("club")
    )
)
_clar = ledger.clar_t
_OPEN_OFFERS = Prepared(
    select(_clar.c.kind, _clar.c.product_id, _clar.c.quantity).where(
        _clar.c.member_id == bindparam("member"),
        _clar.c.status == "open",
        _clar.c.window_id == bindparam("window"),
        or_(_clar.c.kind == OFFER, _clar.c.kind == REPLACES),
        _clar.c.product_id.is_not(None),
    )
)


def read_answer(turn: Turn, rows: list[_Offer], actions: list[Action]) -> list[Action]:
    """The member's answer read against the offers: the option taken, and what it replaces."""
    index, codes = turn.view.index, turn.view.codes
    options = {codes[r.product_id]: _dec(r.quantity) for r in rows if r.kind == OFFER}
    replaced = {codes[r.product_id]: _dec(r.quantity) for r in rows if r.kind == REPLACES}
    read = _read(turn.text, index)
    words = set(read.words)
    if not NO.isdisjoint(words) and _THEN.isdisjoint(words):
        return []  # "no thanks, just drop the large ones": the offer is declined
    packs = _by_pack_size(index, read, [*options, *replaced])
    if packs:
        # "12 + 6 c'est parfait" to "une boîte de 12 + une de 6, ou 3 boîtes de 6 ?"
        kept: list[Action] = [Removal(c) for c in replaced if c not in packs]
        return kept + [Item(c, n, "set") for c, n in packs.items()]
    chosen = _chosen(index, read, words, options, replaced)
    if chosen is None:
        return []
    value = _answer_amount(index, read, chosen, actions)
    if value is None:
        value = options.get(chosen)
    mode = "set"
    if value is None:
        same_unit = [
            q
            for c, q in replaced.items()
            if q is not None and index.products[c].unit == index.products[chosen].unit
        ]
        value = same_unit[0] if same_unit else None
        mode = "add"  # what it replaces comes on top of what they had of it already
    if value is None and index.products[chosen].unit in ("piece", "pack", "bunch"):
        value = Decimal(1)
    if value is None:
        return []
    out: list[Action] = [Removal(c) for c in replaced if c != chosen]
    out.append(Item(chosen, value, mode if chosen not in replaced else "set"))
    return out


def _by_pack_size(index: ProductIndex, read: _Read, candidates: list[str]) -> dict[str, Decimal]:
    """Bare counts that are each the size of one of the packs on offer: one pack of each."""
    counted = [q for q in read.amounts if q.amount.dimension is None and not q.bound]
    if not counted or read.products:
        return {}
    taken: dict[str, Decimal] = {}
    for q in counted:
        size = q.amount.value * q.amount.factor
        fits = [
            c
            for c in candidates
            if (pack := index.products[c].pack) is not None
            and pack.dimension == "piece"
            and pack.amount == size
        ]
        if len(fits) != 1:
            return {}
        taken[fits[0]] = taken.get(fits[0], Decimal(0)) + 1
    return taken


def _chosen(
    index: ProductIndex,
    read: _Read,
    words: set[str],
    options: dict[str, Decimal | None],
    replaced: dict[str, Decimal | None],
) -> str | None:
    named = [p.code for p in read.products if p.code in options]
    if len(set(named)) == 1:
        return named[0]
    others = [p.code for p in read.products if p.code not in replaced]
    if replaced and len(set(others)) == 1 and (not _THEN.isdisjoint(words) or len(words) <= 4):
        return others[0]  # "chard then": a substitute the supplier did not name
    sized = [c for c in options if any(index.says(c, w) for w in words & _SIZE_WORDS)]
    if len(sized) == 1:
        return sized[0]  # "le grand 👍" to "le petit ou le grand ?"
    if len(options) >= 2 and not (_BIG.isdisjoint(words) and _SMALL.isdisjoint(words)):
        ranked = sorted(options, key=lambda c: _size(index, c))
        return ranked[-1] if not _BIG.isdisjoint(words) else ranked[0]
    for q in read.amounts:
        word = q.amount.word
        packed = [c for c in options if word and _packed_in(index, c, stem(word))]
        if len(packed) == 1:
            return packed[0]  # "yes please, 2 cases"
    if len(options) == 1 and not _AGREE.isdisjoint(words):
        return next(iter(options))
    return None


def _answer_amount(
    index: ProductIndex, read: _Read, chosen: str, actions: list[Action]
) -> Decimal | None:
    for q in read.amounts:
        if q.bound and not any(p.qty is q and p.code == chosen for p in read.products):
            continue
        value = to_catalog_unit(q.amount, index.products[chosen])
        if value:
            return value
    return None


def _size(index: ProductIndex, code: str) -> Decimal:
    info = index.products[code]
    return info.pack.amount if info.pack is not None else info.price


def _dec(value: Any) -> Decimal | None:
    """A stored quantity (SQLite may hand back a float) as the decimal it was written as."""
    return Decimal(str(value)).normalize() if value is not None else None
