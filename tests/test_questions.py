"""The bot's questions: one at a time, answered by the member's next message, in the right unit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.chat import Chat

from bot.app import build_app
from bot.settings import Settings

MARGAUX = "u-margaux"


def test_an_answer_in_pieces_settles_a_weight_given_for_a_piece_product(chat: Chat) -> None:
    asked = chat.say("1 kg de maquereaux", author=MARGAUX)
    assert asked and "combien de pièces" in asked[0]
    assert chat.orders() == {}
    chat.say("4", author=MARGAUX)
    assert chat.orders() == {MARGAUX: {"maquereau": 4}}


def test_an_answer_in_the_wrong_unit_is_asked_again(chat: Chat) -> None:
    chat.say("1 kg de maquereaux", author=MARGAUX)
    again = chat.say("500 g", author=MARGAUX)
    assert again and "pièce" in again[0]
    assert chat.orders() == {}
    chat.say("3", author=MARGAUX)
    assert chat.orders() == {MARGAUX: {"maquereau": 3}}


def test_an_answer_is_converted_to_the_catalogue_unit(chat: Chat) -> None:
    chat.say("des huîtres", author=MARGAUX)
    chat.say("24", author=MARGAUX)
    assert chat.orders() == {MARGAUX: {"huitres-n3": 2}}


def test_an_unusual_answer_is_confirmed_before_it_counts(chat: Chat) -> None:
    chat.say("des moules", author=MARGAUX)
    confirm = chat.say("5000 kg", author=MARGAUX)
    assert confirm and "oui" in confirm[0]
    assert chat.orders() == {}
    chat.say("non", author=MARGAUX)
    assert chat.orders() == {}


def test_one_question_per_message(chat: Chat) -> None:
    replies = chat.say("2 ou 3 maquereaux et 2 ou 3 soles et 1 kg de moules", author=MARGAUX)
    questions = [r for r in replies if "?" in r]
    assert len(questions) == 1
    assert chat.orders() == {MARGAUX: {"moules": 1}}


def test_unknown_products_get_one_reply(chat: Chat) -> None:
    text = ", ".join(f"2 kg de {word}" for word in ("saumon", "thon", "caviar", "truite", "lotte"))
    replies = chat.say(text, author=MARGAUX)
    notices = [r for r in replies if "catalogue" in r]
    assert len(notices) == 1
    assert "saumon" in notices[0] and "lotte" not in notices[0]


def test_amounts_are_kept_to_the_gram(chat: Chat) -> None:
    replies = chat.say("8 huîtres", author=MARGAUX)
    assert chat.orders() == {MARGAUX: {"huitres-n3": 0.667}}
    assert "0,667 douzaine" in replies[0]
    asked = chat.say("0,0004 kg de moules", author="u-karim")
    assert len(asked) == 1 and "Combien de moules" in asked[0].replace("combien", "Combien")
    assert "u-karim" not in chat.orders()


def test_a_withdrawn_product_is_answered_not_recorded(chat: Chat) -> None:
    chat.say("/dispo sole non", author="u-patrick")
    replies = chat.say("1 sole et 1 kg de moules", author=MARGAUX)
    assert any("sole" in r and "catalogue" in r for r in replies)
    assert chat.orders() == {MARGAUX: {"moules": 1}}


def test_an_edit_of_last_weeks_message_changes_nothing(chat: Chat) -> None:
    old = chat.message("2 soles")
    chat.deliver(old)
    chat.say("/fermer", author="u-patrick")
    chat.say("/ouvrir", author="u-patrick")
    chat.say("1 kg de moules")
    replies = chat.say("3 soles", edit_of=old.message_id)
    assert replies and "semaine close" in replies[0]
    assert chat.orders() == {"u-laure": {"moules": 1}}


def test_same_as_last_week_copies_last_weeks_order(chat: Chat) -> None:
    assert chat.say("même commande que la semaine dernière") != []
    assert chat.orders() == {}
    chat.say("2 kg de moules et 1 sole")
    chat.say("/fermer", author="u-patrick")
    chat.say("/ouvrir", author="u-patrick")
    replies = chat.say("Même commande que la semaine dernière svp")
    assert replies and "moules 2 kg" in replies[0]
    assert chat.orders() == {"u-laure": {"moules": 2, "sole": 1}}


def test_same_as_a_neighbour_in_reply_copies_their_order(chat: Chat) -> None:
    camille = chat.message("2 soles et 1 tourteau", author="u-camille")
    chat.deliver(camille)
    chat.say("pareil que Camille pour moi", author="u-lucie", reply_to=camille.message_id)
    assert chat.orders()["u-lucie"] == {"sole": 2, "tourteau": 1}


def test_an_edit_of_a_message_sent_while_closed_counts_once_open(chat: Chat) -> None:
    chat.say("/fermer", author="u-patrick")
    late = chat.message("2 soles")
    chat.deliver(late)
    assert chat.orders() == {}
    chat.say("/ouvrir", author="u-patrick")
    chat.say("3 soles", edit_of=late.message_id)
    assert chat.orders() == {"u-laure": {"sole": 3}}


def test_an_edit_never_runs_a_command(chat: Chat) -> None:
    chat.say("2 kg de moules")
    chat.say("/fermer", author="u-patrick", edit_of="never-seen")
    chat.say("1 sole")
    assert chat.orders() == {"u-laure": {"moules": 2, "sole": 1}}


def test_a_greeting_does_not_open_the_first_week(chat: Chat) -> None:
    chat.say("Bonjour à tous, bienvenue !", author="u-patrick")
    opened = chat.say("/ouvrir", author="u-patrick")
    assert opened and "ouvertes" in opened[0]


def test_other_unclear_items_are_named_with_the_question(chat: Chat) -> None:
    replies = chat.say("des moules et des bars et des soles", author=MARGAUX)
    assert len(replies) == 2
    assert "moules" in replies[0] and "bar" in replies[1] and "sole" in replies[1]
    assert chat.orders() == {}


def test_two_amounts_do_not_answer_a_question(chat: Chat) -> None:
    chat.say("des moules", author=MARGAUX)
    chat.say("2 ou 3", author=MARGAUX)
    assert chat.orders() == {}


def test_a_withdrawn_product_is_not_copied(chat: Chat) -> None:
    camille = chat.message("2 soles et 1 tourteau", author="u-camille")
    chat.deliver(camille)
    chat.say("/dispo sole non", author="u-patrick")
    chat.say("pareil que Camille pour moi", author="u-lucie", reply_to=camille.message_id)
    assert chat.orders()["u-lucie"] == {"tourteau": 1}


ORCHARD = """\
club: Vergers du Layon
locale: fr
currency: EUR
supplier: {name: Bertrand, author_id: u-bertrand}
organisers: [u-maryse]
products:
  - {id: gala, name: Pommes Gala, unit: kg, price: 2.6}
  - {id: reinette, name: Pommes Reinette grise, unit: kg, price: 2.9}
  - {id: chantecler, name: Pommes Chantecler, unit: kg, price: 2.7}
  - {id: poires, name: Poires Conférence, unit: kg, price: 3.1}
  - {id: compote, name: Compote de pommes (bocal 400 g), unit: pack, price: 4.2}
