"""One small test per thing the parser knows, with the phrases each capability exists for.

Every expectation here is a requirement taken from the way members actually write
(``shared/spec/thread-replay.md``). A phrase the parser gets wrong stays in, marked
``xfail(strict=True)`` with what it returns, so that fixing the parser turns the mark into a
failure that asks for its removal; never weaken the assertion instead.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers.catalogs import index

from orders.parsing import (
    Amount,
    Answer,
    Ask,
    ClearAll,
    Item,
    NotInCatalog,
    ParseContext,
    ProductIndex,
    ProductInfo,
    Removal,
    parse,
)

D = Decimal


def actions(text: str, club: str = "fish", **context: object) -> list[object]:
    """The actions ``text`` asks for, as a member of ``club`` unless the context says otherwise."""
    return parse(text, index(club), ParseContext(**context)).actions  # type: ignore[arg-type]


def bug(phrase: str, returned: str, *values: object) -> object:
    """A requirement the parser does not meet yet: strict xfail, with what it returns today."""
    return pytest.param(
        phrase,
        *values,
        id=phrase,
        marks=pytest.mark.xfail(strict=True, reason=f"parser returns {returned}"),
    )


def item(product: str, quantity: str, mode: str = "set") -> Item:
    return Item(product, D(quantity), mode)


# --- quantities ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("deux soles", item("sole", "2")),
        ("une douzaine d'huîtres", item("huitres-n3", "1")),
        ("un kilo et demi de moules", item("moules", "1.5")),
        ("three soles", item("sole", "3")),
        ("half a dozen oysters", item("huitres-n3", "0.5")),
        ("a couple of soles", item("sole", "2")),
        ("une douzaine et demie d'huîtres", item("huitres-n3", "1.5")),
        ("two dozen oysters", item("huitres-n3", "2")),
        ("I'd like three soles please", item("sole", "3")),
        ("a dozen and a half oysters", item("huitres-n3", "1.5")),
    ],
)
def test_number_words_in_french_and_english(text: str, expected: Item) -> None:
    assert actions(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,5 kg de moules", item("moules", "1.5")),
        ("1.5 kg de moules", item("moules", "1.5")),
        ("0,5 kg de crevettes", item("crevettes-grises", "0.5")),
        ("1kg5 de moules", item("moules", "1.5")),
        ("moules 1kg5", item("moules", "1.5")),
    ],
)
def test_decimals_with_comma_or_point_and_1kg5(text: str, expected: Item) -> None:
    assert actions(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("½ kg de moules", item("moules", "0.5")),
        ("1/2 kg de moules", item("moules", "0.5")),
        ("1 ½ kg de moules", item("moules", "1.5")),
    ],
)
def test_fractions(text: str, expected: Item) -> None:
    assert actions(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("soles x2", item("sole", "2")),
        ("2x soles", item("sole", "2")),
        ("2x dorades", item("dorade", "2")),
        ("dorade x 2", item("dorade", "2")),
        ("×2 soles", item("sole", "2")),
        ("soles ×2", item("sole", "2")),
        ("soles 2x", item("sole", "2")),
    ],
)
def test_multiplication_signs(text: str, expected: Item) -> None:
    assert actions(text) == [expected]


@pytest.mark.parametrize("text", ["+1 sole", "+ 1 sole"])
def test_plus_one_adds(text: str) -> None:
    assert actions(text) == [item("sole", "1", "add")]


# --- units -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500 g de moules", item("moules", "0.5")),
        ("500 gr de moules", item("moules", "0.5")),
        ("2 kg de moules", item("moules", "2")),
        ("2 kg moules", item("moules", "2")),
        ("1 kilo de moules", item("moules", "1")),
        ("2 kilos de moules", item("moules", "2")),
        ("750g de crevettes", item("crevettes-grises", "0.75")),
        ("1,5kg de moules", item("moules", "1.5")),
    ],
)
def test_mass_units_give_kilos(text: str, expected: Item) -> None:
    assert actions(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("une livre de crevettes", item("crevettes-grises", "0.5")),
        ("1 livre de crevettes", item("crevettes-grises", "0.5")),
        ("une livre et demie de crevettes", item("crevettes-grises", "0.75")),
    ],
)
def test_une_livre_is_half_a_kilo(text: str, expected: Item) -> None:
    assert actions(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24 huîtres", item("huitres-n3", "2")),
        ("36 huîtres", item("huitres-n3", "3")),
        ("6 huîtres", item("huitres-n3", "0.5")),
        ("une demi-douzaine d'huîtres", item("huitres-n3", "0.5")),
        ("2 douzaines d'huîtres", item("huitres-n3", "2")),
    ],
)
def test_oysters_count_in_dozens(text: str, expected: Item) -> None:
    assert actions(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 bocal de soupe", item("soupe-de-poisson", "1")),  # sold by the litre, bocal 1 L
        ("2 bouteilles de soupe", item("soupe-de-poisson", "2")),
        ("2 pots rillettes", item("rillettes", "2")),
        ("1 pot de rillettes", item("rillettes", "1")),
    ],
)
def test_bottles_jars_and_pots(text: str, expected: Item) -> None:
    assert actions(text) == [expected]


@pytest.mark.parametrize("text", ["moules : 2", "moules: 2", "moules 2", "moules = 2"])
def test_bare_number_after_the_product_is_in_the_catalogue_unit(text: str) -> None:
    assert actions(text) == [item("moules", "2")]


# --- product names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "club", "expected"),
    [
        ("2 kg de bullots", "fish", item("bulots", "2")),
        ("3 dorrades", "fish", item("dorade", "3")),
        ("2 potimarons", "veg", item("potimarron", "2")),
        ("2 kg de carrotes", "veg", item("carottes", "2")),
    ],
)
def test_typos_still_find_the_product(text: str, club: str, expected: Item) -> None:
    assert actions(text, club) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 kg de noix de Saint-Jacques", item("noix-saint-jacques", "1")),
        ("1 kg de noix de st jacques", item("noix-saint-jacques", "1")),
        ("1 kg de noix", item("noix-saint-jacques", "1")),
        ("1 kg de Saint-Jacques", item("saint-jacques", "1")),
        ("1 kg de st jacques", item("saint-jacques", "1")),
    ],
)
def test_noix_de_saint_jacques_is_not_saint_jacques(text: str, expected: Item) -> None:
    assert actions(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 sea bream please", item("dorade", "2")),
        ("deux soles et une douzaine d'huîtres", [item("sole", "2"), item("huitres-n3", "1")]),
    ],
)
def test_english_names_and_lists(text: str, expected: Item | list[Item]) -> None:
    assert actions(text) == (expected if isinstance(expected, list) else [expected])


# Products sold in sized packs, with aliases that carry a number, as clubs write them.
PACKS = ProductIndex.build(
    [
        ProductInfo.build(*p)
        for p in (
            ("oeufs-6", "Œufs fermiers (boîte de 6)", "pack", D("2.80"), ["œufs", "boîte de 6"]),
            (
                "oeufs-12",
                "Œufs fermiers (boîte de 12)",
                "pack",
                D("5.40"),
                ["boîte de 12", "douzaine d'œufs"],
            ),
            ("forge", "Forge espresso (250 g bag)", "pack", D("7"), ["forge", "espresso"]),
            ("forge-1kg", "Forge espresso (1 kg bag)", "pack", D("24"), ["forge 1kg"]),
            ("decaf", "Swiss Water decaf beans (250 g bag)", "pack", D("8"), ["decaf"]),
            ("sencha", "Sencha green tea (100 g tin)", "pack", D("6"), ["sencha"]),
            ("beurre-doux", "Beurre doux (plaque de 250 g)", "pack", D("3"), ["beurre"]),
            ("beurre-sale", "Beurre salé (plaque de 500 g)", "pack", D("5.5"), ["beurre salé"]),
        )
    ]
)


def pack_actions(text: str, **context: object) -> list[object]:
    return parse(text, PACKS, ParseContext(**context)).actions  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("une boîte de 12 oeufs svp", item("oeufs-12", "1")),
        ("2 boîtes de 6 oeufs", item("oeufs-6", "2")),
        ("deux boites de six œufs", item("oeufs-6", "2")),
    ],
)
def test_a_number_in_a_product_name_is_not_an_amount(text: str, expected: Item) -> None:
    assert pack_actions(text) == [expected]


def test_a_product_asked_in_the_packs_of_another_is_counted_in_those_packs() -> None:
    assert pack_actions("une douzaine d'oeufs en boîtes de 6") == [item("oeufs-6", "2")]
    assert pack_actions("2 boîtes de 12 en boîtes de 6 svp") == [item("oeufs-6", "4")]
    # Two products of different families: "in" is not a repacking.
    assert pack_actions("1 decaf in sencha tins") == [item("decaf", "1")]
    assert pack_actions("2 decaf in forge bags") == [item("decaf", "2")]


# Product names that start with a word the grammar also uses, and eggs by the half-dozen.
PANTRY = ProductIndex.build(
    [
        ProductInfo.build(*p)
        for p in (
            ("almonds", "Whole almonds (250 g bag)", "pack", D("4.2"), ["almonds"]),
            ("olive-oil", "Extra virgin olive oil (1 litre bottle)", "litre", D("9.5"), []),
            ("eggs", "Free-range eggs (half-dozen box)", "pack", D("2.3"), ["eggs"]),
            ("oats", "Jumbo porridge oats", "kg", D("1.6"), ["oats"]),
        )
    ]
)


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("a dozen eggs pls", {}, [item("eggs", "2")]),
        ("Half a dozen eggs", {}, [item("eggs", "1")]),
        ("an extra bag of almonds please", {}, [item("almonds", "1", "add")]),
        ("cancel my whole order please", {"order": (("almonds", D(2)),)}, [ClearAll()]),
        ("need to cancel my whole order, sorry", {"order": (("oats", D(2)),)}, [ClearAll()]),
    ],
)
def test_grammar_words_at_the_head_of_a_product_name(
    text: str, context: dict[str, object], expected: list[object]
) -> None:
    assert parse(text, PANTRY, ParseContext(**context)).actions == expected  # type: ignore[arg-type]


def test_no_amount_of_a_pack_product_is_never_a_zero_line() -> None:
    found = pack_actions("0 kg of forge")
    assert not any(isinstance(a, Item) for a in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a 250g bag of the decaf", item("decaf", "1")),
        ("two 250g bags of decaf", item("decaf", "2")),
        ("2 x 500 g of decaf", item("decaf", "4")),
    ],
)
def test_so_many_containers_of_a_size(text: str, expected: Item) -> None:
    assert pack_actions(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1kg forge espresso", item("forge-1kg", "1")),
        ("2 kilos of espresso", item("forge-1kg", "2")),
        ("500 g of forge", item("forge", "2")),
        ("1 kg of decaf", item("decaf", "4")),
        # Another product, not a bigger bag of the same one.
        ("500 g de beurre", item("beurre-doux", "2")),
    ],
)
def test_a_weight_that_fills_a_bigger_bag_of_the_same_product_takes_that_bag(
    text: str, expected: Item
) -> None:
    assert pack_actions(text) == [expected]


def test_a_slip_of_two_letters_in_a_long_word_still_finds_the_product() -> None:
    assert pack_actions("2 sencah cheers") == [item("sencha", "2")]
    # One letter changed is another word: "course" is not the "courge".
    assert actions("pas de course cette semaine, 2 kg de carottes", "veg") == [
        item("carottes", "2")
    ]


def test_a_grammar_word_is_never_a_misspelt_product() -> None:
    """ "forget" is one letter from "forge", but before a colon it is a reminder."""
    assert pack_actions("And my own before I forget: 1 decaf") == [item("decaf", "1", "add")]
    assert pack_actions("so I don't forget: 1 decaf") == [item("decaf", "1")]
    assert pack_actions("forget the decaf", order=(("decaf", D(1)),)) == [Removal("decaf")]


# --- changes to an order ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "je rajoute 2 soles",
        "2 soles en plus",
        "also 2 soles",
        "et aussi 2 soles",
        "et 2 soles pour ma voisine",
    ],
)
def test_adding_words_add(text: str) -> None:
    assert actions(text) == [item("sole", "2", "add")]


@pytest.mark.parametrize(
    ("text", "club", "context", "expected"),
    [
        ("finalement 3 soles au lieu de 2", "fish", {}, item("sole", "3")),
        ("make it 2 soles instead of 3", "fish", {}, item("sole", "2")),
        ("plutôt 3kg de pdt que 5", "veg", {}, item("pommes-de-terre", "3")),
        ("2 kg de moules au lieu de 3", "fish", {}, item("moules", "2")),
        ("plutôt 2 bars que 3", "fish", {}, item("bar", "2")),
        ("finalement 3 au lieu de 2", "fish", {"order": (("sole", D(2)),)}, item("sole", "3")),
        ("make it 2 instead of 3", "fish", {"order": (("dorade", D(3)),)}, item("dorade", "2")),
    ],
)
def test_replacing_words_set_the_new_quantity(
    text: str, club: str, context: dict[str, object], expected: Item
) -> None:
    assert actions(text, club, **context) == [expected]


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("je remplace les dorades par 2 bars", {}, [Removal("dorade"), item("bar", "2", "add")]),
        ("je remplace les 2 dorades par 1 bar", {}, [Removal("dorade"), item("bar", "1", "add")]),
        (
            "swap my two sea bream for one sea bass",
            {},
            [Removal("dorade"), item("bar", "1", "add")],
        ),
        ("replace the sole with 2 dabs", {}, [Removal("sole"), item("limande", "2", "add")]),
        (
            "je remplace les dorades par des bars",
            {"order": (("dorade", D(2)),)},
            [Removal("dorade"), item("bar", "2", "add")],
        ),
        # What comes in adds to what the order already holds of it.
        (
            "swap the sole for a sea bass",
            {"order": (("sole", D(1)), ("bar", D(2)))},
            [Removal("sole"), item("bar", "1", "add")],
        ),
        (
            "remplacez la sole par un deuxième bar",
            {"order": (("sole", D(1)), ("bar", D(1)))},
            [Removal("sole"), item("bar", "1", "add")],
        ),
    ],
)
def test_swapping_removes_one_product_and_adds_the_other(
    text: str, context: dict[str, object], expected: list[object]
) -> None:
    assert actions(text, **context) == expected


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("pas de maquereaux finalement", "maquereau"),
        ("cancel the mackerel", "maquereau"),
        ("je retire les crevettes", "crevettes-grises"),
        ("no mackerel after all", "maquereau"),
        ("plus de maquereaux pour moi", "maquereau"),
        ("remove the whelks", "bulots"),
    ],
)
def test_removing_a_product(text: str, product: str) -> None:
    assert actions(text) == [Removal(product)]


@pytest.mark.parametrize(
    "text", ["j'annule tout", "cancel my order", "j'annule ma commande", "annulez tout svp"]
)
def test_cancelling_everything(text: str) -> None:
    assert actions(text) == [ClearAll()]


# --- messages that are not orders ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour à tous !",
        "Hello everyone!",
        "Bonne semaine à tous",
        "Merci beaucoup !",
        "merci Charles 🙏",
        "Thanks a lot!",
        "Bonjour Charles, merci et bonne journée !",
        "Super merci !",
        "à samedi !",
    ],
)
def test_greetings_and_thanks_change_nothing(text: str) -> None:
    assert actions(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "il reste des soles ?",
        "do you still have sole?",
        "c'est combien les soles ?",
        "est-ce qu'il y aura des huîtres samedi ?",
        "les noix de Saint-Jacques sont à 62€ le kilo ?",
        "vous avez encore des bars ?",
        "ça tient combien de temps au frigo les moules ?",
    ],
)
def test_questions_are_not_orders(text: str) -> None:
    result = parse(text, index("fish"), ParseContext())
    assert (result.actions, result.kind) == ([], "question")


@pytest.mark.parametrize(
    "text",
    [
        "Here's the recipe: 2 sole fillets, 1 tbsp butter, 2 tsp capers. Blitz the capers first",
        "la recette : 2 soles, faire mijoter 10 min avec du beurre",
    ],
)
def test_a_recipe_with_amounts_is_not_an_order(text: str) -> None:
    assert actions(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "les 2 soles de samedi dernier étaient parfaites",
        "the 2 soles last week were perfect",
        "Les huîtres étaient top la semaine dernière !",
        "merci pour les 2 soles de samedi dernier, elles étaient parfaites",
        "Merci Charles, les soles étaient excellentes",
    ],
)
def test_praise_for_last_week_is_not_an_order(text: str) -> None:
    assert actions(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Arrivage : 20 kg de moules, 30 soles",
        "Il me reste 10 soles et 5 kg de moules pour samedi",
        "2 soles",
        "pour moi 2 soles",
    ],
)
def test_supplier_announcements_are_not_orders(text: str) -> None:
    result = parse(text, index("fish"), ParseContext(role="supplier"))
    assert (result.actions, result.kind) == ([], "announcement")


@pytest.mark.parametrize(
    "text",
    [
        "2 soles",
        "Charles aura 30 soles et 20 kg de moules",
        "Clôture vendredi 20h, pensez à commander vos 2 kg de moules",
        "Rappel : 2 soles max par personne",
        "Retrait samedi 9h, 2 soles max",
        "Charles aura 30 soles samedi",
    ],
)
def test_organiser_announcements_are_not_orders(text: str) -> None:
    result = parse(text, index("fish"), ParseContext(role="organiser"))
    assert (result.actions, result.kind) == ([], "announcement")


@pytest.mark.parametrize("text", ["pour moi 2 soles", "je mets ma commande perso : 2 soles"])
def test_organiser_own_order_counts(text: str) -> None:
    assert actions(text, role="organiser") == [item("sole", "2")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je passe vers 10h15", []),
        ("2 soles, je passe vers 10h15", [item("sole", "2")]),
    ],
)
def test_times_are_not_quantities(text: str, expected: list[Item]) -> None:
    assert actions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("les noix sont à 62€ le kilo", []),
        ("2 kg de moules à 6,50€ le kilo", [item("moules", "2")]),
    ],
)
def test_prices_are_not_quantities(text: str, expected: list[Item]) -> None:
    assert actions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("les n°3 sont superbes cette semaine", []),
        ("2 douzaines d'huîtres n°3", [item("huitres-n3", "2")]),
        ("huîtres n°3 : 2 douzaines", [item("huitres-n3", "2")]),
    ],
)
def test_oyster_sizes_are_not_quantities(text: str, expected: list[Item]) -> None:
    assert actions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("j'habite 7 rue de la Tombe-Issoire", []),
        ("2 soles svp, livraison au 7 rue de la Tombe-Issoire", [item("sole", "2")]),
    ],
)
def test_addresses_are_not_quantities(text: str, expected: list[Item]) -> None:
    assert actions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon numéro 06 12 34 56 78", []),
        ("2 soles, mon numéro 06 12 34 56 78", [item("sole", "2")]),
        ("2 soles, mon numéro +33 6 12 34 56 78", [item("sole", "2")]),
    ],
)
def test_phone_numbers_are_not_quantities(text: str, expected: list[Item]) -> None:
    assert actions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ok pour 2 alors 👌 on sera 4 à table samedi soir", [item("sole", "2")]),
        ("j'en prends deux car nous serons quatre", [item("sole", "2")]),
        ("I'll take 2 as we'll be 6 for dinner", [item("sole", "2")]),
        ("j'en prends 2 pour 4 personnes", [item("sole", "2")]),
        ("2 kg de moules pour quatre personnes", [item("moules", "2")]),
        ("finalement 1 kg de moules au lieu de 2, on sera que 3", [item("moules", "1")]),
        ("j'en prends 2, on ne sera que trois", [item("sole", "2")]),
    ],
)
def test_how_many_people_is_not_a_quantity(text: str, expected: list[Item]) -> None:
    """After "il reste des soles ?", the number of guests is not more soles."""
    assert actions(text, recent_products=("sole",)) == expected


def test_a_reply_to_a_neighbour_is_chatter() -> None:
    assert actions("2 soles", reply_to_member=True) == []


# --- context ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["j'en prends deux", "I'll take two"])
def test_a_bare_amount_after_a_question_takes_the_product_asked_about(text: str) -> None:
    assert actions(text, recent_products=("sole",)) == [item("sole", "2")]


def test_a_product_that_describes_another_is_not_what_the_question_is_about() -> None:
    """ "ok pour 2" after "la raclette c'est du lait cru ?" is about the raclette."""
    fish = index("fish")
    asked = parse("les encornets c'est de la seiche ?", fish, ParseContext())
    assert asked.kind == "question"
    assert asked.mentioned == ("encornets",)
    both = parse("il reste des encornets et de la seiche ?", fish, ParseContext())
    assert both.mentioned == ("encornets", "seiche")
    assert actions("ok pour 2 alors", recent_products=asked.mentioned) == [item("encornets", "2")]


def test_a_bare_amount_with_no_context_orders_nothing() -> None:
    assert actions("j'en prends deux") == []


@pytest.mark.parametrize(
    ("text", "awaiting", "expected"),
    [
        ("2", "vague", Answer(amount=Amount(D(2)))),
        ("500 g", "unit", Answer(amount=Amount(D(500), "mass", D("0.001"), word="g"))),
        ("oui", "confirm", Answer(yes=True)),
        ("non", "confirm", Answer(yes=False)),
    ],
)
def test_answers_to_the_bots_question(text: str, awaiting: str, expected: Answer) -> None:
    assert actions(text, awaiting=awaiting) == [expected]


# --- products the catalogue does not have ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 kg de moules et du saumon si possible", [item("moules", "2"), NotInCatalog("saumon")]),
        ("2 soles et 1 kg de saumon", [item("sole", "2"), NotInCatalog("saumon")]),
        ("du saumon", [NotInCatalog("saumon")]),
        ("je voudrais du saumon", [NotInCatalog("saumon")]),
        ("2 kg de saumon", [NotInCatalog("saumon")]),
    ],
)
def test_unknown_products_are_reported(text: str, expected: list[object]) -> None:
    assert actions(text) == expected


# --- what a careful organiser would ask about ------------------------------------------------


def test_a_few_bags_asks_how_many() -> None:
    found = pack_actions("a few bags of the decaf please")
    assert len(found) == 1 and isinstance(found[0], Ask)
    assert (found[0].kind, found[0].product) == ("vague", "decaf")


def test_weight_of_a_piece_product_asks_for_the_unit() -> None:
    found = actions("1 kg de maquereaux")
    assert len(found) == 1 and isinstance(found[0], Ask)
    assert (found[0].kind, found[0].product, found[0].said) == ("unit", "maquereau", "1 kg")


@pytest.mark.parametrize(
    ("text", "club", "product"),
    [
        ("3 bullots", "fish", "bulots"),
        ("2 noix de st jacques", "fish", "noix-saint-jacques"),
        ("3 poireaux", "veg", "poireaux"),
    ],
)
def test_counted_pieces_of_a_kilo_product_ask_for_the_unit(
    text: str, club: str, product: str
) -> None:
    found = actions(text, club)
    assert len(found) == 1 and isinstance(found[0], Ask)
    assert (found[0].kind, found[0].product) == ("unit", product)


def test_two_amounts_ask_which_one() -> None:
    found = actions("2 ou 3 maquereaux")
    assert len(found) == 1 and isinstance(found[0], Ask)
    assert (found[0].kind, found[0].product, found[0].options) == (
        "choice",
        "maquereau",
        ("2", "3"),
    )


@pytest.mark.parametrize(
    ("text", "club", "product"),
    [
        ("des pommes", "veg", "pommes"),
        ("des huîtres svp", "fish", "huitres-n3"),
        ("quelques maquereaux", "fish", "maquereau"),
    ],
)
def test_no_amount_asks_how_much(text: str, club: str, product: str) -> None:
    assert actions(text, club) == [Ask("vague", product)]


def test_an_absurd_amount_asks_for_confirmation() -> None:
    found = actions("200 kg de moules")
    assert len(found) == 1 and isinstance(found[0], Ask)
    assert (found[0].kind, found[0].product, found[0].quantity, found[0].mode) == (
        "confirm",
        "moules",
        D(200),
        "set",
    )


@pytest.mark.parametrize("text", ["0 dorade", "0 kg de moules"])
def test_zero_orders_nothing(text: str) -> None:
    assert not [a for a in actions(text) if isinstance(a, Item)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 kg de patates", item("pommes-de-terre", "2")),
        ("1 botte de persil", item("persil", "1")),
        ("1 douzaine d'oeufs", item("oeufs", "1")),
        ("6 oeufs", item("oeufs", "0.5")),
        ("2 jus de pomme", item("jus-de-pomme", "2")),
        ("1 panier", item("panier", "1")),
    ],
)
def test_vegetable_units(text: str, expected: Item) -> None:
    assert actions(text, "veg") == [expected]


APPLES = ProductIndex.build(
    [
        ProductInfo.build("gala", "Pommes Gala", "kg", D("2.6")),
        ProductInfo.build("reinette", "Pommes Reinette grise", "kg", D("2.9")),
        ProductInfo.build("poires", "Poires Conférence", "kg", D("3.1")),
    ]
)
WHICH_APPLE = ("gala", "reinette")


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("5 kg de pommes", {}, [Ask("which", "gala", D(5), WHICH_APPLE, said="pommes")]),
        ("des pommes svp", {}, [Ask("which", "gala", None, WHICH_APPLE, said="pommes")]),
        ("2 kg de poires et des pommes gala", {}, [item("poires", "2"), Ask("vague", "gala")]),
        ("il reste des pommes ?", {}, []),
        ("les pommes étaient top", {}, []),
        # The member's choice, when the bot asked which kind.
        ("les reinettes", {"awaiting": "which"}, [Ask("vague", "reinette")]),
        ("les reinettes", {}, []),
    ],
)
def test_a_word_for_several_kinds_asks_which(
    text: str, context: dict[str, object], expected: list[object]
) -> None:
    assert parse(text, APPLES, ParseContext(**context)).actions == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("finalement 2 kg de gala c'est trop, mets m'en qu'un", [item("gala", "1")]),
        ("3 kg de gala c'est trop, 2 suffiront", [item("gala", "2")]),
        ("3 kg de poires is too much, make it 2", [item("poires", "2")]),
        # About the price, not the amount.
        ("3 kg de gala c'est trop cher", [item("gala", "3")]),
    ],
)
def test_an_amount_judged_too_much_is_replaced_by_the_next(text: str, expected: list[Item]) -> None:
    assert parse(text, APPLES, ParseContext()).actions == expected
