"""Slash commands, played as dialogues in the fish club's thread."""

from __future__ import annotations

import re

import pytest
from helpers.chat import Chat, verify_dialog

PATRICK = "u-patrick"  # organiser of the fish club
LAURE = "u-laure"
KARIM = "u-karim"

MEMBER_COMMANDS = ("/commande", "/annuler", "/catalogue", "/aide")
ORGANISER_COMMANDS = ("/recap", "/ouvrir", "/fermer", "/prix", "/dispo")


def test_help_lists_member_commands(chat: Chat) -> None:
    verify_dialog(chat, [(LAURE, "/aide", ["/commande"])])
    [text] = chat.say("/aide")
    for command in MEMBER_COMMANDS:
        assert command in text
    for command in ORGANISER_COMMANDS:
        assert command not in text


def test_help_for_an_organiser_adds_organiser_commands(chat: Chat) -> None:
    [text] = chat.say("/aide", author=PATRICK)
    for command in MEMBER_COMMANDS + ORGANISER_COMMANDS:
        assert command in text


def test_english_help_alias_answers_too(chat: Chat) -> None:
    assert chat.say("/help") == chat.say("/aide")


def test_recap_by_a_member_is_refused_politely_and_changes_nothing(chat: Chat) -> None:
    verify_dialog(chat, [(LAURE, "2 kg de moules", ["Noté Laure : moules 2 kg — 13,00 €"])])
    before = chat.orders()
    outcome = chat.send("/recap", author=KARIM)
    assert [reply.kind for reply in outcome.replies] == ["refused"]
    assert outcome.replies[0].text == (
        "Désolé Karim, /recap est réservé aux organisateurs du club."
    )
    assert outcome.changes == []
    assert "Laure" not in outcome.replies[0].text
    assert chat.orders() == before


@pytest.mark.parametrize(
    "command",
    ["/recap", "/ouvrir", "/fermer", "/prix moules 1", "/dispo moules non", "/summary", "/close"],
)
def test_organiser_commands_are_refused_to_members(chat: Chat, command: str) -> None:
    chat.say("2 kg de moules")
    outcome = chat.send(command, author=KARIM)
    assert [reply.kind for reply in outcome.replies] == ["refused"]
    assert "réservé aux organisateurs" in outcome.replies[0].text
    # Nothing moved: orders are still taken, at the same price.
    [confirmation] = chat.say("1 kg de moules", author=KARIM)
    assert "6,50 €" in confirmation
    assert chat.orders() == {"u-laure": {"moules": 2}, "u-karim": {"moules": 1}}


def test_recap_shows_totals_per_product_and_per_member(chat: Chat) -> None:
    verify_dialog(
        chat,
        [
            (LAURE, "2 kg de moules et 2 dorades", ["Noté Laure"]),
            (KARIM, "1 kg de moules", ["Noté Karim"]),
            (PATRICK, "/recap", ["Total par produit"]),
        ],
    )
    [text] = chat.say("/recap", author=PATRICK)
    assert text.startswith("Récapitulatif Fish club of Montsouris — 2 commandes, 43,50 €")
    assert "• Moules de bouchot : 3 kg" in text
    assert re.search(r"• Dorade grise \(pièce \S?600 g\) : 2\n", text), text
    assert "• Laure : moules 2 kg, dorade ×2 — 37,00 €" in text
    assert "• Karim : moules 1 kg — 6,50 €" in text


def test_recap_before_any_order_is_a_recap(chat: Chat) -> None:
    outcome = chat.send("/recap", author=PATRICK)
    [reply] = outcome.replies
    assert reply.kind == "summary"
    # It is the club's recap, not the organiser's own (empty) order.
    assert "Récapitulatif" in reply.text, reply.text
    assert "Patrick" not in reply.text


def test_recap_with_bot_suffix_works(chat: Chat) -> None:
    chat.say("2 kg de moules")
    [plain] = chat.say("/recap", author=PATRICK)
    [suffixed] = chat.say("/recap@orderbot_bot", author=PATRICK)
    assert suffixed == plain
    assert "Moules de bouchot : 2 kg" in suffixed


