"""Reading orders the way neighbours write them, in French and English.

Everything the parser knows about products comes from the club's catalogue
(:class:`ProductIndex`); everything it knows about language is in
:mod:`orders.parsing.lexicon`.
"""

from orders.parsing.grammar import mentions, parse
from orders.parsing.intents import (
    Action,
    Answer,
    Ask,
    ClearAll,
    CopyOrder,
    Item,
    NotInCatalog,
    ParseContext,
    ParseResult,
    Removal,
)
from orders.parsing.products import ProductIndex, ProductInfo
from orders.parsing.units import Amount, limit_for, to_catalog_unit

__all__ = [
    "Action",
    "Amount",
    "Answer",
    "Ask",
    "ClearAll",
    "CopyOrder",
    "Item",
    "NotInCatalog",
    "ParseContext",
    "ParseResult",
    "ProductIndex",
    "ProductInfo",
    "Removal",
    "limit_for",
    "mentions",
    "parse",
    "to_catalog_unit",
]
