"""What a new club and a new user meet first: true answers, confirmed bindings, log levels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.chat import Chat

from bot.app import build_app
from bot.cli import main
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
FISH = FIXTURES / "fish-club" / "catalog.yaml"
VEG = FIXTURES / "veg-basket" / "catalog.yaml"
WEEK_1 = FIXTURES / "fish-club" / "week-1.thread.jsonl"
ALLOTMENT = Path(__file__).parent / "heldout" / "allotment-en" / "catalog.yaml"
NO_ORDER = "Laure, vous n'avez pas de commande cette semaine."


# --- cancelling when there is nothing to cancel ----------------------------------------


def test_cancel_command_as_the_first_message_of_a_new_club(chat: Chat) -> None:
    assert chat.say("/annuler") == [NO_ORDER]
    assert chat.orders() == {}
    # Orders were never closed: the next order is taken.
    assert chat.say("2 kg de moules")[0].startswith("Noté Laure : moules 2 kg")


def test_cancel_in_words_with_no_order(chat: Chat) -> None:
    chat.say("2 dorades", author="u-paul")
    assert chat.say("annule tout") == [NO_ORDER]
    assert chat.say("/annuler") == [NO_ORDER]
    assert chat.orders() == {"u-paul": {"dorade": 2}}


def test_cancel_of_a_real_order_still_says_cancelled(chat: Chat) -> None:
    chat.say("2 dorades")
    assert chat.say("annule tout") == ["C'est annulé Laure : plus rien à votre nom cette semaine."]
    assert chat.say("/annuler") == [NO_ORDER]


def test_cancel_after_closing_says_orders_are_closed(chat: Chat) -> None:
    chat.say("2 dorades")
    chat.say("/fermer", author="u-patrick")
    assert "closes" in chat.say("/annuler")[0]


def test_cancel_with_no_order_in_english() -> None:
    app = build_app(Settings(database_url="sqlite://"))
    try:
        club = app.import_catalog(ALLOTMENT, bind=("test", "chat-1"))
        chat = Chat(app, club.club_id)
        assert chat.say("/cancel", author="u-liz") == ["Liz, you have no order this week."]
        assert chat.say("cancel my order", author="u-liz") == ["Liz, you have no order this week."]
    finally:
        app.close()


# --- binding a chat with `orderbot catalog import --chat` --------------------------------


def test_import_confirms_the_binding_and_a_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/ledger.sqlite3")
    assert main(["catalog", "import", str(FISH), "--chat", "telegram:-1001"]) == 0
    out = capsys.readouterr().out
    assert "thread telegram:-1001 bound to club fish-club-of-montsouris" in out, out
    assert "moved" not in out
    assert main(["catalog", "import", str(FISH), "--chat", "telegram:-1001"]) == 0
    out = capsys.readouterr().out
    assert "thread telegram:-1001 bound to club fish-club-of-montsouris (already)" in out, out
    assert main(["catalog", "import", str(VEG), "--chat", "telegram:-1001"]) == 0
    out = capsys.readouterr().out
    assert (
        "thread telegram:-1001 bound to club paniers-du-doyenne "
        "(moved from club fish-club-of-montsouris)"
    ) in out, out


# --- ORDERBOT_LOG_LEVEL -------------------------------------------------------------


def _replay(tmp_path: Path, env: dict[str, str], *args: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ORDERBOT_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            *args,
            "replay",
            "--catalog",
            str(FISH),
            "--thread",
            str(WEEK_1),
        ],
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stderr


def test_log_level_from_the_environment(tmp_path: Path) -> None:
    assert "handled club=" not in _replay(tmp_path, {})
    assert "handled club=" in _replay(tmp_path, {"ORDERBOT_LOG_LEVEL": "INFO"})


def test_log_level_from_dot_env_and_the_option_on_top(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ORDERBOT_LOG_LEVEL=INFO\n", encoding="utf-8")
    assert "handled club=" in _replay(tmp_path, {})
    assert "handled club=" not in _replay(tmp_path, {}, "--log-level", "WARNING")


# --- /recap: questions waiting for an answer ------------------------------------------


def test_recap_lists_the_questions_members_left_unanswered(chat: Chat) -> None:
    chat.say("2 dorades", author="u-laure")
    assert "combien" in chat.say("une aile de raie", author="u-paul")[0].lower()
    chat.say("2 ou 3 maquereaux", author="u-margaux")
    chat.say("1 kg de maquereaux", author="u-fatou")
    chat.say("3", author="u-fatou")  # answered: not waiting any more
    [recap] = chat.say("/recap", author="u-patrick")
    waiting = recap.split("En attente d'une réponse :\n", 1)[1]
    assert waiting.splitlines() == ["• Margaux : maquereau", "• Paul : raie"], recap


def test_recap_without_open_questions_has_no_waiting_section(chat: Chat) -> None:
    chat.say("2 dorades")
    [recap] = chat.say("/recap", author="u-patrick")
    assert "En attente" not in recap


def test_demo_recap_is_in_the_club_language_and_shows_who_is_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    week = capsys.readouterr().out.rpartition("=" * 72)[2]
    title = week.strip().splitlines()[0]
    # The demo plays the week to its close, so the recap says the orders are closed.
    closed = "Récapitulatif Club poisson de Montsouris (commandes closes) — "
    assert title.startswith(closed), title
    waiting = week.split("En attente d'une réponse :\n", 1)[1]
    assert "• Paul : raie" in waiting.splitlines(), week
