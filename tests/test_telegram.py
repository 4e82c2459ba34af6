"""Telegram end to end: the real transport and python-telegram-bot against a Bot API server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.fake_telegram import FakeTelegram, admin
from helpers.telegram_group import BOT_USERNAME, Group, member, run_until

from bot.app import App, build_app
from bot.replay import final_orders
from bot.settings import Settings
from bot.telegram.text import split_text
from bot.telegram.updates import GroupMessage, read_update
from orders import inbox

FIXTURES = Path(__file__).parent / "fixtures"
FISH = FIXTURES / "fish-club" / "catalog.yaml"
GROUP = "-1001234567890"
LAURE, MARC, INES, PAUL = (
    member(11, "Laure"),
    member(12, "Marc"),
    member(13, "Inès"),
    member(14, "Paul"),
)
BOSS = member(1, "Patrick")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    server.admins[GROUP] = [admin(BOSS, owner=True)]
    yield server
    server.close()


@pytest.fixture
def tg_app(tmp_path: Path) -> Iterator[App]:
    app = build_app(Settings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}"))
    yield app
    app.close()


@pytest.fixture
def club(tg_app: App) -> int:
    return tg_app.import_catalog(FISH, bind=("telegram", GROUP)).club_id


def _reactions(fake: FakeTelegram) -> set[int]:
    return {int(c.params["message_id"]) for c in fake.sent("setMessageReaction", GROUP)}


def _replies(fake: FakeTelegram, chat: str = GROUP) -> dict[int, str]:
    return {
        int(c.params["reply_parameters"]["message_id"]): str(c.params["text"])
        for c in fake.sent("sendMessage", chat)
        if c.params.get("reply_parameters")
    }


def test_a_week_in_a_group(tg_app: App, club: int, fake: FakeTelegram) -> None:
    group = Group(fake, GROUP)
    ids: dict[str, int] = {}

    def orders() -> None:
        ids["laure"] = group.say(LAURE, "2 kg de moules")
        ids["marc"] = group.say(MARC, "1 kg de maquereaux")
        ids["ines"] = group.say(INES, "une dorade et 1 kg de bulots")
        ids["paul"] = group.say(PAUL, "3 douzaines d'huîtres")
        ids["unknown"] = group.say(PAUL, "et 2 kg de homard")

    def edits() -> None:
        edit = group.edit(LAURE, ids["laure"], "3 kg de moules", edit_date=group.date + 5)
        fake.push(edit)  # the same edit delivered again
        ids["cancel"] = group.say(PAUL, "/annuler")
        ids["order"] = group.say(INES, f"/commande@{BOT_USERNAME}")
        group.say(INES, "/commande@some_other_bot")

    run_until(tg_app, fake, steps=[orders, edits])
    assert final_orders(tg_app, club) == {
        "tg-11": {"moules": 3},
        "tg-13": {"dorade": 1, "bulots": 1},
    }
    replies = _replies(fake)
    assert ids["laure"] in _reactions(fake) and ids["ines"] in _reactions(fake)
    assert ids["marc"] in replies  # a question, as a reply to Marc's message
    assert ids["unknown"] in replies
    assert "dorade" in replies[ids["order"]] and "bulots" in replies[ids["order"]]
    assert ids["cancel"] in _reactions(fake)  # "noted", without words
    assert len([t for t in replies.values() if "dorade ×1 —" in t]) == 1  # not the other bot's


def test_organiser_commands_admin_anonymous_admin_and_refused_member(
    tg_app: App, club: int, fake: FakeTelegram
) -> None:
    group = Group(fake, GROUP)
    ids: dict[str, int] = {}

    def commands() -> None:
        ids["member"] = group.say(LAURE, "/recap")
        ids["admin"] = group.say(BOSS, "/recap")
        ids["anonymous"] = group.say(None, "/fermer", sender_chat=group.chat)
        ids["channel"] = group.say(
            None, "/ouvrir", sender_chat={"id": -1009, "type": "channel", "title": "News"}
        )

    run_until(tg_app, fake, steps=[commands])
    replies = _replies(fake)
    assert "organisat" in replies[ids["member"]].lower()  # refused politely
    assert ids["admin"] in replies and "organisat" not in replies[ids["admin"]].lower()
    assert ids["anonymous"] in replies and "organisat" not in replies[ids["anonymous"]].lower()
    assert ids["channel"] not in replies  # a channel is not a member
    with tg_app.engine.connect() as conn:
        assert not inbox.counts(conn).get(inbox.FAILED)


def test_split_text_on_line_boundaries() -> None:
    lines = [f"ligne {n} " + "x" * 50 for n in range(200)]
    parts = split_text("\n".join(lines))
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == "\n".join(lines)
    assert split_text("y" * 9000) == ["y" * 4096, "y" * 4096, "y" * 808]
    assert split_text("  \n ") == []


def test_commands_for_another_bot_and_channel_posts_are_not_ours() -> None:
    chat = {"id": -5, "type": "group", "title": "g"}
    base = {"message_id": 1, "date": 1, "chat": chat, "from": LAURE}
    mine = read_update({"update_id": 1, "message": {**base, "text": "/aide@Bot"}}, "bot")
    assert isinstance(mine, GroupMessage) and mine.message.text == "/aide"
    assert read_update({"update_id": 2, "message": {**base, "text": "/aide@x"}}, "bot") is None
    assert read_update({"update_id": 3, "channel_post": {**base, "text": "hi"}}, "bot") is None
