"""Offers made by someone else: the supplier's or an organiser's choice, substitute or
"no more X", and the member's answer read against them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.chat import Chat

from bot.app import build_app
from bot.settings import Settings

CHARLES, PATRICK = "u-charles", "u-patrick"  # the fish club's supplier and organiser
LAURE, KARIM, INES = "u-laure", "u-karim", "u-ines"
HELDOUT6 = Path(__file__).parent / "heldout6"


def _chat(catalog: Path) -> Iterator[Chat]:
    app = build_app(Settings(database_url="sqlite://"))
    try:
        imported = app.import_catalog(catalog, bind=("test", "chat-1"))
        yield Chat(app, imported.club_id)
    finally:
        app.close()


GROCER = """
club: Test bulk
locale: en
currency: GBP
timezone: Europe/London
supplier: {name: Green Grocer, author_id: "u-sam"}
organisers: ["u-kate"]
products:
  - {id: spinach, name: Spinach, unit: kg, price: 6, aliases: [spinach]}
  - {id: chard, name: Swiss chard, unit: kg, price: 5, aliases: [chard]}
  - {id: oats, name: Porridge oats, unit: kg, price: 1.6, aliases: [oats]}
  - {id: honey-small, name: Honey (250 g jar), unit: piece, price: 4, aliases: [small honey]}
  - {id: honey-large, name: Honey (500 g jar), unit: piece, price: 7, aliases: [large honey]}
  - {id: box-small, name: Small veg box, unit: piece, price: 12}
  - {id: box-large, name: Large veg box, unit: piece, price: 20}
"""


def _club(tmp_path: Path, catalog_text: str) -> Iterator[Chat]:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(catalog_text, encoding="utf-8")
    yield from _chat(catalog)


@pytest.fixture
def grocer(tmp_path: Path) -> Iterator[Chat]:
    yield from _club(tmp_path, GROCER)


CAVE = """
club: Fromages et vins
locale: fr
currency: EUR
timezone: Europe/Paris
supplier: {name: La cave, author_id: "u-cave"}
organisers: ["u-orga"]
products:
  - {id: comte, name: Comté 18 mois, unit: kg, price: 28, aliases: [comté, comte]}
  - {id: chinon-22, name: Chinon rouge 2022 (bouteille), unit: piece, price: 12, aliases: [chinon]}
  - {id: chinon-21, name: Chinon rouge 2021 (bouteille), unit: piece, price: 13}
  - {id: brie, name: Brie de Meaux entier, unit: piece, price: 25, aliases: [brie]}
  - {id: demi-brie, name: Demi brie de Meaux, unit: piece, price: 13, aliases: [demi-brie]}
