"""Telegram end to end: the real transport and python-telegram-bot against a Bot API server."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.fake_telegram import FakeTelegram, admin
from helpers.telegram_group import (
    BOT_USERNAME,
    AcceleratedClock,
    Group,
    free_port,
    member,
    run_until,
    settled,
)
from sqlalchemy import text

from bot.announce import Announcement
from bot.app import App, build_app
from bot.replay import final_orders
from bot.settings import Settings
from bot.telegram.text import split_text
from bot.telegram.updates import GroupMessage, read_update
from orders import inbox, outbox

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
ZOE = member(15, "Zoé")


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
        ids["unknown"] = group.say(PAUL, "et 1 kg de caviar")
        ids["zoe"] = group.say(ZOE, "2 kg de homard")

    def answers() -> None:
        group.say(MARC, "2")  # answers the bot's question with a plain next message
        (asked,) = [
            c.result["message_id"]
            for c in fake.sent("sendMessage", GROUP)
            if (c.params.get("reply_parameters") or {}).get("message_id") == ids["zoe"]
        ]
        group.say(ZOE, "3", reply_to=asked)  # ... or with Telegram's reply

    def edits() -> None:
        edit = group.edit(LAURE, ids["laure"], "3 kg de moules", edit_date=group.date + 5)
        fake.push(edit)  # the same edit delivered again
        ids["cancel"] = group.say(PAUL, "/annuler")
        ids["order"] = group.say(INES, f"/commande@{BOT_USERNAME}")
        group.say(INES, "/commande@some_other_bot")

    run_until(tg_app, fake, steps=[orders, answers, edits])
    assert final_orders(tg_app, club) == {
        "tg-11": {"moules": 3},
        "tg-12": {"maquereau": 2},
        "tg-13": {"dorade": 1, "bulots": 1},
        "tg-15": {"homard": 3},
    }
    replies = _replies(fake)
    assert ids["laure"] in _reactions(fake) and ids["ines"] in _reactions(fake)
    assert ids["marc"] in replies  # a question, as a reply to Marc's message
    assert "caviar" in replies[ids["unknown"]]  # not in the catalogue: said, as a reply
    assert "pièce" in replies[ids["zoe"]]
    assert "dorade" in replies[ids["order"]] and "bulots" in replies[ids["order"]]
    assert ids["cancel"] in _reactions(fake)  # "noted", without words
    assert len([t for t in replies.values() if "dorade ×1 —" in t]) == 1  # not the other bot's
    menus = fake.sent("setMyCommands")
    scopes = {(c.params["scope"]["type"], c.params.get("language_code")) for c in menus}
    assert scopes == {
        (scope, language)
        for scope in ("all_group_chats", "all_chat_administrators")
        for language in (None, "en")
    }
    names = {command["command"] for c in menus for command in c.params["commands"]}
    assert {"commande", "order", "recap", "summary"} <= names
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in names)


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


NEW_GROUP = "-4004"
BAD_CATALOG = (
    b"club: Club du marche\nsupplier: {name: Ana}\nproducts:\n"
    b"  - id: pommes\n    name: Pommes\n    unit: kg\n    price: beaucoup\n"
)
GOOD_CATALOG = (
    b"club: Club du marche\nlocale: fr\nsupplier: {name: Ana}\nproducts:\n"
    b"  - id: pommes\n    name: Pommes\n    unit: kg\n    price: 2.50\n    aliases: [pommes]\n"
)


def _document(group: Group, author: dict, fake: FakeTelegram, name: str, data: bytes) -> int:
    file_id = f"file-{len(fake.files)}"
    fake.files[file_id] = data
    document = {"file_id": file_id, "file_unique_id": file_id, "file_name": name}
    return group.say(author, "", extra={"document": {**document, "file_size": len(data)}})


def test_the_bot_joins_a_group_setup_and_a_catalogue_by_document(
    tg_app: App, fake: FakeTelegram
) -> None:
    fake.can_read_all_group_messages = False  # privacy mode on, and not an administrator
    fake.admins[NEW_GROUP] = [admin(BOSS, owner=True)]
    group = Group(fake, NEW_GROUP, "Club du marché")
    ids: dict[str, int] = {}

    def added() -> None:
        fake.push(
            {
                "my_chat_member": {
                    "chat": group.chat,
                    "from": member(1, "Patrick", "en"),
                    "date": group.date,
                    "old_chat_member": {
                        "status": "left",
                        "user": {"id": 4242, "is_bot": True, "first_name": "B"},
                    },
                    "new_chat_member": {
                        "status": "member",
                        "user": {"id": 4242, "is_bot": True, "first_name": "B"},
                    },
                }
            }
        )

    def setup() -> None:
        ids["early"] = group.say(LAURE, "/commande")
        ids["refused"] = group.say(LAURE, "/setup")
        ids["setup"] = group.say(BOSS, f"/setup@{BOT_USERNAME}")

    def catalogues() -> None:
        ids["member_doc"] = _document(group, LAURE, fake, "catalogue.yaml", GOOD_CATALOG)
        ids["bad"] = _document(group, BOSS, fake, "catalogue.yaml", BAD_CATALOG)
        ids["good"] = _document(group, BOSS, fake, "catalogue.yml", GOOD_CATALOG)
        group.say(LAURE, "/commande")

    def order() -> None:
        ids["order"] = group.say(LAURE, "2 kg de pommes")

    run_until(tg_app, fake, steps=[added, setup, catalogues, order])
    hello = fake.texts(NEW_GROUP)[0]
    assert hello.startswith("Hello! I am @orderbot_test_bot") and "/setup" in hello
    assert "privacy mode" in hello and "/setprivacy" in hello
    replies = _replies(fake, NEW_GROUP)
    assert "/setup" in replies[ids["early"]]
    assert "administrat" in replies[ids["refused"]]
    assert "Club du marché" in replies[ids["setup"]] and "YAML" in replies[ids["setup"]]
    assert "/setprivacy" in replies[ids["setup"]]  # still cannot read ordinary messages
    assert "organisateur" in replies[ids["member_doc"]]
    assert "line 7" in replies[ids["bad"]] and "price" in replies[ids["bad"]]
    assert "1 produits ajoutés" in replies[ids["good"]]
    with tg_app.engine.connect() as conn:
        club_id = conn.execute(
            text("select club_id from clubchat where platform='telegram' and chat_id=:c"),
            {"c": NEW_GROUP},
        ).scalar()
    assert final_orders(tg_app, club_id) == {"tg-11": {"pommes": 2}}
    assert ids["order"] in _reactions_in(fake, NEW_GROUP)


def _reactions_in(fake: FakeTelegram, chat: str) -> set[int]:
    return {int(c.params["message_id"]) for c in fake.sent("setMessageReaction", chat)}


def test_a_group_upgraded_to_a_supergroup_keeps_its_club(tg_app: App, fake: FakeTelegram) -> None:
    old, new = "-777", "-100777"
    club = tg_app.import_catalog(FISH, bind=("telegram", old)).club_id
    before, after = Group(fake, old), Group(fake, new)

    def first() -> None:
        before.say(LAURE, "2 kg de moules")

    def migrate() -> None:
        before.say(None, "", extra={"migrate_to_chat_id": int(new), "from": BOSS})
        after.say(None, "", extra={"migrate_from_chat_id": int(old), "from": BOSS})
        after.say(MARC, "1 kg de bulots")
        after.say(LAURE, "et 1 kg de bulots")

    run_until(tg_app, fake, steps=[first, migrate])
    assert final_orders(tg_app, club) == {
        "tg-11": {"moules": 2, "bulots": 1},
        "tg-12": {"bulots": 1},
    }


def test_a_webhook_call_with_a_wrong_secret_is_refused_and_changes_nothing(
    tg_app: App, club: int, fake: FakeTelegram
) -> None:
    port = free_port()
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1_790_000_000,
            "chat": {"id": int(GROUP), "type": "supergroup", "title": "Club"},
            "from": LAURE,
            "text": "2 kg de moules",
        },
    }
    answers: dict[str, object] = {}

    def post(secret: str | None, body: bytes) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/telegram/webhook", data=body, method="POST"
        )
        if secret is not None:
            request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def calls() -> None:
        secret = fake.webhook["secret_token"]
        body = json.dumps(update).encode()
        answers["wrong"] = post("not-the-secret", body)
        answers["missing"] = post(None, body)
        with tg_app.engine.connect() as conn:
            answers["after_forged"] = inbox.counts(conn)
        answers["garbage"] = post(secret, b"{not json")
        answers["right"] = post(secret, body)
        answers["again"] = post(secret, body)  # Telegram retrying the same update

    run_until(
        tg_app,
        fake,
        lambda: bool(fake.webhook) and settled(tg_app, fake),
        steps=[calls],
        public_url="https://bot.example.org",
        port=port,
    )
    assert fake.webhook["url"] == "https://bot.example.org/telegram/webhook"
    assert (answers["wrong"], answers["missing"]) == (403, 403)
    assert answers["after_forged"] == {}
    assert (answers["garbage"], answers["right"], answers["again"]) == (400, 200, 200)
    assert final_orders(tg_app, club) == {"tg-11": {"moules": 2}}
    assert _reactions(fake) == {1}


def test_a_send_failing_twice_then_succeeding_is_sent_once(
    tg_app: App, club: int, fake: FakeTelegram
) -> None:
    group = Group(fake, GROUP)
    fake.fail_next("sendMessage", 502, 502)
    ids: dict[str, int] = {}

    def ask() -> None:
        ids["q"] = group.say(MARC, "1 kg de maquereaux")

    run_until(tg_app, fake, steps=[ask])
    attempts = [c for c in fake.calls if c.method == "sendMessage"]
    assert [c.status for c in attempts] == [502, 502, 200]
    assert list(_replies(fake)) == [ids["q"]]
    with tg_app.engine.connect() as conn:
        (row,) = outbox.rows(conn, platform="telegram", kind="question")
    assert (row.status, row.attempts) == ("sent", 3)


BURST_TEXTS = ("2 kg de moules", "une dorade", "1 kg de bulots", "3 douzaines d'huîtres")


def test_a_burst_of_300_orders_stays_within_the_group_budget_and_acknowledges_everyone(
    tmp_path: Path,
) -> None:
    clock = AcceleratedClock(factor=20)  # five minutes of orders in fifteen seconds
    fake = FakeTelegram(clock=clock.seconds).start()
    app = build_app(Settings(database_url=f"sqlite:///{tmp_path / 'burst.sqlite3'}"), clock=clock)
    try:
        club = app.import_catalog(FISH, bind=("telegram", GROUP)).club_id
        group = Group(fake, GROUP)
        people = {300 + n: member(300 + n, f"Membre{n}") for n in range(300)}
        posted: dict[int, int] = {}

        def burst() -> None:
            for n, (user_id, person) in enumerate(people.items()):
                posted[group.say(person, BURST_TEXTS[n % len(BURST_TEXTS)])] = user_id
                time.sleep(1.0 / clock.factor)  # one order a (accelerated) second

        run_until(app, fake, steps=[burst], limit=120)
        assert len(final_orders(app, club)) == 300
        calls = [c for c in fake.calls if str(c.params.get("chat_id")) == GROUP]
        assert [c for c in calls if c.status == 429] == []
        times = sorted(c.at for c in calls if c.status == 200)
        assert max(sum(1 for t in times if s <= t < s + 60) for s in times) <= 20
        reacted = {posted[m] for m in _reactions(fake)}
        grouped = [t for t in fake.texts(GROUP) if t.startswith("Noté : ")]
        named = {int(n.removeprefix("Membre")) + 300 for t in grouped for n in t[7:].split(", ")}
        assert grouped, "a busy group gets grouped acknowledgements"
        assert reacted | named == set(people)
    finally:
        app.close()
        fake.close()


def test_private_details_deep_link_and_announcements(
    tg_app: App, club: int, fake: FakeTelegram
) -> None:
    group = Group(fake, GROUP)
    ids: dict[str, int] = {}

    def start() -> None:
        private = {"id": 11, "type": "private", "first_name": "Laure"}
        fake.push(
            {
                "message": {
                    "message_id": 1,
                    "date": 1,
                    "chat": private,
                    "from": LAURE,
                    "text": "/start orders",
                }
            }
        )

    def orders() -> None:
        ids["laure"] = group.say(LAURE, "2 kg de moules")
        ids["marc"] = group.say(MARC, "une dorade")
        ids["help"] = group.say(MARC, "/aide")

    def announce() -> None:
        item = Announcement(
            club_id=club,
            kind="last_call",
            key=f"last_call:{club}:1",
            text="Dernier appel : on ferme à 20 h.",
            bags={"tg-11": "Laure, votre panier : moules 2 kg", "tg-12": "Marc : dorade ×1"},
        )
        for _ in range(2):  # a job that runs twice sends once
            with tg_app.engine.begin() as conn:
                tg_app.announcers(conn, item, tg_app.clock.now())

    run_until(tg_app, fake, steps=[start, orders, announce])
    private = fake.texts("11")
    assert "détail de vos commandes" in private[0]
    assert any(t.startswith("Noté Laure") and "moules 2 kg" in t for t in private)
    assert private[-1] == "Laure, votre panier : moules 2 kg"
    assert fake.texts("12") == []  # Marc never started the bot: nothing private
    assert ids["laure"] in _reactions(fake) and ids["marc"] in _reactions(fake)
    assert "https://t.me/orderbot_test_bot?start=orders" in _replies(fake)[ids["help"]]
    assert fake.texts(GROUP).count("Dernier appel : on ferme à 20 h.") == 1


def test_the_burst_benchmark_runs_and_prints_its_figures() -> None:
    root = Path(__file__).resolve().parents[1]
    options = ["--members", "40", "--minutes", "1", "--speed", "30"]
    done = subprocess.run(
        [sys.executable, str(root / "bench" / "telegram_burst.py"), *options],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "orders counted:          40" in done.stdout
    assert "acknowledged:            40 " in done.stdout
    assert "429 answers:             0" in done.stdout


def test_a_supplier_order_is_split_and_its_attachment_sent_as_a_document(
    tg_app: App, club: int, fake: FakeTelegram
) -> None:
    supplier_chat = "5150"
    lines = [f"{n:03d}. Moules de bouchot — 2 kg — Membre {n}" for n in range(250)]
    data = b"produit;quantite\nmoules;500\n"

    def weekly() -> None:
        with tg_app.engine.begin() as conn:
            for _ in range(2):  # the weekly job running twice queues once
                outbox.enqueue(
                    conn,
                    platform="telegram",
                    chat_id=supplier_chat,
                    kind="supplier_order",
                    club_id=club,
                    dedupe_key=f"supplier_order:{club}:1:telegram",
                    text="\n".join(lines),
                    payload={
                        "attachments": [
                            {
                                "filename": "commande.csv",
                                "content_type": "text/csv",
                                "data_b64": base64.b64encode(data).decode(),
                            }
                        ]
                    },
                    now=tg_app.clock.now(),
                )

    run_until(tg_app, fake, steps=[weekly])
    parts = fake.texts(supplier_chat)
    assert len(parts) >= 3 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts).split("\n") == lines  # cut between lines, nothing lost
    (document,) = fake.sent("sendDocument", supplier_chat)
    assert document.files["document"] == ("commande.csv", data)


POSTGRES_URL = os.environ.get(
    "ORDERBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.mark.postgres
def test_a_week_in_a_group_on_postgresql(fake: FakeTelegram) -> None:
    from helpers.postgres import empty_postgres

    empty_postgres(POSTGRES_URL)
    app = build_app(Settings(database_url=POSTGRES_URL))
    try:
        club = app.import_catalog(FISH, bind=("telegram", GROUP)).club_id
        test_a_week_in_a_group(app, club, fake)
        test_organiser_commands_admin_anonymous_admin_and_refused_member(app, club, fake)
    finally:
        app.close()


def test_a_429_is_waited_out_a_refusal_reported_and_a_refused_reaction_said_in_words(
    tg_app: App, club: int, fake: FakeTelegram
) -> None:
    group = Group(fake, GROUP)
    # Aimed at the question: the reaction's fallback words may be sent before its retry.
    fake.fail_next("sendMessage", 429, 400, text="maquereau")
    fake.fail_next("setMessageReaction", 400)
    ids: dict[str, int] = {}

    def messages() -> None:
        ids["q"] = group.say(MARC, "1 kg de maquereaux")
        ids["ok"] = group.say(LAURE, "2 kg de moules")

    run_until(tg_app, fake, steps=[messages])
    asked = [c.status for c in fake.calls if "maquereau" in str(c.params.get("text"))]
    assert asked == [429, 400]
    texts = fake.texts(GROUP)
    assert not any("maquereau" in t and "pièces" in t for t in texts)  # refused for good
    assert any(t.startswith("⚠️") and "question" in t for t in texts)  # told to the club
    assert "Noté : Laure" in texts  # no reaction possible: said in words
    with tg_app.engine.connect() as conn:
        (question,) = outbox.rows(conn, kind="question")
    assert (question.status, question.attempts) == ("failed", 2)


def test_a_club_can_choose_replies_instead_of_reactions(
    tg_app: App, club: int, fake: FakeTelegram
) -> None:
    tg_app.settings.telegram_club_ack_styles = "fish-club-of-montsouris=replies"
    group = Group(fake, GROUP)
    ids: dict[str, int] = {}

    def order() -> None:
        ids["laure"] = group.say(LAURE, "2 kg de moules")

    run_until(tg_app, fake, steps=[order])
    assert _reactions(fake) == set()
    assert _replies(fake)[ids["laure"]].startswith("Noté Laure : moules 2 kg")
