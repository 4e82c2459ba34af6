"""The weekly cycle's commands through the one pipeline, and the catalogue's schedule block."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers.chat import Chat
from weekly_helpers import FISH, weekly_catalog

from bot.app import App
from orders.catalog import CatalogError, load_catalog
from schedules.settings import load_schedule
from suppliers import dispatch


def test_planning_shows_the_defaults_then_changes_one_step(
    chat: Chat, app: App, club_id: int
) -> None:
    shown = chat.say("/planning", author="u-patrick")[0]
    assert "fermeture : jeu 20:00" in shown and "pas encore actif" in shown
    changed = chat.say("/planning fermeture vendredi 19h30", author="u-patrick")[0]
    assert "fermeture : ven 19:30" in changed and "pas encore actif" not in changed
    with app.engine.connect() as conn:
        saved = load_schedule(conn, club_id)
    assert saved is not None and saved["closes"] == "fri 19:30" and saved["opens"] == "sat 14:00"
    assert (
        "sacs non retirés : désactivé"
        in chat.say("/planning non-retires off", author="u-patrick")[0]
    )


@pytest.mark.parametrize(
    "text",
    ["/planning fermeture", "/planning fermeture jeu 25:00", "/planning lundi 20:00",
     "/planning fermeture off", "/fournisseur pigeon 12", "/fournisseur email", "/recupere"],
)  # fmt: skip
def test_bad_arguments_get_the_usage_and_change_nothing(
    chat: Chat, app, club_id, text: str
) -> None:  # type: ignore[no-untyped-def]
    assert "Usage" in chat.say(text, author="u-patrick")[0]
    with app.engine.connect() as conn:
        assert load_schedule(conn, club_id) is None
        assert dispatch.channels(conn, club_id) == []


@pytest.mark.parametrize(
    "text", ["/planning fermeture jeu 20:00", "/fournisseur email x@y.fr", "/envoyer", "/export",
             "/recupere laure"],
)  # fmt: skip
def test_members_cannot_run_the_weekly_commands(
    chat: Chat, app: App, club_id: int, text: str
) -> None:
    assert "réservé aux organisateurs" in chat.say(text, author="u-laure")[0]
    with app.engine.connect() as conn:
        assert load_schedule(conn, club_id) is None
        assert dispatch.channels(conn, club_id) == []


def test_supplier_channels_are_set_shown_and_removed(chat: Chat, app: App, club_id: int) -> None:
    assert "aucun canal" in chat.say("/fournisseur", author="u-patrick")[0]
    chat.say("/fournisseur sms +33612345678", author="u-patrick")
    shown = chat.say("/fournisseur email charles@example.fr", author="u-patrick")[0]
    assert "sms (+33612345678), email (charles@example.fr)" in shown
    assert "sms" not in chat.say("/fournisseur sms off", author="u-patrick")[0]


def test_send_without_a_channel_says_how_to_add_one(chat: Chat) -> None:
    chat.say("2 kg de moules")
    assert "/fournisseur email" in chat.say("/envoyer", author="u-patrick")[0]


def test_send_queues_one_row_per_channel_however_often(chat: Chat, app, club_id) -> None:  # type: ignore[no-untyped-def]
    from orders import outbox

    chat.say("2 kg de moules")
    chat.say("/fournisseur email charles@example.fr", author="u-patrick")
    chat.say("/fournisseur whatsapp +33612345678", author="u-patrick")
    chat.say("/envoyer", author="u-patrick")
    chat.say("/send", author="u-patrick")
    with app.engine.connect() as conn:
        rows = [r for r in outbox.rows(conn) if r.kind == "supplier_order"]
    assert sorted((r.platform, r.chat_id) for r in rows) == [
        ("email", "charles@example.fr"), ("whatsapp", "+33612345678"),
    ]  # fmt: skip
    assert all("Moules de bouchot : 2 kg — 13,00 €" in r.text for r in rows)
    assert "attachments" in next(r for r in rows if r.platform == "email").payload
    assert "attachments" not in next(r for r in rows if r.platform == "whatsapp").payload


def test_export_posts_the_files_to_the_organiser(chat: Chat, app: App) -> None:
    from orders import outbox

    chat.say("2 kg de moules")
    chat.say("/export", author="u-patrick")
    with app.engine.connect() as conn:
        [row] = [r for r in outbox.rows(conn) if r.kind == "export"]
    names = [a["filename"] for a in row.payload["attachments"]]
    assert row.chat_id == "chat-1" and [n[-4:] for n in names] == [".csv", ".pdf"]
    assert names[0] in row.text


def test_collected_marks_one_bag_and_knows_who_has_none(chat: Chat, app: App, club_id: int) -> None:
    from suppliers.pickup import not_collected

    chat.say("2 kg de moules", author="u-laure")
    chat.say("une dorade", author="u-paul")
    assert "Laure noté comme retiré" in chat.say("/recupere Laure", author="u-patrick")[0]
    assert "déjà" in chat.say("/recupere laure", author="u-patrick")[0]
    assert "Je ne trouve pas" in chat.say("/recupere Camille", author="u-patrick")[0]
    with app.engine.connect() as conn:
        assert not_collected(conn, dispatch.week_window(conn, club_id)) == ["Paul"]


def test_the_catalogue_sets_the_schedule_and_the_channels(tmp_path: Path, app: App) -> None:
    result = app.import_catalog(weekly_catalog(tmp_path), slug="weekly")
    with app.engine.connect() as conn:
        saved = load_schedule(conn, result.club_id)
        assert dispatch.channels(conn, result.club_id) == [("email", "charles@example.fr")]
    assert saved is not None and saved["supplier"] == "thu 20:30"


@pytest.mark.parametrize(
    ("block", "message"),
    [({"schedule": {"closes": "someday"}}, "closes"),
     ({"schedule": {"lunch": "sat 12:00"}}, "lunch")],
)  # fmt: skip
def test_a_bad_schedule_in_the_catalogue_is_named(
    tmp_path: Path, block: dict, message: str
) -> None:
    data = yaml.safe_load(FISH.read_text(encoding="utf-8")) | block
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match=message):
        load_catalog(path)


def test_a_bad_supplier_channel_in_the_catalogue_is_named(tmp_path: Path) -> None:
    data = yaml.safe_load(FISH.read_text(encoding="utf-8"))
    data["supplier"]["channels"] = {"fax": "0123"}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="fax"):
        load_catalog(path)


def test_a_late_order_is_kept_aside_until_an_organiser_accepts_it(chat: Chat) -> None:
    chat.say("2 kg de moules", author="u-laure")
    chat.say("/fermer", author="u-patrick")
    assert "closes" in chat.say("une dorade et 1 kg de moules", author="u-paul")[0]
    assert chat.orders() == {"u-laure": {"moules": 2}}
    assert "En attente : Paul" in chat.say("/accepter zoe", author="u-patrick")[0]
    assert "réservé" in chat.say("/accepter paul", author="u-laure")[0]
    confirm, accepted = chat.say("/accepter paul", author="u-patrick")
    assert "Noté Paul" in confirm and "acceptée (1 message)" in accepted
    assert chat.orders() == {"u-laure": {"moules": 2}, "u-paul": {"moules": 1, "dorade": 1}}
    assert "Pas de commande tardive" in chat.say("/accepter paul", author="u-patrick")[0]
    assert chat.orders()["u-paul"] == {"moules": 1, "dorade": 1}


def test_reopen_takes_orders_again_in_the_same_week(chat: Chat) -> None:
    chat.say("2 kg de moules", author="u-laure")
    chat.say("/fermer", author="u-patrick")
    assert "ouvertes" in chat.say("/rouvrir", author="u-patrick")[0]
    chat.say("je rajoute 1 kg de moules", author="u-laure")
    assert chat.orders() == {"u-laure": {"moules": 3}}
    assert "déjà ouverte" in chat.say("/rouvrir", author="u-patrick")[0]
