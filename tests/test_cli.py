"""The `orderbot` command line: demo, console and replay, run in-process."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.cli import main
from bot.replay import final_orders, replay
from bot.sample import CATALOG, THREAD
from bot.settings import Settings
from bot.threads import read_thread

FIXTURES = Path(__file__).parent / "fixtures"
FISH = FIXTURES / "fish-club" / "catalog.yaml"
WEEK_1 = FIXTURES / "fish-club" / "week-1.thread.jsonl"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory and no ledger URL from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def memory_app() -> Iterator[App]:
    app = build_app(Settings(database_url="sqlite://"))
    yield app
    app.close()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    return out


# --- orderbot demo ------------------------------------------------------------------


def test_demo_prints_the_thread_the_replies_and_the_week(
    workdir: Path, capsys: pytest.CaptureFixture[str], memory_app: App
) -> None:
    out = _run(capsys, "demo")
    assert out.startswith("orderbot demo — ledger: sqlite:///orderbot-demo.sqlite3\n")
    assert (workdir / "orderbot-demo.sqlite3").is_file()

    messages = list(read_thread(THREAD))
    for message in messages:
        first_line = message.text.splitlines()[0].strip() if message.text.strip() else ""
        assert message.author_name in out
        if first_line:
            assert first_line[:40] in out, first_line
    assert len(re.findall(r"^  ↳ orderbot: ", out, flags=re.M)) >= 10

    # The week at the end agrees with the ledger of the same thread replayed here.
    expected = final_orders(memory_app, replay(memory_app, CATALOG, THREAD).club_id)
    thread_part, _, week = out.rpartition("=" * 72)
    assert "↳ orderbot" in thread_part and "↳ orderbot" not in week
    header = re.search(r"— (\d+) commandes?, ", week)
    assert header is not None, week
    assert int(header.group(1)) == len(expected)
    totals = week.split("Total par produit :\n", 1)[1].split("Par membre :", 1)[0]
    products = {code for order in expected.values() for code in order}
    assert len(totals.strip().splitlines()) == len(products)
    assert "• Moules de bouchot : " in totals
    # The members' lines end where the questions still waiting for an answer begin.
    members = week.split("Par membre :\n", 1)[1].split("\n\nEn attente d'une réponse :", 1)[0]
    assert len(members.strip().splitlines()) == len(expected)


def test_demo_twice_gives_the_same_output(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _run(capsys, "demo")
    second = _run(capsys, "demo")
    assert first == second
    assert "Total par produit" in second


# --- orderbot console ---------------------------------------------------------------


def test_console_confirms_an_order_and_shows_the_summary(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("laure: 2 kg de moules\npatrick: /recap\n"))
    out = _run(capsys, "console", "--database", "sqlite://")
    lines = out.splitlines()
    assert lines[0].startswith("orderbot console")
    assert "  ↳ orderbot: Noté Laure : moules 2 kg — 13,00 €" in lines
    recap = out.split("  ↳ orderbot: Récapitulatif", 1)[1]
    assert "• Moules de bouchot : 2 kg" in recap
    assert "• Laure : moules 2 kg — 13,00 €" in recap
    assert list(workdir.iterdir()) == []


def test_console_refuses_organiser_commands_to_members(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("laure: 2 kg de moules\n/recap\n:quit\npatrick: /recap\n")
    )
    out = _run(capsys, "console", "--database", "sqlite://")
    assert "Désolé Laure, /recap est réservé aux organisateurs du club." in out
    assert "Récapitulatif" not in out  # nothing is read after :quit


def test_console_uses_a_given_catalogue(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    veg = FIXTURES / "veg-basket" / "catalog.yaml"
    monkeypatch.setattr("sys.stdin", io.StringIO("laure: /catalogue\n"))
    out = _run(capsys, "console", "--catalog", str(veg), "--database", "sqlite://")
    assert "Paniers du Doyenné" in out


# --- orderbot replay ----------------------------------------------------------------


def test_replay_json_prints_the_orders(
    workdir: Path, capsys: pytest.CaptureFixture[str], memory_app: App
) -> None:
    out = _run(
        capsys, "replay", "--catalog", str(FISH), "--thread", str(WEEK_1), "--format", "json"
    )
    report = json.loads(out)
    assert isinstance(report["orders"], dict)
    assert report["orders"], "week 1 has orders"
    expected = final_orders(memory_app, replay(memory_app, FISH, WEEK_1).club_id)
    assert report["orders"] == expected
    authors = {m.author_id for m in read_thread(WEEK_1)}
    assert set(report["orders"]) <= authors - {"u-charles", "u-patrick"}
    assert report["messages"] == 61
    assert list(workdir.iterdir()) == []


def test_replay_is_the_default_json(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    explicit = json.loads(
        _run(capsys, "replay", "--catalog", str(FISH), "--thread", str(WEEK_1), "--format", "json")
    )
    default = json.loads(_run(capsys, "replay", "--catalog", str(FISH), "--thread", str(WEEK_1)))
    assert default["orders"] == explicit["orders"]


def test_replay_text_prints_the_thread_and_the_week(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _run(
        capsys, "replay", "--catalog", str(FISH), "--thread", str(WEEK_1), "--format", "text"
    )
    assert "↳ orderbot" in out
    assert "Total par produit" in out


def test_replay_on_a_sqlite_file(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{workdir}/replay.sqlite3"
    on_file = json.loads(
        _run(capsys, "replay", "--catalog", str(FISH), "--thread", str(WEEK_1), "--database", url)
    )
    in_memory = json.loads(_run(capsys, "replay", "--catalog", str(FISH), "--thread", str(WEEK_1)))
    assert on_file["orders"] == in_memory["orders"]
