"""Why a message that names products is not an order, in words `orderbot replay --explain` prints.

Every message of an open week ends in a ledger change, a question, or one of these
decisions; a message that names an orderable product with an amount and gets none of
the three is a silent miss.
"""

from __future__ import annotations

from orders.parsing.draft import Draft
from orders.parsing.lexicon import SHARING as SHARING_WORDS
from orders.parsing.products import Mention
from orders.parsing.structure import Sentence

SUPPLIER = "the supplier's information"
ORGANISER = "an organiser's information"
ANSWER_TO_OTHER = "an answer to another member's message"
RECIPE = "a recipe or an ingredient list"
QUESTION = "a question"
COOKING = "a question about cooking"
PROPOSAL = "a proposal to share"
STORY = "a story about another week"
ADVICE = "advice to another member"
NO_PRODUCT = "no product named"
NO_AMOUNT = "a product named without asking for it"

# Words of the kitchen: a question that holds one asks how to cook, not what to order.
COOKING_WORDS = frozenset(
    {
        "cuire",
        "cuisson",
        "cuisiner",
        "cuit",
        "cuits",
        "four",
        "couteau",
        "ouvrir",
        "recette",
        "recipe",
        "cook",
        "cooking",
        "boil",
        "bake",
        "roast",
        "oven",
        "knife",
        "open",
        "steam",
        "vapeur",
        "minutes",
        "conserver",
        "keep",
        "store",
        "freeze",
        "congeler",
        "mariner",
        "marinade",
        "long",
        "longtemps",
    }
)


def why_not(
    draft: Draft, sentences: list[Sentence], mentions: list[Mention], words: list[str]
) -> str:
    """The reason a message with no action is not an order."""
    if not mentions:
        return NO_PRODUCT
    asking = bool(draft.asked) or any(s.question for s in sentences)
    word_set = set(words)
    if asking and not SHARING_WORDS.isdisjoint(word_set):
        return PROPOSAL
    if asking and not COOKING_WORDS.isdisjoint(word_set):
        return COOKING
    if asking:
        return QUESTION
    if draft.aside:
        return draft.aside
    return NO_AMOUNT