"""


@pytest.fixture
def cave(tmp_path: Path) -> Iterator[Chat]:
    yield from _club(tmp_path, CAVE)


@pytest.fixture
def orchard() -> Iterator[Chat]:
    yield from _chat(HELDOUT6 / "verger-fr" / "catalog.yaml")


@pytest.fixture
def wholefoods() -> Iterator[Chat]:
    yield from _chat(HELDOUT6 / "bulk-en" / "catalog.yaml")


def test_no_more_x_leaves_each_order_with_one_reply_to_each_member(chat: Chat) -> None:
    chat.say("3 soles et 1 kg de moules", author=LAURE)
    chat.say("2 soles", author=KARIM)
    chat.say("1 bar", author=INES)
    replies = chat.say("Désolé, plus de soles cette semaine !", author=CHARLES)
    assert len(replies) == 2
    assert any(r.startswith("Laure") and "sole" in r for r in replies)
    assert any(r.startswith("Karim") and "sole" in r for r in replies)
    assert chat.orders() == {LAURE: {"moules": 1}, INES: {"bar": 1}}


def test_x_then_replaces_the_finished_product_with_its_amount(chat: Chat) -> None:
    chat.say("3 soles et 1 kg de moules", author=LAURE)
    chat.say("Sorry, no more sole this week", author=CHARLES)
    chat.say("des dorades alors", author=LAURE)
    assert chat.orders() == {LAURE: {"moules": 1, "dorade": 3}}


def test_a_finished_product_is_no_longer_ordered(chat: Chat) -> None:
    chat.say("1 bar", author=KARIM)
    chat.say("Malheureusement plus de soles cette semaine", author=CHARLES)
    replies = chat.say("2 soles svp", author=INES)
    assert replies and "catalogue" in replies[0]
    assert INES not in chat.orders()


def test_bad_news_then_no_more_x(chat: Chat) -> None:
    chat.say("3 soles et 1 kg de moules", author=LAURE)
    replies = chat.say("Mauvaise nouvelle : plus de soles cette semaine", author=CHARLES)
    assert len(replies) == 1 and replies[0].startswith("Laure")
    assert chat.orders() == {LAURE: {"moules": 1}}


@pytest.mark.parametrize(
    ("order", "offer", "answer", "expected"),
    [
        # An addition names the saint-jacques as what it goes with, not as what it replaces.
        (
            "1 kg de saint-jacques",
            "Laure, 1 kg de saint-jacques c'est juste pour 6, je vous rajoute 500 g de noix ?",
            "oui volontiers",
            {"saint-jacques": 1, "noix-saint-jacques": 0.5},
        ),
        # The bar stands in for the turbot, which the catalogue lacks, not for the soles.
        (
            "2 soles et un turbot",
            "Laure, pas de turbot chez moi, je vous mets plutôt un bar ?",
            "ok parfait",
            {"sole": 2, "bar": 1},
        ),
        # … nor for the cod, though the lieu jaune is another "filet".
        (
            "1 kg de cabillaud et 2 turbots",
            "Laure, pas de turbot cette semaine, je vous mets 1 kg de lieu jaune à la place ?",
            "ok parfait",
            {"cabillaud": 1, "lieu-jaune": 1},
        ),
    ],
)
def test_what_an_accepted_offer_replaces(
    chat: Chat, order: str, offer: str, answer: str, expected: dict[str, float]
) -> None:
    chat.say(order, author=LAURE)
    chat.say(offer, author=CHARLES)
    chat.say(answer, author=LAURE)
    assert chat.orders() == {LAURE: expected}


MOULIN = """
club: Farines
locale: fr
supplier: {name: Le moulin, author_id: "u-moulin"}
products:
  - {id: epeautre-1kg, name: Farine d'épeautre (sac 1 kg), unit: pack, price: 3}
  - {id: epeautre-5kg, name: Farine d'épeautre (sac 5 kg), unit: pack, price: 13}
"""


def test_no_more_of_one_pack_size_leaves_the_other(tmp_path: Path) -> None:
    for chat in _club(tmp_path, MOULIN):
        chat.say("un sac de 5 kg de farine d'épeautre", author=LAURE)
        chat.say("2 sacs de farine d'épeautre de 1 kg", author=KARIM)
        chat.say("Mauvaise nouvelle : plus de farine d'épeautre en sac de 5 kg", author="u-moulin")
        assert chat.orders() == {KARIM: {"epeautre-1kg": 2}}


FARM = """
club: Farm club
locale: en
currency: GBP
supplier: {name: Huw, author_id: "u-huw"}
products:
  - {id: ribeye, name: Ribeye steak, unit: piece, price: 9.5, aliases: [ribeye]}
  - {id: smoked, name: Smoked back bacon (200 g pack), unit: pack, price: 3.8,
     aliases: [smoked bacon]}
  - {id: unsmoked, name: Unsmoked back bacon (200 g pack), unit: pack, price: 3.8,
     aliases: [unsmoked bacon]}
  - {id: chicken-small, name: "Whole chicken, small", unit: piece, price: 12.5,
     aliases: [small chicken]}
  - {id: chicken-large, name: "Whole chicken, large", unit: piece, price: 17,
     aliases: [large chicken]}
  - {id: box-small, name: "BBQ box, small", unit: piece, price: 28, aliases: [small bbq box]}
  - {id: box-large, name: "BBQ box, large", unit: piece, price: 50, aliases: [large bbq box]}
"""


def test_a_kind_named_alone_answers_the_suppliers_choice(tmp_path: Path) -> None:
    for chat in _club(tmp_path, FARM):
        replies = chat.say("1 ribeye + a bacon pls", author="u-mo", name="Mo")
        assert "smoked bacon or unsmoked bacon?" in replies[-1]
        chat.say("@Mo smoked or unsmoked for the bacon?", author="u-huw")
        chat.say("unsmoked ta", author="u-mo", name="Mo")
        assert chat.orders() == {"u-mo": {"ribeye": 1, "unsmoked": 1}}


def test_a_swap_adds_to_what_they_had_and_a_no_thanks_takes_nothing(tmp_path: Path) -> None:
    for chat in _club(tmp_path, FARM):
        chat.say("1 small chicken and 2 large please", author="u-tamsin", name="Tamsin")
        chat.say("2 large chickens", author="u-joe", name="Joe")
        chat.say(
            "Bad news, no more large chickens this week. Tamsin, Joe: want small instead?",
            author="u-huw",
        )
        chat.say("yes swap mine for small ones please", author="u-tamsin", name="Tamsin")
        # "large" is a size, not what a chicken and a BBQ box have in common.
        chat.say("no thanks Huw, just drop the large ones", author="u-joe", name="Joe")
        assert chat.orders() == {"u-tamsin": {"chicken-small": 3}}


def test_an_edit_after_no_more_x_does_not_bring_x_back(chat: Chat) -> None:
    chat.say("3 soles", author=LAURE)
    chat.say("1 kg de moules", author=LAURE, id="laure-moules")
    chat.say("Désolé, plus de soles cette semaine !", author=CHARLES)
    chat.say("2 kg de moules", author=LAURE, id="laure-moules-v2", edit_of="laure-moules")
    assert chat.orders() == {LAURE: {"moules": 2}}


def test_an_edit_of_the_order_of_a_finished_product_does_not_order_it(chat: Chat) -> None:
    chat.say("3 soles", author=LAURE, id="laure-soles")
    chat.say("Sorry, no more sole this week", author=CHARLES)
    replies = chat.say("4 soles", author=LAURE, id="laure-soles-v2", edit_of="laure-soles")
    assert replies
    assert LAURE not in chat.orders()


@pytest.mark.parametrize(
    ("member", "offer", "answer"),
    [
        (LAURE, "Laure, je vous mets plutôt 500 g de noix de Saint-Jacques ?", "ah oui parfait"),
        # "plutôt" with its accent, and no "?": the offering word alone makes it an offer.
        (LAURE, "Laure, je vous mets plutôt 500 g de noix de Saint-Jacques", "ah oui parfait"),
        # An @mention addresses even a two-letter name.
        ("u-mo", "@Mo je vous mets plutôt 500 g de noix de Saint-Jacques ?", "oui parfait"),
    ],
)
def test_a_substitute_offered_by_name_is_taken_with_a_yes(
    chat: Chat, member: str, offer: str, answer: str
) -> None:
    name = "Mo" if member == "u-mo" else None
    chat.say("1 kg de saint-jacques", author=member, name=name)
    chat.say(offer, author=CHARLES)
    chat.say(answer, author=member, name=name)
    assert chat.orders() == {member: {"noix-saint-jacques": 0.5}}


def test_an_offer_addressed_to_someone_else_is_not_taken(chat: Chat) -> None:
    chat.say("1 kg de saint-jacques", author=LAURE)
    chat.say("1 bar", author=KARIM)
    chat.say("Laure, je vous mets plutôt 500 g de noix de Saint-Jacques ?", author=CHARLES)
    chat.say("ok parfait", author=KARIM)
    assert chat.orders()[KARIM] == {"bar": 1}
    assert chat.orders()[LAURE] == {"saint-jacques": 1}


def test_a_choice_of_sizes_is_read_from_the_size_word(orchard: Chat) -> None:
    orchard.say("Bonjour, 1 kg de poires et 1 pot de miel", author="u-farid")
    orchard.say("Farid, le miel je l'ai en pot de 250 g ou de 500 g, lequel ?", author="u-bertrand")
    orchard.say("Le grand 👍", author="u-farid")
    assert orchard.orders()["u-farid"] == {"poires": 1, "miel-500": 1}


def test_an_offer_of_packs_is_taken_with_its_amount(wholefoods: Chat) -> None:
    wholefoods.say("24 tins of chickpeas please", author="u-ifeoma")
    wholefoods.say("Ifeoma, 24 tins is 2 cases, shall I do it as 2 cases?", author="u-dev")
    wholefoods.say("Yes please, 2 cases 👍", author="u-ifeoma")
    assert wholefoods.orders() == {"u-ifeoma": {"chickpeas-case": 2}}


def test_an_answer_to_a_choice_of_packs_by_their_sizes(chat: Chat) -> None:
    chat.say("2 kg de moules", author=LAURE)
    chat.say("Laure, je vous fais plutôt 1 kg de moules et 1 kg de coques ?", author=CHARLES)
    chat.say("non merci, je garde mes moules", author=LAURE)
    assert chat.orders() == {LAURE: {"moules": 2}}


def test_run_out_then_a_substitute_in_english(grocer: Chat) -> None:
    grocer.say("1kg spinach and 2kg oats please", author="u-tom")
    grocer.say("500g spinach", author="u-ann")
    replies = grocer.say("Sorry folks, we've run out of spinach this week", author="u-sam")
    assert len(replies) == 2
    grocer.say("chard then", author="u-tom")
    grocer.say("go on then, I'll have the chard", author="u-ann")
    assert grocer.orders() == {"u-tom": {"chard": 1, "oats": 2}, "u-ann": {"chard": 0.5}}


def test_a_size_named_alone_answers_an_offer_of_the_other_size(grocer: Chat) -> None:
    grocer.say("1 lrg box", author="u-liz")
    grocer.say("@liz large box is a bit light this week, small instead?", author="u-sam")
    grocer.say("ok fine", author="u-liz")
    assert grocer.orders() == {"u-liz": {"box-small": 1}}


def test_the_small_one_answers_a_choice_of_jar_sizes(grocer: Chat) -> None:
    grocer.say("a large honey please", author="u-bob")
    grocer.say("Bob, 250g or 500g?", author="u-sam")
    grocer.say("the small one thanks", author="u-bob")
    assert grocer.orders() == {"u-bob": {"honey-small": 1}}


def test_an_organisers_information_gets_no_question(grocer: Chat) -> None:
    grocer.say("1 lrg box", author="u-liz")
    assert grocer.say("The large box is about 7 kg this week", author="u-kate") == []
    assert grocer.say("Large boxes are 20, small 12, 1 per household please", author="u-sam") == []
    assert grocer.orders() == {"u-liz": {"box-large": 1}}


def test_a_substitute_offered_with_the_no_more_is_taken_with_a_yes(cave: Chat) -> None:
    cave.say("2 bouteilles de chinon et 500 g de comté", author="u-julie")
    cave.say("1 chinon", author="u-paul")
    replies = cave.say(
        "Désolé, plus de Chinon 2022 ! Je peux vous proposer le 2021 à la place ?", author="u-cave"
    )
    assert len(replies) == 2
    cave.say("ok parfait", author="u-julie")
    cave.say("non merci", author="u-paul")
    assert cave.orders() == {"u-julie": {"comte": 0.5, "chinon-21": 2}}


def test_a_smaller_cut_offered_instead(cave: Chat) -> None:
    cave.say("un brie", author="u-anne")
    cave.say("Anne, le brie entier fait 3 kg, je vous fais plutôt un demi-brie ?", author="u-cave")
    cave.say("ah oui très bien", author="u-anne")
    assert cave.orders() == {"u-anne": {"demi-brie": 1}}


def test_no_more_in_a_question_to_two_members_with_a_substitute(chat: Chat) -> None:
    chat.say("2 araignées", author=LAURE)
    chat.say("1 araignée et 1 bar", author=KARIM)
    replies = chat.say(
        "Désolé @Laure @Karim plus d'araignées cette semaine 😕 "
        "je vous mets des tourteaux à la place ?",
        author=CHARLES,
    )
    assert len(replies) == 2
    chat.say("ah oui parfait", author=LAURE)
    chat.say("Tourteau alors, même quantité", author=KARIM)
    assert chat.orders() == {LAURE: {"tourteau": 2}, KARIM: {"tourteau": 1, "bar": 1}}


DEV, KATH, ROSA, SAM = "u-dev", "u-kath", "u-rosa", "u-sam"  # supplier, organiser, members
LEFTOVERS = "Still got 3 cases of chickpeas and about 8kg of oats left if anyone wants"


def test_a_case_taken_in_reply_to_leftovers_offered_to_everyone(wholefoods: Chat) -> None:
    wholefoods.say(LEFTOVERS, author=DEV, id="leftovers")
    wholefoods.say("I'll take a case then!", author=ROSA, reply_to="leftovers")
    assert wholefoods.orders() == {ROSA: {"chickpeas-case": 1}}


def test_leftovers_offered_to_everyone_are_taken_without_a_reply_link(wholefoods: Chat) -> None:
    wholefoods.say("/ouvrir", author=KATH)
    wholefoods.say(LEFTOVERS, author=KATH)
    wholefoods.say("I'll take a case then!", author=ROSA)
    wholefoods.say("2kg for me please", author=SAM)
    assert wholefoods.orders() == {ROSA: {"chickpeas-case": 1}, SAM: {"oats": 2}}


def test_the_box_left_over_is_taken_by_its_name_without_an_amount(tmp_path: Path) -> None:
    for chat in _club(tmp_path, FARM):
        chat.say("1 small chicken", author="u-jess", name="Jess")
        chat.say("I'll have a small BBQ box nobody's claimed, shout here", author="u-huw")
        # "BBQ box" is either box; the one left over is the small one.
        chat.say("I'll take the BBQ box!", author="u-raj", name="Raj")
        assert chat.orders()["u-raj"] == {"box-small": 1}


def test_an_offer_to_everyone_long_before_is_not_what_an_amount_refers_to(
    wholefoods: Chat,
) -> None:
    wholefoods.say("/ouvrir", author=KATH)
    wholefoods.say(LEFTOVERS, author=DEV)
    for text in ("Lovely weather for the pickup", "See you Saturday!", "Thanks Kath"):
        wholefoods.say(text, author=SAM)
    wholefoods.say("I'll take a case then!", author=ROSA)
    assert ROSA not in wholefoods.orders()


def test_a_members_own_leftovers_are_not_an_offer_to_order_from(wholefoods: Chat) -> None:
    wholefoods.say("/ouvrir", author=KATH)
    wholefoods.say("I still have 3 cases of chickpeas left at home from last month", author=SAM)
    wholefoods.say("I'll take a case then!", author=ROSA)
    assert ROSA not in wholefoods.orders()