def test_close_then_an_order_is_not_recorded(chat: Chat) -> None:
    verify_dialog(
        chat,
        [
            (LAURE, "2 kg de moules", ["Noté Laure"]),
            (PATRICK, "/fermer", ["Les commandes sont closes"]),
            (KARIM, "3 soles", ["closes"]),
            (LAURE, "je rajoute 1 kg de moules", ["closes"]),
            (KARIM, "merci Patrick !", []),
        ],
    )
    assert chat.orders() == {"u-laure": {"moules": 2}}
    [recap] = chat.say("/recap", author=PATRICK)
    assert "(commandes closes)" in recap
    assert "Moules de bouchot : 2 kg" in recap


def test_closed_reply_kind_and_no_changes(chat: Chat) -> None:
    chat.say("2 kg de moules")
    chat.say("/fermer", author=PATRICK)
    outcome = chat.send("3 soles", author=KARIM)
    assert [reply.kind for reply in outcome.replies] == ["closed"]
    assert outcome.changes == []
    assert chat.orders() == {"u-laure": {"moules": 2}}


def test_close_before_the_first_order_also_stops_orders(chat: Chat) -> None:
    verify_dialog(chat, [(PATRICK, "/fermer", ["Les commandes sont closes"])])
    outcome = chat.send("3 soles", author=KARIM)
    assert [reply.kind for reply in outcome.replies] == ["closed"]
    assert outcome.changes == []
    assert chat.orders() == {}


def test_open_starts_a_new_week(chat: Chat) -> None:
    verify_dialog(
        chat,
        [
            (LAURE, "2 kg de moules", ["Noté Laure"]),
            (PATRICK, "/fermer", ["closes"]),
            (PATRICK, "/ouvrir", ["Les commandes sont ouvertes"]),
            (LAURE, "/commande", ["rien commandé"]),
            (KARIM, "3 soles", ["Noté Karim : sole ×3 — 48,00 €"]),
        ],
    )
    assert chat.orders() == {"u-karim": {"sole": 3}}


def test_open_while_open_is_refused_and_keeps_the_week(chat: Chat) -> None:
    chat.say("2 kg de moules")
    replies = chat.say("/ouvrir", author=PATRICK)
    assert replies and "déjà ouverte" in replies[0]
    assert chat.orders() == {"u-laure": {"moules": 2}}
    chat.say("/fermer", author=PATRICK)
    chat.say("/ouvrir", author=PATRICK)
    chat.say("1 kg de moules")
    assert chat.orders() == {"u-laure": {"moules": 1}}


def test_an_edited_command_does_not_run_again(chat: Chat) -> None:
    chat.say("/fermer", author=PATRICK)
    closing = chat.sent[-1]
    chat.say("/ouvrir", author=PATRICK)
    chat.say("2 kg de moules")
    assert chat.say("/fermer !", author=PATRICK, edit_of=closing.message_id) == []
    chat.say("1 dorade")
    assert chat.orders() == {"u-laure": {"moules": 2, "dorade": 1}}


def test_an_order_edited_into_a_command_only_loses_its_lines(chat: Chat) -> None:
    first = chat.message("2 kg de moules")
    chat.deliver(first)
    chat.say("3 soles")
    chat.say("/ouvrir", author="u-laure", edit_of=first.message_id)
    assert chat.orders() == {"u-laure": {"sole": 3}}


def test_my_order_shows_the_members_order(chat: Chat) -> None:
    verify_dialog(
        chat,
        [
            (LAURE, "/commande", ["Laure, vous n'avez rien commandé cette semaine."]),
            (LAURE, "2 kg de moules et 2 dorades", ["Noté Laure"]),
            (KARIM, "3 soles", ["Noté Karim"]),
            (LAURE, "/commande", ["Laure, votre commande : moules 2 kg, dorade ×2 — 37,00 €"]),
            (KARIM, "/order", ["Karim, votre commande : sole ×3 — 48,00 €"]),
        ],
    )


def test_cancel_removes_the_whole_order(chat: Chat) -> None:
    verify_dialog(
        chat,
        [
            (LAURE, "2 kg de moules et 2 dorades", ["Noté Laure"]),
            (KARIM, "3 soles", ["Noté Karim"]),
            (LAURE, "/annuler", ["C'est annulé Laure"]),
            (LAURE, "/commande", ["rien commandé"]),
        ],
    )
    assert chat.orders() == {"u-karim": {"sole": 3}}


