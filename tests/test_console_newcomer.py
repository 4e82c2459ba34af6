"""The console as a newcomer meets it: where the ledger is, who is speaking, what is a name."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.cli import main
from bot.console import CHAT_ID, run_console
from bot.replay import final_orders
from bot.sample import CATALOG
from bot.settings import Settings


@pytest.fixture
def console_app() -> App:
    app = build_app(Settings(database_url="sqlite://"))
    app.import_catalog(CATALOG, bind=("console", CHAT_ID))
    yield app
    app.close()


def _talk(app: App, text: str, *, interactive: bool = False) -> str:
    out = io.StringIO()
    assert run_console(app, io.StringIO(text), out, interactive=interactive) == 0
    return out.getvalue()


def _orders(app: App) -> dict[str, dict[str, int | float]]:
    return final_orders(app, 1)


def test_first_line_names_the_ledger_file_and_says_it_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("laure: 2 kg de moules\n"))
    assert main(["console"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("orderbot console — ledger: orderbot.sqlite3"), first
    assert "kept between runs" in first, first
    assert (tmp_path / "orderbot.sqlite3").is_file()


def test_an_in_memory_ledger_is_said_to_be_forgotten(console_app: App) -> None:
    first = _talk(console_app, "").splitlines()[0]
    assert "ledger: in memory" in first and "forgotten" in first, first


def test_a_line_without_a_name_speaks_as_the_previous_author(console_app: App) -> None:
    out = _talk(console_app, "laure: 2 kg de moules\n1 douzaine d'huîtres\n", interactive=True)
    assert "Noté Laure : moules 2 kg, huîtres 1 douzaine" in out
    assert _orders(console_app) == {"u-laure": {"moules": 2, "huitres-n3": 1}}
    # The prompt shows who speaks: the default speaker, then Laure.
    assert out.count("moi> ") == 1 and out.count("laure> ") == 2, out


@pytest.mark.parametrize(
    "line",
    [
        "_laure_: 2 kg de moules",
        "www.example.com: 2 kg de moules",
        "example.org: 2 kg de moules",
        "*paul*: 2 kg de moules",
        "<b>paul</b>: 2 kg de moules",
        "https://exemple.fr: 2 kg de moules",
    ],
)
def test_markup_or_an_address_before_a_colon_is_not_a_name(console_app: App, line: str) -> None:
    out = _talk(console_app, f"laure: 1 bar\n{line}\n", interactive=True)
    assert _orders(console_app) == {"u-laure": {"bar": 1, "moules": 2}}, out
    assert "laure> " in out.rsplit("\n", 1)[-1] or out.count("laure> ") >= 2, out


def test_names_with_initials_and_hyphens_are_names(console_app: App) -> None:
    _talk(console_app, "Karim B.: 1 bar\nJean-Pierre: 1 kg de moules\n")
    assert _orders(console_app) == {"u-karim-b": {"bar": 1}, "u-jean-pierre": {"moules": 1}}
