"""Products sold in packs of several sizes: the pack a member's amount names."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.parsing import Ask, Item, ProductIndex, ProductInfo, Removal
from orders.parsing.grammar import parse
from orders.parsing.intents import ParseContext
from orders.parsing.text import normalize

_BAKERY = [
    ("farine-1kg", "Farine de blé T80 (sac 1 kg)", "pack", "1.90", ["farine T80 1 kg"]),
    ("farine-5kg", "Farine de blé T80 (sac 5 kg)", "pack", "8.50", ["farine T80 5 kg"]),
    ("miel-250", "Miel de fleurs (pot 250 g)", "pack", "6.00", []),
    ("miel-500", "Miel de fleurs (pot 500 g)", "pack", "10.50", []),
    ("oeufs-6", "Œufs plein air (boîte de 6)", "pack", "2.40", ["oeufs", "demi-douzaine d'oeufs"]),
    ("oeufs-12", "Œufs plein air (boîte de 12)", "pack", "4.50", ["douzaine d'oeufs"]),
    ("complet-500", "Pain complet 500 g", "piece", "3.40", []),
    ("complet-1kg", "Pain complet 1 kg", "piece", "6.20", []),
    ("eggs-6", "Free-range eggs (half dozen)", "pack", "2.20", []),
    ("eggs-12", "Free-range eggs (dozen)", "pack", "4.00", ["dozen eggs"]),
]
INDEX = ProductIndex.build([ProductInfo.build(c, n, u, Decimal(p), a) for c, n, u, p, a in _BAKERY])


def actions(text: str) -> list[object]:
    return list(parse(text, INDEX).actions)


@pytest.mark.parametrize(
    ("text", "code", "count"),
    [
        ("2 sacs de farine T80 de 1 kg", "farine-1kg", "2"),  # "sac" holds an amount
        ("1 sac de farine T80 5 kg", "farine-5kg", "1"),
        ("250 g de miel svp", "miel-250", "1"),  # the kind sold in a pot of that size
        ("500g de miel", "miel-500", "1"),
        ("1/2 douzaine d'oeufs", "oeufs-6", "1"),  # half the box of 12 is the box of 6
        ("half a dozen eggs please", "eggs-6", "1"),
        ("2 dozen eggs", "eggs-12", "2"),
        ("Kévin\nFarine T80 1kg\t1", "farine-1kg", "1"),  # a column, not "1 kilo 1"
        ("Oeufs boîte de 12 : 1", "oeufs-12", "1"),  # the pack written after the name
        ("un sac d'1 kg de T80", "farine-1kg", "1"),  # a word of the name and the size
        ("L'an dernier j'avais pris 3 kilos de farine. Cette fois 1 kg de T80", "farine-1kg", "1"),
        ("2 oeufs boîte de 6", "oeufs-6", "2"),
    ],
)
def test_the_pack_an_amount_names(text: str, code: str, count: str) -> None:
    assert actions(text) == [Item(code, Decimal(count), "set")]


def test_a_count_of_the_same_bread_in_another_size() -> None:
    assert actions("1 pain complet de 500 g et 1 de 1 kg") == [
        Item("complet-500", Decimal(1), "set"),
        Item("complet-1kg", Decimal(1), "set"),
    ]


def test_an_amount_that_two_pot_sizes_make_up_is_asked_about() -> None:
    [ask] = actions("1 kg de miel")
    assert isinstance(ask, Ask) and ask.kind == "which"
    assert set(ask.options) == {"miel-250", "miel-500"}


_BUTCHER = [
    ("bacon-smoked", "Smoked back bacon (200 g pack)", "pack", "3.80", ["smoked bacon"]),
    ("bacon-unsmoked", "Unsmoked back bacon (200 g pack)", "pack", "3.80", ["unsmoked bacon"]),
    ("ribeye", "Ribeye steak", "piece", "9.50", ["ribeye"]),
]
BUTCHER = ProductIndex.build(
    [ProductInfo.build(c, n, u, Decimal(p), a) for c, n, u, p, a in _BUTCHER]
)


@pytest.mark.parametrize(("text", "count"), [("1 ribeye + a bacon pls", "1"), ("2 bacon", "2")])
def test_the_noun_that_ends_several_names_is_asked_about(text: str, count: str) -> None:
    # English puts the noun last: "bacon" is either bacon, as "pommes" is any apple.
    ask = parse(text, BUTCHER).actions[-1]
    assert isinstance(ask, Ask) and ask.kind == "which"
    assert set(ask.options) == {"bacon-smoked", "bacon-unsmoked"}
    assert ask.quantity == Decimal(count)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("just drop the large ones", "just drop the large them"),
        ("one large chicken and two small", "1 large chicken and 2 small"),
    ],
)
def test_ones_is_a_pronoun_and_one_a_number(text: str, expected: str) -> None:
    assert normalize(text).split() == expected.split()


def test_pas_de_with_a_kind_word_takes_off_the_one_held() -> None:
    # "miel" names both pots; the order holds one of them.
    held = ParseContext(order=(("miel-250", Decimal(1)), ("farine-1kg", Decimal(2))))
    assert list(parse("pas de miel finalement, juste la farine", INDEX, held).actions) == [
        Removal("miel-250")
    ]
    assert list(parse("pas de souci, merci", INDEX, held).actions) == []


def test_a_forms_unit_before_its_colon() -> None:
    eggs = ProductIndex.build(
        [
            ProductInfo.build(
                "eggs-6", "Eggs (half dozen)", "pack", Decimal(2), ["half dozen eggs"]
            ),
            ProductInfo.build(
                "eggs-12", "Eggs (dozen)", "pack", Decimal(4), ["eggs", "dozen eggs"]
            ),
        ]
    )
    assert list(parse("Anneke\nEggs dozen: 2", eggs).actions) == [
        Item("eggs-12", Decimal(2), "set")
    ]