"""


@pytest.fixture
def orchard(tmp_path: Path) -> Iterator[Chat]:
    """A club that sells three kinds of apples, each its own product."""
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(ORCHARD, encoding="utf-8")
    app = build_app(Settings(database_url="sqlite://"))
    try:
        imported = app.import_catalog(catalog, bind=("test", "chat-1"))
        yield Chat(app, imported.club_id)
    finally:
        app.close()


def test_a_kind_of_product_the_catalogue_sells_several_of_is_asked_about(orchard: Chat) -> None:
    replies = orchard.say("5 kg de pommes et 2 compotes svp", author=MARGAUX)
    assert orchard.orders() == {MARGAUX: {"compote": 2}}
    assert "pommes (5 kg) : Pommes Gala, Pommes Reinette grise ou Pommes Chantecler ?" in (
        replies[-1]
    )
    orchard.say("les reinettes", author=MARGAUX)
    assert orchard.orders() == {MARGAUX: {"compote": 2, "reinette": 5}}


def test_a_kind_chosen_with_its_own_amount_keeps_that_amount(orchard: Chat) -> None:
    orchard.say("des pommes pour moi", author=MARGAUX)
    orchard.say("3 kg de gala", author=MARGAUX)
    assert orchard.orders() == {MARGAUX: {"gala": 3}}


@pytest.mark.parametrize(
    "text",
    ["il reste des pommes ?", "2 kg de pommes gala et 1 kg de poires", "les pommes étaient top"],
)
def test_no_question_when_the_kind_is_named_or_nothing_is_ordered(
    orchard: Chat, text: str
) -> None:
    replies = orchard.say(text, author=MARGAUX)
    assert not any("Précisez" in r for r in replies)
