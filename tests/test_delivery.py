"""The inbox and the outbox every transport shares, and the core hook that fills the outbox."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers.chat import Chat

from bot.app import App, build_app
from bot.delivery import InboxWorker, OutboxWorker, RetryLater, SendFailed
from bot.server import Service
from bot.settings import Settings
from orders import inbox, outbox
from orders.inbox import InboxRow
from orders.outbox import OutboxRow
from schedules.clock import FixedClock

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
FISH = Path(__file__).parent / "fixtures" / "fish-club" / "catalog.yaml"


class RecordingSender:
    """A platform that answers each send from a script: ok, retry (429) or refusal."""

    platform = "test"
    idempotent_kinds = frozenset({"reaction"})

    def __init__(self, script: list[str] | None = None) -> None:
        self.script = list(script or [])
        self.calls: list[OutboxRow] = []
        self.delivered: list[OutboxRow] = []

    def delay(self, row: OutboxRow, now: datetime) -> float:
        return 0.0

    async def send(self, row: OutboxRow) -> str | None:
        self.calls.append(row)
        answer = self.script.pop(0) if self.script else "ok"
        if answer == "retry":
            raise RetryLater("429 Too Many Requests", after=3)
        if answer == "refuse":
            raise SendFailed("400 chat not found")
        self.delivered.append(row)
        return f"m{len(self.delivered)}"


@pytest.fixture
def file_app(tmp_path: Path) -> App:
    app = build_app(Settings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}"))
    app.import_catalog(FISH, bind=("test", "chat-1"))
    app.clock = FixedClock(START)
    yield app
    app.close()


def _rows(app: App, **filters: object) -> list[OutboxRow]:
    with app.engine.connect() as conn:
        return outbox.rows(conn, **filters)  # type: ignore[arg-type]


def test_replies_are_queued_with_the_ledger_change_and_never_twice(file_app: App) -> None:
    file_app.router.register("test")
    chat = Chat(file_app, 1)
    first = chat.message("2 kg de moules", id="m1")
    chat.deliver(first)
    chat.deliver(first)  # the platform delivers the same message again
    chat.deliver(chat.message("1 kg de maquereaux", id="m2"))  # sold by the piece: a question
    rows = _rows(file_app)
    assert [(r.reply_to, r.kind) for r in rows] == [("m1", "confirmation"), ("m2", "question")]
    assert rows[1].priority < rows[0].priority  # a question goes before a confirmation


def test_unregistered_platforms_queue_nothing(file_app: App) -> None:
    Chat(file_app, 1).deliver(Chat(file_app, 1).message("2 kg de moules"))
    assert _rows(file_app) == []


def test_a_dedupe_key_queues_once(file_app: App) -> None:
    with file_app.engine.begin() as conn:
        first = outbox.enqueue(
            conn, platform="test", chat_id="c", text="hi", dedupe_key="w1:recap", now=START
        )
        second = outbox.enqueue(
            conn, platform="test", chat_id="c", text="hi", dedupe_key="w1:recap", now=START
        )
    assert first is not None and second is None
    assert len(_rows(file_app)) == 1


def _queue(app: App, kind: str = "reply", chat_id: str = "chat-1") -> int:
    with app.engine.begin() as conn:
        item = outbox.enqueue(
            conn, platform="test", chat_id=chat_id, text="hello", kind=kind, club_id=1, now=START
        )
    assert item is not None
    return item


def test_a_send_that_fails_twice_then_succeeds_is_sent_once(file_app: App) -> None:
    clock = file_app.clock
    assert isinstance(clock, FixedClock)
    sender = RecordingSender(["retry", "retry", "ok"])
    worker = OutboxWorker(file_app.engine, [sender], clock)
    item = _queue(file_app)
    assert asyncio.run(worker.run_once()) == 1
    assert asyncio.run(worker.run_once()) == 0  # not due again before the retry time
    clock.advance(seconds=3)
    asyncio.run(worker.run_once())
    clock.advance(seconds=10)
    asyncio.run(worker.run_once())
    clock.advance(seconds=60)
    asyncio.run(worker.run_once())
    assert len(sender.calls) == 3 and len(sender.delivered) == 1
    (row,) = _rows(file_app)
    assert (row.id, row.status, row.attempts, row.remote_id) == (item, "sent", 3, "m1")


def test_a_refused_send_is_reported_to_the_club_once(file_app: App) -> None:
    sender = RecordingSender(["refuse"])
    worker = OutboxWorker(file_app.engine, [sender], file_app.clock)
    _queue(file_app, chat_id="member-dm")
    asyncio.run(worker.run_once())
    asyncio.run(worker.run_once())
    failed, report = _rows(file_app)
    assert failed.status == "failed" and "chat not found" in failed.error
    assert report.kind == "report" and report.chat_id == "chat-1" and report.status == "sent"
    assert "member-dm" in report.text
    assert len(sender.delivered) == 1  # the report; the refused row was never retried


def test_rows_left_half_sent_by_a_killed_run_are_never_sent_again(file_app: App) -> None:
    message, reaction = _queue(file_app), _queue(file_app, kind="reaction")
    with file_app.engine.begin() as conn:  # what a run killed mid-send leaves behind
        assert outbox.claim(conn, message, START)
        assert outbox.claim(conn, reaction, START)
    sender = RecordingSender()
    worker = OutboxWorker(file_app.engine, [sender], file_app.clock)
    assert [row.id for row in worker.recover()] == [message]
    asyncio.run(worker.run_once())
    assert [row.id for row in sender.calls] == [reaction]  # setting a reaction again is harmless
    statuses = {row.id: row.status for row in _rows(file_app)}
    assert statuses == {message: "uncertain", reaction: "sent"}


def test_the_inbox_records_a_delivery_once_and_retries_a_failing_one(file_app: App) -> None:
    seen: list[str] = []
    failures = ["boom"]

    def handler(row: InboxRow) -> None:
        if row.key == "2" and failures:
            raise RuntimeError(failures.pop())
        seen.append(row.key)

    worker = InboxWorker(file_app.engine, {"test": handler}, file_app.clock)
    assert worker.put("test", "1", json.dumps({"n": 1}))
    assert not worker.put("test", "1", json.dumps({"n": 1}))
    assert worker.put("test", "2", "{}")
    assert worker.put("test", "3", "{}")
    asyncio.run(worker.run_once())
    assert seen == ["1"]  # 3 waits behind the failing 2: arrival order is kept
    asyncio.run(worker.run_once())
    assert seen == ["1", "2", "3"]
    with file_app.engine.connect() as conn:
        assert inbox.pending(conn) == []
        assert inbox.counts(conn) == {"done": 3}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_service_answers_healthz_and_stops_on_request(file_app: App) -> None:
    port = _free_port()

    async def scenario() -> dict[str, object]:
        service = Service(file_app, host="127.0.0.1", port=port, idle=0.05)
        runner = asyncio.create_task(service.run(install_signals=False))
        body = None
        for _ in range(100):
            await asyncio.sleep(0.05)
            try:
                body = await asyncio.to_thread(_get, f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                continue
        service.stop_event.set()
        await asyncio.wait_for(runner, 10)
        return body or {}

    body = asyncio.run(scenario())
    assert body == {"status": "ok", "transports": [], "inbox_pending": 0}


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=2) as response:
        return json.loads(response.read())


def test_orderbot_serve_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "ORDERBOT_PORT": str(port),
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert _get(f"http://127.0.0.1:{port}/healthz")["status"] == "ok"
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "no chat platform configured" in err
    assert "Traceback" not in err


def test_backoff_grows_and_is_capped() -> None:
    from bot.delivery import backoff

    assert [backoff(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert backoff(20) == 300.0
    assert START + timedelta(seconds=backoff(1)) > START


POSTGRES_URL = os.environ.get(
    "ORDERBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.mark.postgres
def test_the_queues_behave_the_same_on_postgresql() -> None:
    from helpers.postgres import empty_postgres

    empty_postgres(POSTGRES_URL)
    app = build_app(Settings(database_url=POSTGRES_URL))
    try:
        app.import_catalog(FISH, bind=("test", "chat-1"))
        app.router.register("test")
        chat = Chat(app, 1)
        message = chat.message("2 kg de moules", id="m1")
        chat.deliver(message)
        chat.deliver(message)
        with app.engine.begin() as conn:
            assert inbox.put(conn, source="test", key="7", payload="{}", now=START)
            assert not inbox.put(conn, source="test", key="7", payload="{}", now=START)
            keyed = [
                outbox.enqueue(conn, platform="test", chat_id="c", dedupe_key="k", now=START)
                for _ in range(2)
            ]
        assert keyed[0] is not None and keyed[1] is None
        rows = _rows(app)
        assert [(r.reply_to, r.kind) for r in rows] == [("m1", "confirmation"), (None, "reply")]
        sender = RecordingSender(["retry"])
        app.clock = FixedClock(START + timedelta(hours=1))  # after the member's message
        worker = OutboxWorker(app.engine, [sender], app.clock)
        asyncio.run(worker.run_once())
        app.clock.advance(seconds=5)
        asyncio.run(worker.run_once())
        assert {r.status for r in _rows(app)} == {"sent"}
        assert len(sender.delivered) == 2
    finally:
        app.close()


def test_an_announcement_reaches_each_registered_thread_once(file_app: App) -> None:
    from bot.announce import Announcement

    club_id = file_app.import_catalog(FISH, bind=("other", "chat-9")).club_id
    file_app.announcers.register("test")
    item = Announcement(
        club_id=club_id, kind="last_call", key=f"last_call:{club_id}:1", text="Dernier appel"
    )
    for _ in range(2):  # a job that runs twice (a restart) queues one message
        with file_app.engine.begin() as conn:
            reached = file_app.announcers(conn, item, START)
        assert reached == ["test"]  # the thread on an unregistered platform gets nothing
    rows = _rows(file_app)
    assert [(r.platform, r.chat_id, r.kind, r.text) for r in rows] == [
        ("test", "chat-1", "last_call", "Dernier appel")
    ]
