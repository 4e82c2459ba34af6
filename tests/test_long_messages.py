"""Long messages: a pasted form is read whole; one over the limit is answered, never dropped."""

from __future__ import annotations

from pathlib import Path

from helpers.chat import Chat

from bot.app import build_app
from bot.settings import Settings

ALLOTMENT = Path(__file__).parent / "heldout" / "allotment-en" / "catalog.yaml"
FILLER = "Bonjour à tous, merci pour la semaine dernière, tout était parfait. "


def _long(length: int, ending: str) -> str:
    body = (FILLER * (length // len(FILLER) + 1))[: length - len(ending) - 1]
    return body + " " + ending


def test_the_default_limit_reads_a_long_form_whole() -> None:
    assert Settings(database_url="sqlite://").max_message_chars == 10_000


def test_a_message_of_4100_characters_is_read_to_its_end(chat: Chat) -> None:
    text = _long(4100, "2 dorades")
    assert len(text) == 4100
    replies = chat.say(text)
    assert chat.orders() == {"u-laure": {"dorade": 2}}
    assert any("dorade ×2" in reply for reply in replies), replies


def test_a_message_over_the_limit_is_answered_and_not_read(chat: Chat) -> None:
    chat.say("1 kg de moules")
    text = _long(10_001, "2 dorades")
    outcome = chat.send(text)
    assert [r.text for r in outcome.replies] == [
        "Désolé Laure, ce message est trop long (plus de 10 000 caractères) : "
        "je ne l'ai pas lu et rien n'a été noté. Envoyez votre commande en plus court."
    ]
    assert outcome.kind == "too_long" and not outcome.changes
    assert chat.orders() == {"u-laure": {"moules": 1}}
    # Recorded: the same message delivered again is a duplicate, answered once.
    again = chat.deliver(chat.sent[-1])
    assert again.duplicate and not again.replies
    assert chat.orders() == {"u-laure": {"moules": 1}}


def test_a_long_message_gets_its_answer_in_the_club_language(tmp_path: Path) -> None:
    app = build_app(Settings(database_url="sqlite://", max_message_chars=500))
    try:
        club = app.import_catalog(ALLOTMENT, bind=("test", "chat-1"))
        chat = Chat(app, club.club_id)
        [reply] = chat.say(_long(600, "2 kg of potatoes"), author="u-liz")
        assert reply == (
            "Sorry Liz, this message is too long (over 500 characters): I did not read it "
            "and nothing was recorded. Please send your order in a shorter message."
        )
        assert chat.orders() == {}
    finally:
        app.close()


def test_an_edit_over_the_limit_leaves_the_message_it_edits_in_force(chat: Chat) -> None:
    chat.say("2 dorades", id="m1")
    [reply] = chat.say(_long(10_001, "5 dorades"), id="m1-edit", edit_of="m1")
    assert "trop long" in reply
    assert chat.orders() == {"u-laure": {"dorade": 2}}
    chat.say("3 dorades", id="m1-edit2", edit_of="m1")
    assert chat.orders() == {"u-laure": {"dorade": 3}}
