"""A SIGKILL of the real `orderbot serve` in the middle of a burst loses no order and counts
none twice: after a restart, `orderbot orders` equals a replay of the same messages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.fake_telegram import TOKEN, FakeTelegram
from helpers.telegram_group import Group, free_port, member
from sqlalchemy import create_engine, text

from bot.app import build_app
from bot.settings import Settings

FISH = Path(__file__).parent / "fixtures" / "fish-club" / "catalog.yaml"
GROUP = "-1009876543210"
TEXTS = (
    "2 kg de moules",
    "une dorade",
    "1 kg de bulots et 2 bars",
    "3 douzaines d'huîtres",
    "500 g de crevettes grises",
)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.close()


def _serve(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _count(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)
    except Exception:
        return 0  # the schema is not there yet
    finally:
        engine.dispose()


def _wait(condition, process: subprocess.Popen[str], limit: float = 90) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"orderbot serve exited: {process.stderr.read()}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            raise AssertionError("orderbot serve did not get there")
        time.sleep(0.05)


def test_a_sigkill_mid_burst_loses_nothing_and_counts_nothing_twice(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    app = build_app(Settings(database_url=url))
    slug = app.import_catalog(FISH, bind=("telegram", GROUP)).slug
    app.close()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.url,
        "ORDERBOT_PORT": str(free_port()),
        "ORDERBOT_PUBLIC_URL": "",
    }
    group = Group(fake, GROUP)
    thread: list[dict[str, str]] = []

    def post(n: int) -> None:
        person = member(500 + n % 60, f"M{n % 60}")
        words = TEXTS[n % len(TEXTS)]
        message_id = group.say(person, words)
        line = {
            "id": str(message_id),
            "ts": datetime.fromtimestamp(group.date, UTC).isoformat(),
            "author_id": f"tg-{person['id']}",
            "author": person["first_name"],
            "text": words,
        }
        thread.append(line)
        if n % 7 == 3:  # and some change their mind
            stamp = group.date + 1
            group.edit(person, message_id, "finalement 4 kg de moules", edit_date=stamp)
            thread.append(
                {
                    **line,
                    "id": f"{message_id}:e{stamp}",
                    "ts": datetime.fromtimestamp(stamp, UTC).isoformat(),
                    "text": "finalement 4 kg de moules",
                    "edit_of": str(message_id),
                }
            )

    def burst(numbers: range) -> None:
        for n in numbers:
            post(n)
            time.sleep(0.01)

    first = _serve(env, tmp_path)
    try:
        pusher = threading.Thread(target=burst, args=(range(200),))
        pusher.start()
        _wait(
            lambda: _count(url, "select count(*) from inboxitem where status='done'") >= 40, first
        )
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        pusher.join()
    finally:
        if first.poll() is None:
            first.kill()
        first.stderr.close()  # type: ignore[union-attr]
    handled_before = _count(url, "select count(*) from inboxitem where status='done'")
    assert 0 < handled_before < 240  # killed in the middle of the burst
    second = _serve(env, tmp_path)
    try:
        burst(range(200, 230))
        total = len(thread)

        def drained() -> bool:
            done = _count(url, "select count(*) from inboxitem where status='done'")
            return fake.pending_updates() == 0 and done == total

        _wait(drained, second)
        second.send_signal(signal.SIGTERM)
        _out, err = second.communicate(timeout=30)
    finally:
        if second.poll() is None:
            second.kill()
    assert second.returncode == 0, err
    assert "Traceback" not in err

    orders = subprocess.run(
        [sys.executable, "-m", "bot.cli", "orders", "--club", slug],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    thread_file = tmp_path / "burst.thread.jsonl"
    thread_file.write_text("".join(json.dumps(line) + "\n" for line in thread), encoding="utf-8")
    thread_path = str(thread_file)
    replayed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "replay",
            "--catalog",
            str(FISH),
            "--thread",
            thread_path,
        ],
        env={**env, "DATABASE_URL": "sqlite://"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    served = json.loads(orders.stdout)["orders"]
    assert len(served) == 60
    assert served == json.loads(replayed.stdout)["orders"]
    # No reply went out twice, whatever the kill interrupted.
    answered = Counter(
        c.params["reply_parameters"]["message_id"]
        for c in fake.sent("sendMessage", GROUP)
        if c.params.get("reply_parameters")
    )
    assert all(n == 1 for n in answered.values())
