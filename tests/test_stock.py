"""Stock limits through the pipeline: the part that fits, the waiting list, freed stock."""

from __future__ import annotations

from pathlib import Path

import yaml
from helpers.chat import Chat
from weekly_helpers import FISH

from bot.app import App
from orders import outbox


def test_the_part_that_fits_is_noted_and_the_rest_waits(chat: Chat) -> None:
    assert "5 kg" in chat.say("/stock moules 5", author="u-patrick")[0]
    chat.say("3 kg de moules", author="u-laure")
    noted, short = chat.say("4 kg de moules", author="u-paul")
    assert "moules 2 kg" in noted
    assert short == "Plus de moules cette semaine : 2 kg noté, 2 kg en liste d'attente."
    assert chat.say("2 kg de moules", author="u-zoe") == [
        "Plus de moules cette semaine : rien de noté, 2 kg en liste d'attente."
    ]
    assert chat.orders() == {"u-laure": {"moules": 3}, "u-paul": {"moules": 2}}
    recap = chat.say("/recap", author="u-patrick")[0]
    assert "Liste d'attente : Paul moules 2 kg, Zoe moules 2 kg" in recap


def test_a_cancellation_frees_stock_for_the_first_waiting_then_the_next(chat: Chat) -> None:
    chat.say("/stock moules 5", author="u-patrick")
    chat.say("3 kg de moules", author="u-laure")
    chat.say("4 kg de moules", author="u-paul")
    chat.say("2 kg de moules", author="u-zoe")
    cancelled, paul, zoe = chat.say("/annuler", author="u-laure")
    assert "annulé" in cancelled
    assert paul.startswith("Bonne nouvelle Paul : 2 kg de moules libéré pour vous")
    assert zoe.startswith("Bonne nouvelle Zoe : 1 kg de moules")
    assert chat.orders() == {"u-paul": {"moules": 4}, "u-zoe": {"moules": 1}}
    assert "Liste d'attente : Zoe moules 1 kg" in chat.say("/recap", author="u-patrick")[0]
    # More stock serves the rest of the list; an unlimited product changes nothing.
    assert "Zoe" in chat.say("/stock moules 8", author="u-patrick")[1]
    assert chat.orders() == {"u-paul": {"moules": 4}, "u-zoe": {"moules": 2}}
    assert "Liste d'attente" not in chat.say("/recap", author="u-patrick")[0]


def test_lifting_the_limit_serves_everyone_waiting(chat: Chat) -> None:
    chat.say("/stock moules 2", author="u-patrick")
    chat.say("2 kg de moules", author="u-laure")
    chat.say("3 kg de moules", author="u-paul")
    lifted, told = chat.say("/stock moules off", author="u-patrick")
    assert "Plus de limite" in lifted and "Bonne nouvelle Paul : 3 kg" in told
    assert chat.orders() == {"u-laure": {"moules": 2}, "u-paul": {"moules": 3}}


def test_asking_for_less_leaves_the_waiting_list(chat: Chat) -> None:
    chat.say("/stock moules 2", author="u-patrick")
    chat.say("2 kg de moules", author="u-laure")
    chat.say("3 kg de moules", author="u-paul")
    chat.say("/annuler", author="u-paul")
    chat.say("/annuler", author="u-laure")
    assert chat.orders() == {}
    assert "Liste d'attente" not in chat.say("/recap", author="u-patrick")[0]


def test_an_edit_is_capped_like_the_original(chat: Chat) -> None:
    chat.say("/stock moules 3", author="u-patrick")
    chat.say("2 kg de moules", author="u-laure")
    chat.say("1 kg de moules", author="u-paul", id="paul-1")
    replies = chat.say("4 kg de moules", author="u-paul", id="paul-2", edit_of="paul-1")
    assert "1 kg noté, 3 kg en liste d'attente" in replies[-1]
    assert chat.orders() == {"u-laure": {"moules": 2}, "u-paul": {"moules": 1}}


def test_the_catalogue_stock_and_a_member_told_on_another_platform(
    tmp_path: Path, app: App
) -> None:
    data = yaml.safe_load(FISH.read_text(encoding="utf-8"))
    for product in data["products"]:
        if product["id"] == "moules":
            product["stock"] = 2
    path = tmp_path / "stock.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    club_id = app.import_catalog(path, bind=("test", "chat-1"), slug="fish-club").club_id
    app.import_catalog(path, bind=("whatsapp", "wa-group"), slug="fish-club")
    here = Chat(app, club_id)
    there = Chat(app, club_id, platform="whatsapp", chat_id="wa-group")
    here.say("2 kg de moules", author="u-laure")
    assert "liste d'attente" in there.say("1 kg de moules", author="wa-paul")[0]
    assert here.say("/annuler", author="u-laure") == [
        "C'est annulé Laure : plus rien à votre nom cette semaine."
    ]
    with app.engine.connect() as conn:
        [told] = [row for row in outbox.rows(conn) if row.kind == "stock_freed"]
    assert (told.platform, told.chat_id) == ("whatsapp", "wa-group")
    assert "1 kg de moules libéré" in told.text


def test_a_re_import_that_lifts_the_limit_still_serves_those_waiting(
    tmp_path: Path, app: App
) -> None:
    data = yaml.safe_load(FISH.read_text(encoding="utf-8"))
    [moules] = [product for product in data["products"] if product["id"] == "moules"]
    moules["stock"] = 2
    path = tmp_path / "stock.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    club_id = app.import_catalog(path, bind=("test", "chat-1"), slug="fish-club").club_id
    chat = Chat(app, club_id)
    chat.say("2 kg de moules", author="u-laure")
    assert "liste d'attente" in chat.say("1 kg de moules", author="u-paul")[0]
    del moules["stock"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    app.import_catalog(path, bind=("test", "chat-1"), slug="fish-club")
    # No product is limited any more, yet Paul still waits: a smaller order serves him.
    replies = chat.say("finalement 1 kg de moules", author="u-laure")
    assert any(r.startswith("Bonne nouvelle Paul : 1 kg de moules") for r in replies)
    assert chat.orders() == {"u-laure": {"moules": 1}, "u-paul": {"moules": 1}}