def test_cancel_with_nothing_ordered_still_answers(chat: Chat) -> None:
    outcome = chat.send("/annuler")
    assert len(outcome.replies) == 1
    assert outcome.changes == []
    assert chat.orders() == {}


def test_order_after_cancel_starts_from_empty(chat: Chat) -> None:
    chat.say("2 kg de moules")
    chat.say("/cancel")
    chat.say("je rajoute 1 kg de moules")
    assert chat.orders() == {"u-laure": {"moules": 1}}


def test_price_changes_the_price(chat: Chat) -> None:
    verify_dialog(
        chat,
        [
            (PATRICK, "/prix moules 7,20", ["C'est noté : Moules de bouchot à 7,20 € le kg."]),
            (LAURE, "/catalogue", ["Moules de bouchot : 7,20 € le kg"]),
            (LAURE, "2 kg de moules", ["Noté Laure : moules 2 kg — 14,40 €"]),
            (PATRICK, "/price moules 6.9", ["6,90 €"]),
            (LAURE, "/commande", ["moules 2 kg — 13,80 €"]),
        ],
    )


@pytest.mark.parametrize(
    "command",
    [
        "/prix",
        "/prix moules",
        "/prix moules abc",
        "/prix moules -2",
        "/prix homard-geant 30",
        "/prix moules 7 8",
    ],
)
def test_bad_price_gets_a_usage_message(chat: Chat, command: str) -> None:
    verify_dialog(chat, [(PATRICK, command, ["Usage : /prix PRODUIT PRIX"])])
    [catalogue] = chat.say("/catalogue")
    assert "Moules de bouchot : 6,50 € le kg" in catalogue


def test_available_withdraws_and_restores_a_product(chat: Chat) -> None:
    verify_dialog(
        chat,
        [
            (PATRICK, "/dispo bulots non", ["n'est plus proposé"]),
            (LAURE, "/catalogue", ["Moules de bouchot"]),
        ],
    )
    [catalogue] = chat.say("/catalogue")
    assert "Bulots" not in catalogue
    chat.say("1 kg de bulots")
    assert chat.orders() == {}
    verify_dialog(
        chat,
        [
            (PATRICK, "/dispo bulots oui", ["est proposé"]),
            (LAURE, "1 kg de bulots", ["Noté Laure : bulots 1 kg — 9,00 €"]),
            (PATRICK, "/dispo bulots peut-être", ["Usage : /dispo PRODUIT oui|non"]),
        ],
    )


def test_unknown_command_gets_a_polite_answer(chat: Chat) -> None:
    outcome = chat.send("/foo bar")
    assert [reply.kind for reply in outcome.replies] == ["error"]
    assert outcome.replies[0].text == (
        "Je ne connais pas la commande /foo. Tapez /aide pour la liste."
    )
    assert outcome.changes == []


def test_commands_are_case_insensitive(chat: Chat) -> None:
    chat.say("2 kg de moules")
    [text] = chat.say("/RECAP", author=PATRICK)
    assert "Moules de bouchot : 2 kg" in text


def test_replies_answer_the_command_message(chat: Chat) -> None:
    outcome = chat.send("/aide", id="cmd-42")
    [reply] = outcome.replies
    assert (reply.chat_id, reply.reply_to) == ("chat-1", "cmd-42")


def test_redelivered_command_is_not_run_twice(chat: Chat) -> None:
    message = chat.message("/ouvrir", author=PATRICK)
    assert len(chat.deliver(message).replies) == 1
    chat.say("2 kg de moules")
    again = chat.deliver(message)
    assert again.duplicate is True
    assert again.replies == []
    assert chat.orders() == {"u-laure": {"moules": 2}}


def test_supplier_announcement_is_not_an_order(chat: Chat) -> None:
    verify_dialog(
        chat,
        [
            ("u-charles", "Arrivage pour samedi : moules 6,50€/kg, 2 dorades restantes", []),
        ],
    )
    assert chat.orders() == {}


def test_price_is_rounded_before_it_is_checked(chat: Chat) -> None:
    assert "99 999 999,99" in chat.say("/prix bar 99999999.994", author=PATRICK)[0]
    assert "0,00 €" in chat.say("/prix bar -0", author=PATRICK)[0]
    assert "Usage" in chat.say("/prix bar -1", author=PATRICK)[0]
