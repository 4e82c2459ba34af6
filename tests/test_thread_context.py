"""Thread context: "pareil" without a reply link, and "comme d'hab" / "the usual"."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from helpers.chat import Chat

CAMILLE, LAURE, KARIM, INES, LEO, ORGANISER = (
    "u-camille",
    "u-laure",
    "u-karim",
    "u-ines",
    "u-leo",
    "u-patrick",
)


def test_pareil_right_after_an_order_copies_it_without_a_reply_link(chat: Chat) -> None:
    chat.say("2 kg de moules et 3 soles", author=CAMILLE)
    assert chat.say("pareil pour moi", author=LAURE)
    chat.say("same here!", author=KARIM)
    assert chat.orders()[LAURE] == {"moules": 2, "sole": 3}
    assert chat.orders()[KARIM] == {"moules": 2, "sole": 3}


def test_plus_one_right_after_an_order_copies_it(chat: Chat) -> None:
    chat.say("1 bar", author=CAMILLE)
    chat.say("+1", author=LAURE)
    assert chat.orders()[LAURE] == {"bar": 1}


def test_pareil_with_more_copies_then_adds(chat: Chat) -> None:
    chat.say("2 kg de moules", author=CAMILLE)
    chat.say("pareil mais avec 1 bar en plus", author=LAURE)
    assert chat.orders()[LAURE] == {"moules": 2, "bar": 1}


def test_moi_aussi_after_no_order_copies_nothing_and_says_nothing(chat: Chat) -> None:
    chat.say("Les moules de samedi dernier étaient excellentes", author=CAMILLE)
    assert chat.say("moi aussi", author=LAURE) == []
    assert chat.orders() == {}


def test_pareil_long_after_the_order_copies_nothing(chat: Chat) -> None:
    chat.say("2 kg de moules", author=CAMILLE)
    late = chat.message("idem", author=LAURE)
    chat.deliver(replace(late, sent_at=late.sent_at + timedelta(hours=5)))
    assert LAURE not in chat.orders()


def test_pareil_copies_the_nearest_order_not_the_story_between(chat: Chat) -> None:
    chat.say("1 bar", author=CAMILLE)
    chat.say("3 soles", author=KARIM)
    chat.say("Trop bien la sole la semaine dernière", author=INES)
    chat.say("idem", author=LAURE)
    assert chat.orders()[LAURE] == {"sole": 3}


def test_the_usual_without_a_last_week_is_a_question(chat: Chat) -> None:
    replies = chat.say("comme d'hab", author=LEO)
    assert len(replies) == 1 and "semaine dernière" in replies[0] and "?" in replies[0]
    assert chat.orders() == {}


def test_the_usual_is_last_weeks_order(chat: Chat) -> None:
    chat.say("2 kg de moules et 1 bar", author=LEO)
    chat.say("/fermer", author=ORGANISER)
    chat.say("/ouvrir", author=ORGANISER)
    chat.say("the usual please", author=LEO)
    chat.say("same again", author=CAMILLE)
    assert chat.orders() == {LEO: {"moules": 2, "bar": 1}}
