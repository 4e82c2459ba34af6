"""The one message pipeline: redelivery, edits and storage backends never change the ledger."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from helpers.chat import Chat
from sqlalchemy.exc import OperationalError

from bot.app import App, build_app
from bot.replay import final_orders, replay
from bot.settings import Settings
from bot.threads import read_thread

FIXTURES = Path(__file__).parent / "fixtures"
THREADS = sorted(FIXTURES.glob("*/*.thread.jsonl"))
POSTGRES_URL = os.environ.get(
    "ORDERBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

Orders = dict[str, dict[str, int | float]]


def _ids(path: Path) -> str:
    return f"{path.parent.name}/{path.name.removesuffix('.thread.jsonl')}"


def _catalog(thread: Path) -> Path:
    return thread.parent / "catalog.yaml"


@pytest.fixture
def memory_app() -> Iterator[App]:
    app = build_app(Settings(database_url="sqlite://"))
    yield app
    app.close()


def _replayed(thread: Path, url: str = "sqlite://") -> Orders:
    """The final orders of a thread replayed once, the way `orderbot replay` does it."""
    app = build_app(Settings(database_url=url))
    try:
        return final_orders(app, replay(app, _catalog(thread), thread).club_id)
    finally:
        app.close()


def test_every_fixture_thread_is_found() -> None:
    assert len(THREADS) >= 5
    assert all(_catalog(thread).is_file() for thread in THREADS)


@pytest.mark.parametrize("thread", THREADS, ids=_ids)
def test_immediate_redelivery_of_every_message_changes_nothing(
    memory_app: App, thread: Path
) -> None:
    once = _replayed(thread)
    assert once, "the thread should give at least one order"
    club = memory_app.import_catalog(_catalog(thread), bind=("replay", "dup")).club_id
    for message in read_thread(thread, chat_id="dup"):
        memory_app.bot.handle(message)
        again = memory_app.bot.handle(message)
        assert again.duplicate is True, message.message_id
        assert again.replies == [], message.message_id
        assert again.changes == [], message.message_id
    assert final_orders(memory_app, club) == once


@pytest.mark.parametrize("thread", THREADS, ids=_ids)
def test_whole_thread_delivered_twice_counts_once(memory_app: App, thread: Path) -> None:
    first = replay(memory_app, _catalog(thread), thread)
    after_first = final_orders(memory_app, first.club_id)
    for message in read_thread(thread):
        outcome = memory_app.bot.handle(message)
        assert outcome.duplicate is True, message.message_id
        assert outcome.replies == [], message.message_id
    assert final_orders(memory_app, first.club_id) == after_first == _replayed(thread)


# --- edits -----------------------------------------------------------------------------


def test_edit_replaces_what_the_edited_message_contributed(chat: Chat) -> None:
    chat.say("2 kg de moules")
    first = chat.last_id
    chat.say("je rajoute 1 kg de moules")
    assert chat.orders() == {"u-laure": {"moules": 3}}
    replies = chat.say("1 kg de moules", edit_of=first)
    assert chat.orders() == {"u-laure": {"moules": 2}}
    assert len(replies) == 1
    assert "moules 2 kg" in replies[0]


def test_edit_of_an_addition_replaces_the_addition(chat: Chat) -> None:
    chat.say("2 kg de moules")
    chat.say("je rajoute 1 kg de moules")
    addition = chat.last_id
    chat.say("je rajoute 2 kg de moules", edit_of=addition)
    assert chat.orders() == {"u-laure": {"moules": 4}}


def test_edit_can_change_the_product(chat: Chat) -> None:
    chat.say("2 dorades", author="u-karim")
    first = chat.last_id
    chat.say("et 1 kg de moules", author="u-karim")
    chat.say("2 soles", author="u-karim", edit_of=first)
    assert chat.orders() == {"u-karim": {"sole": 2, "moules": 1}}


def test_editing_an_order_into_chatter_removes_its_lines(chat: Chat) -> None:
    chat.say("2 kg de moules et 2 dorades")
    first = chat.last_id
    chat.say("3 soles", author="u-karim")
    chat.say("merci beaucoup !", edit_of=first)
    assert chat.orders() == {"u-karim": {"sole": 3}}


def test_edit_into_chatter_keeps_later_messages(chat: Chat) -> None:
    chat.say("2 kg de moules")
    first = chat.last_id
    chat.say("et 2 dorades aussi")
    chat.say("bonjour à tous", edit_of=first)
    assert chat.orders() == {"u-laure": {"dorade": 2}}


def test_edit_delivered_twice_counts_once(chat: Chat) -> None:
    chat.say("2 kg de moules")
    first = chat.last_id
    chat.say("je rajoute 1 kg de moules")
    edit = chat.message("1 kg de moules", edit_of=first)
    assert chat.deliver(edit).duplicate is False
    again = chat.deliver(edit)
    assert again.duplicate is True
    assert again.replies == []
    assert chat.orders() == {"u-laure": {"moules": 2}}


def test_second_edit_replaces_the_first_edit(chat: Chat) -> None:
    chat.say("3 soles", author="u-karim")
    first = chat.last_id
    chat.say("2 soles", author="u-karim", edit_of=first)
    chat.say("je rajoute 1 sole", author="u-karim")
    chat.say("4 soles", author="u-karim", edit_of=first)
    assert chat.orders() == {"u-karim": {"sole": 5}}


def test_redelivered_original_after_its_edit_changes_nothing(chat: Chat) -> None:
    original = chat.message("2 kg de moules")
    chat.deliver(original)
    chat.say("1 kg de moules", edit_of=original.message_id)
    assert chat.deliver(original).duplicate is True
    assert chat.orders() == {"u-laure": {"moules": 1}}


# --- storage backends ------------------------------------------------------------------


@pytest.mark.parametrize("thread", THREADS, ids=_ids)
def test_sqlite_file_and_memory_give_the_same_orders(tmp_path: Path, thread: Path) -> None:
    url = f"sqlite:///{tmp_path}/ledger.sqlite3"
    on_file = _replayed(thread, url)
    assert (tmp_path / "ledger.sqlite3").stat().st_size > 0
    assert on_file == _replayed(thread)


def test_sqlite_file_keeps_orders_across_restarts(tmp_path: Path) -> None:
    thread = FIXTURES / "fish-club" / "week-1.thread.jsonl"
    url = f"sqlite:///{tmp_path}/ledger.sqlite3"
    app = build_app(Settings(database_url=url))
    try:
        club = replay(app, _catalog(thread), thread).club_id
        before = final_orders(app, club)
    finally:
        app.close()
    app = build_app(Settings(database_url=url))
    try:
        assert final_orders(app, club) == before
        message = next(iter(read_thread(thread)))
        assert app.bot.handle(message).duplicate is True
    finally:
        app.close()


@pytest.fixture
def postgres_url() -> str:
    """The test database, emptied; skips only when the server cannot be reached."""
    from sqlmodel import SQLModel

    import orders.models  # noqa: F401  (registers the tables to drop)

    engine = sqlalchemy.create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        pytest.skip(f"PostgreSQL unreachable at 127.0.0.1:5432: {exc.orig}")
    try:
        # Reflect first: a table left by an older schema would block dropping the current ones.
        leftovers = sqlalchemy.MetaData()
        leftovers.reflect(engine)
        leftovers.drop_all(engine)
        SQLModel.metadata.drop_all(engine)
    finally:
        engine.dispose()
    return POSTGRES_URL


@pytest.mark.postgres
def test_postgres_gives_the_same_orders_as_sqlite(postgres_url: str) -> None:
    thread = FIXTURES / "fish-club" / "week-2.thread.jsonl"
    on_postgres = _replayed(thread, postgres_url)
    assert on_postgres
    assert on_postgres == _replayed(thread)


@pytest.mark.postgres
def test_postgres_redelivery_and_edits_count_once(postgres_url: str) -> None:
    app = build_app(Settings(database_url=postgres_url))
    try:
        club = app.import_catalog(
            FIXTURES / "fish-club" / "catalog.yaml", bind=("test", "chat-1")
        ).club_id
        chat = Chat(app, club)
        first = chat.message("2 kg de moules")
        chat.deliver(first)
        assert chat.deliver(first).duplicate is True
        chat.say("je rajoute 1 kg de moules")
        edit = chat.message("1 kg de moules", edit_of=first.message_id)
        chat.deliver(edit)
        assert chat.deliver(edit).duplicate is True
        assert chat.orders() == {"u-laure": {"moules": 2}}
    finally:
        app.close()


# --- chats bound to no club ------------------------------------------------------------


def test_message_in_an_unbound_chat_records_nothing_and_gets_no_reply(
    app: App, club_id: int, fixtures_dir: Path
) -> None:
    stray = Chat(app, club_id, chat_id="nowhere")
    message = stray.message("2 kg de moules et 2 dorades")
    outcome = stray.deliver(message)
    assert outcome.replies == []
    assert outcome.changes == []
    assert final_orders(app, club_id) == {}
    # Nothing was stored: once the chat is bound, the same message is new, not a duplicate.
    app.import_catalog(fixtures_dir / "fish-club" / "catalog.yaml", bind=("test", "nowhere"))
    later = stray.deliver(message)
    assert later.duplicate is False
    assert final_orders(app, club_id) == {"u-laure": {"moules": 2, "dorade": 2}}


def test_slash_command_in_an_unbound_chat_says_the_chat_is_unbound(app: App, club_id: int) -> None:
    stray = Chat(app, club_id, chat_id="nowhere")
    outcome = stray.send("/recap", author="u-patrick")
    assert [reply.kind for reply in outcome.replies] == ["unbound"]
    assert "orderbot catalog import" in outcome.replies[0].text
    assert outcome.replies[0].chat_id == "nowhere"
    assert final_orders(app, club_id) == {}


def test_same_chat_id_on_another_platform_is_not_bound(app: App, club_id: int) -> None:
    other = Chat(app, club_id, platform="whatsapp", chat_id="chat-1")
    assert other.say("2 kg de moules") == []
    assert final_orders(app, club_id) == {}
