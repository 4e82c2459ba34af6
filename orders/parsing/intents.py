"""What a message asks of the ledger, as plain values the core can apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from orders.parsing.units import Amount


@dataclass(frozen=True, slots=True)
class Item:
    """Order ``quantity`` (catalogue unit) of ``product``: replace it, or add to it."""

    product: str
    quantity: Decimal
    mode: str = "set"  # "set" or "add"


@dataclass(frozen=True, slots=True)
class Removal:
    """Take ``product`` out of the order."""

    product: str


@dataclass(frozen=True, slots=True)
class ClearAll:
    """Cancel the whole order."""


@dataclass(frozen=True, slots=True)
class Ask:
    """A question the bot must ask before anything is recorded.

    ``kind`` is "unit" (a piece product ordered by weight or the reverse),
    "vague" (no amount), "choice" ("2 ou 3"), "confirm" (an unusual amount) or
    "which" ("des pommes" when several kinds are sold: ``options`` holds their codes,
    ``product`` the first, ``said`` the word as written).
    """

    kind: str
    product: str
    quantity: Decimal | None = None
    options: tuple[str, ...] = ()
    mode: str = "set"
    said: str = ""


@dataclass(frozen=True, slots=True)
class NotInCatalog:
    """Something ordered that the catalogue does not have."""

    word: str


@dataclass(frozen=True, slots=True)
class CopyOrder:
    """Order the same as someone else ("pareil que Camille") or as last week.

    ``nearest``: "pareil" with no name and no reply link, the order written just before.
    """

    name: str | None = None
    last_week: bool = False
    nearest: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """A short reply to the bot's own question: an amount as written, or yes / no.

    The amount is converted with the product the question was about, which only
    the ledger knows.
    """

    amount: Amount | None = None
    yes: bool | None = None


Action = Item | Removal | ClearAll | Ask | NotInCatalog | CopyOrder | Answer


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What the parser may know beyond the text itself.

    ``recent_products`` are the products of the author's previous message when it
    was a question ("il reste des soles ?" then "j'en prends deux");
    ``reply_products`` those named in the message being replied to.
    """

    role: str = "member"  # "member", "organiser" or "supplier"
    reply_to_member: bool = False
    reply_products: tuple[str, ...] = ()
    recent_products: tuple[str, ...] = ()
    order: tuple[tuple[str, Decimal], ...] = ()
    awaiting: str | None = None  # kind of the open question the bot asked this author


@dataclass(slots=True)
class ParseResult:
    """The actions a message asks for, and what kind of message it was."""

    actions: list[Action] = field(default_factory=list)
    kind: str = "chatter"  # "order", "question", "answer", "announcement", "chatter"
    mentioned: tuple[str, ...] | None = ()  # None: not worked out (announcements)
    reason: str = ""  # why a message without actions is not an order (see orders.parsing.reasons)
    words: list[str] = field(default_factory=list)  # the message's words, as tokenised
