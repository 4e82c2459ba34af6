"""Reading a message the way the thread's members do: the steps that need more than the words.

Each test names the step it exercises; the phrases come from the kinds of messages new
clubs write (orders after a conversation, questions and stories that hold amounts, forms,
shorthand, answers to someone else's offer).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers.catalogs import index

from orders.parsing import (
    Ask,
    Item,
    ParseContext,
    ParseResult,
    ProductIndex,
    ProductInfo,
    Removal,
    parse,
)
from orders.parsing import reasons as why

D = Decimal


def read(text: str, club: str = "fish", **context: object) -> ParseResult:
    return parse(text, index(club), ParseContext(**context))  # type: ignore[arg-type]


def item(product: str, quantity: str, mode: str = "set") -> Item:
    return Item(product, D(quantity), mode)


# --- no silent miss: an order after conversation --------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bon, va pour les rillettes alors, 2 pots", [item("rillettes", "2")]),
        ("Bon, va pour les rillettes alors. 2 pots svp", [item("rillettes", "2")]),
        ("des moules, 2 kg", [item("moules", "2")]),
        ("ok pour les bulots alors, 1,5 kg", [item("bulots", "1.5")]),
    ],
)
def test_an_amount_after_the_product_just_named_orders_it(text: str, expected: list[Item]) -> None:
    assert read(text).actions == expected


def test_an_amount_in_the_wrong_unit_after_the_product_is_asked_about() -> None:
    actions = read("va pour les maquereaux alors, 1 kg").actions
    assert [(a.kind, a.product) for a in actions if isinstance(a, Ask)] == [("unit", "maquereau")]


@pytest.mark.parametrize(
    "text",
    ["je prends les moules", "I'll take the mussels please", "moules svp", "Moules pour 6 svp"],
)
def test_a_product_asked_for_without_an_amount_is_a_question(text: str) -> None:
    assert read(text).actions == [Ask("vague", "moules")]


def test_thanks_for_a_product_is_no_request() -> None:
    assert read("merci pour les moules").actions == []


def test_an_amount_after_talk_about_last_week_orders_nothing() -> None:
    result = read("Les moules de la semaine dernière étaient top, 2 kg")
    assert result.actions == []
    assert result.reason == why.STORY


# --- non-orders never change the ledger -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("j'ai 24 huîtres à ouvrir, quelqu'un a un bon couteau ?", why.COOKING),
        ("Anyone know how to open 2 dozen oysters?", why.COOKING),
        ("how long for 2 kg of mussels?", why.COOKING),
        ("Quelqu'un veut partager une araignée avec moi ?", why.PROPOSAL),
        ("anyone want to split a crab with me?", why.PROPOSAL),
        ("Quelqu'un pour partager un homard cette semaine", why.PROPOSAL),
        # What follows the proposal is not an amount of the product proposed.
        ("Qui pour partager une araignée avec moi ? c'est trop pour un célibataire", why.PROPOSAL),
        ("anyone want to split a crab? one is too much for me", why.PROPOSAL),
        (
            "Recette : 1 kg de moules, 2 échalotes, 20 cl de vin blanc, persil.",
            why.RECIPE,
        ),
        ("Ingredients: 500g mussels, 2 shallots, 1 glass of white wine", why.RECIPE),
        # An ingredient list without a header: amounts of things mostly not sold here.
        (
            "For those who asked, my stew: 1 kg mussels, 3 leeks, 4 potatoes, 2 carrots. "
            "Simmer 2 hrs",
            why.RECIPE,
        ),
        (
            "Pour celles qui m'ont demandé ma recette : 250 g de farine, 200 g de beurre, "
            "150 g de sucre, 5 jaunes et 2 soles pour la suite",
            why.RECIPE,
        ),
        ("Ma recette de moules : 2 kg de moules, 2 échalotes, 20 cl de vin blanc", why.RECIPE),
        ("On a mangé 2 kg de moules à nous deux", why.STORY),
        ("@Karim oui, 2 kg de moules ça suffit pour 4", why.ADVICE),
        ("Karim, I'd say a dozen oysters is plenty for two", why.ADVICE),
        ("Moules : comptez 500 g par personne", why.ADVICE),
        ("Karim, 2 kg de moules c'est largement assez pour 4", why.ADVICE),
        ("On était 6 et 2 kg de moules ont suffi", why.STORY),
        ("Les 2 soles de la semaine dernière étaient délicieuses", why.STORY),
    ],
)
def test_a_non_order_holding_amounts_orders_nothing_and_says_why(text: str, reason: str) -> None:
    result = read(text)
    assert result.actions == []
    assert result.reason == reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 kg de moules, on sera 6 à table", [item("moules", "2")]),
        ("je prends 2 kg de moules, ça suffira pour 4", [item("moules", "2")]),
        ("Finalement 1 kg de moules ça suffit", [item("moules", "1")]),
        ("je partage avec ma voisine : 2 kg de moules", [item("moules", "2")]),
        ("3 soles : 2 pour moi et 1 pour Anne", [item("sole", "3")]),
        ("3 soles pour eux, 2 pour moi", [item("sole", "5")]),
        (
            "fine, you've convinced me: two mackerel and a crab",
            [item("maquereau", "2"), item("tourteau", "1")],
        ),
        ("Allez, je me lance : 1 kg de palourdes", [item("palourdes", "1")]),
    ],
)
def test_orders_beside_those_readings_still_count(text: str, expected: list[Item]) -> None:
    assert read(text).actions == expected


def test_an_organisers_information_says_so() -> None:
    result = read("Pour info la grande caisse fait environ 7 kg de moules", role="organiser")
    assert result.actions == [] and result.reason == why.ORGANISER
    result = read("The large box is about 7 kg", role="supplier")
    assert result.actions == [] and result.reason == why.SUPPLIER


# --- forms, lists, shorthand and ellipsis ---------------------------------------------------

_SHOP = [
    ("veg-large", "Large veg box", "piece", []),
    ("veg-small", "Small veg box", "piece", []),
    ("cidre", "Cidre brut (bouteille 75 cl)", "piece", ["cidre"]),
    ("wine", "Côtes du Rhône (bottle)", "piece", ["rhone", "red wine"]),
    ("eggs", "Free-range eggs (half-dozen box)", "pack", ["eggs"]),
    ("pain-seigle", "Pain de seigle", "piece", []),
    ("pain-campagne", "Pain de campagne", "piece", []),
    ("farine-seigle", "Farine de seigle", "kg", []),
    ("yaourt-fruits", "Yaourts aux fruits (lot de 4)", "pack", []),
    ("yaourt-nature", "Yaourts nature (lot de 4)", "pack", []),
    ("oats", "Porridge oats", "kg", ["oats"]),
]
SHOP = ProductIndex.build([ProductInfo.build(c, n, u, D(1), a) for c, n, u, a in _SHOP])


def shop(text: str) -> list[object]:
    return parse(text, SHOP, ParseContext()).actions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 lrg box", [item("veg-large", "2")]),
        ("1 sm box please", [item("veg-small", "1")]),
        ("1 lrg veg box, 1 sm", [item("veg-large", "1"), item("veg-small", "1")]),
        ("2 small boxes", [item("veg-small", "2")]),
        ("1 large box", [item("veg-large", "1")]),
        ("2 btl cidre", [item("cidre", "2")]),
        ("3 btl of rhone", [item("wine", "3")]),
        ("cidre x2", [item("cidre", "2")]),
        ("2x cidre", [item("cidre", "2")]),
        ("2 doz eggs", [item("eggs", "4")]),
        ("half a dozen bottles of cidre then", [item("cidre", "6")]),
        ("1/2 kg oats", [item("oats", "0.5")]),
        ("500gr oats", [item("oats", "0.5")]),
        ("1 kilo 2 d'oats", [item("oats", "1.2")]),
    ],
)
def test_shorthand(text: str, expected: list[Item]) -> None:
    assert shop(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sole - qté 2", [item("sole", "2")]),
        ("Moules : 2 (kg)", [item("moules", "2")]),
        ("Huîtres n°3 | 2 douz.", [item("huitres-n3", "2")]),
        ("Commande de Laure\nMoules\t2\nSoles\t3", [item("moules", "2"), item("sole", "3")]),
        (
            "Laure :\n2 kg moules\nbulots 1\n3 x soles",
            [item("moules", "2"), item("bulots", "1"), item("sole", "3")],
        ),
        ("3 pcs sole", [item("sole", "3")]),
        (
            "Commande Laure :\n* moules (kg) : 2\n* soles (pièce) : 3",
            [item("moules", "2"), item("sole", "3")],
        ),
        ("Moules (kg): 2, Soles (pce): 3", [item("moules", "2"), item("sole", "3")]),
        ("soles , 3", [item("sole", "3")]),
        ("Produit | Qté\nMoules | 2\nSoles | 3", [item("moules", "2"), item("sole", "3")]),
    ],
)
def test_forms_and_lists(text: str, expected: list[Item]) -> None:
    assert read(text).actions == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2 lots de yaourts aux fruits + 2 nature",
            [item("yaourt-fruits", "2"), item("yaourt-nature", "2")],
        ),
        ("1 campagne, 1 seigle", [item("pain-campagne", "1"), item("pain-seigle", "1")]),
        ("1 kg de seigle", [item("farine-seigle", "1")]),
        (
            "2 pains de campagne et 1 de seigle",
            [item("pain-campagne", "2"), item("pain-seigle", "1")],
        ),
    ],
)
def test_a_word_that_tells_a_product_from_its_siblings_names_it(
    text: str, expected: list[Item]
) -> None:
    assert shop(text) == expected


def test_a_unit_word_alone_names_no_product() -> None:
    assert shop("2 box") == []


def test_a_size_alone_names_no_product() -> None:
    assert shop("the small one thanks") == []


# --- steps a new club's week asked for --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Il me reste 300 g de moules au congélateur",
        "j'ai 24 huîtres à ouvrir ce soir",
        "I've got 2 kg of mussels in the freezer",
        "Last winter I bought 10 kg of mussels and they were gone in a day",
        "Qui veut partager un tourteau avec moi ? On en prend 1 chacun",
        "Chowder if anyone wants it: 500g mussels, 2 cloves of garlic, spices. Feeds 4.",
    ],
)
def test_what_one_has_stories_and_shares_order_nothing(text: str) -> None:
    assert read(text).actions == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Moules 1 kilo 2 et 3 soles", [item("moules", "1.2"), item("sole", "3")]),
        ("500 g de moules pour moi et 500 g pour ma voisine", [item("moules", "1")]),
        ("je prends le bar et 2 soles", [item("bar", "1"), item("sole", "2")]),
        ("bar and 2 soles pls", [item("bar", "1"), item("sole", "2")]),
    ],
)
def test_amounts_of_a_new_clubs_week(text: str, expected: list[Item]) -> None:
    assert read(text).actions == expected


def test_a_number_tells_a_sibling_apart() -> None:
    aged = ProductIndex.build(
        [
            ProductInfo.build("comte-12", "Comté 12 mois", "kg", D(20)),
            ProductInfo.build("comte-24", "Comté 24 mois", "kg", D(30)),
        ]
    )
    actions = parse("1 kg de comté 12 mois et 500 g de 24 mois", aged, ParseContext()).actions
    assert actions == [item("comte-12", "1"), item("comte-24", "0.5")]


def test_cancel_the_container_removes_the_one_product_it_fits() -> None:
    result = read("cancel the bocal please", order=(("soupe-de-poisson", D(1)), ("bar", D(2))))
    assert result.actions == [Removal("soupe-de-poisson")]


@pytest.mark.parametrize(
    "text",
    [
        "actually cancel the sea bass, just the soles",
        "annulez le bar, je garde les soles",
        "enlève le bar, juste les soles",
    ],
)
def test_what_is_kept_after_a_cancel_is_not_cancelled(text: str) -> None:
    result = read(text, order=(("bar", D(1)), ("sole", D(2))))
    assert result.actions == [Removal("bar")]
