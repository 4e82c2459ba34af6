"""Bad settings and unreachable ledgers: one line naming the setting and what to do."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings
from orders.db import LedgerUnavailable, create_schema, make_engine

FIXTURES = Path(__file__).parent / "fixtures"
FISH = FIXTURES / "fish-club" / "catalog.yaml"
POSTGRES_URL = os.environ.get(
    "ORDERBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("ORDERBOT_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    return tmp_path


def _one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("orderbot: "), err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "https://" not in err, err
    return err.strip()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the ledger ---------------------------------------------------------------------


def test_a_url_that_is_not_one(workdir: Path) -> None:
    with pytest.raises(LedgerUnavailable, match=r"'nonsense' is not a database URL.*sqlite:///"):
        make_engine("nonsense")


def test_an_unknown_scheme(workdir: Path) -> None:
    with pytest.raises(LedgerUnavailable, match=r"unknown kind of database 'foo'.*postgresql"):
        make_engine("foo://bar")


def test_a_sqlite_file_in_a_missing_folder(workdir: Path) -> None:
    url = f"sqlite:///{workdir}/nope/ledger.sqlite3"
    with pytest.raises(LedgerUnavailable, match=r"folder .*nope does not exist"):
        create_schema(make_engine(url))
    assert not (workdir / "nope").exists()


def test_a_file_that_is_not_a_sqlite_database(workdir: Path) -> None:
    (workdir / "notes.txt").write_text("hello\n" * 200, encoding="utf-8")
    with pytest.raises(LedgerUnavailable, match=r"notes\.txt.*not a database"):
        create_schema(make_engine(f"sqlite:///{workdir}/notes.txt"))


def test_postgresql_refusing_the_connection(workdir: Path) -> None:
    url = f"postgresql+psycopg://postgres:secret@127.0.0.1:{_closed_port()}/x"
    with pytest.raises(LedgerUnavailable) as caught:
        create_schema(make_engine(url))
    message = str(caught.value)
    assert "cannot reach the ledger" in message and "refused" in message, message
    assert "secret" not in message and "\n" not in message


@pytest.mark.postgres
def test_postgresql_without_the_database(workdir: Path) -> None:
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/orderbot_no_such_database"
    try:
        with pytest.raises(LedgerUnavailable, match=r"does not exist"):
            create_schema(make_engine(url))
    except LedgerUnavailable as exc:  # pragma: no cover - no server here
        pytest.skip(str(exc))


def test_postgresql_without_its_driver(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    with pytest.raises(LedgerUnavailable, match=r"pip install 'orderbot\[postgres\]'"):
        make_engine("postgresql+psycopg://postgres@127.0.0.1/x")


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("nonsense", "not a database URL"),
        ("foo://bar", "unknown kind of database"),
        ("sqlite:///{dir}/nope/ledger.sqlite3", "does not exist"),
        ("postgresql+psycopg://postgres@127.0.0.1:{port}/x", "refused"),
    ],
)
def test_cli_names_the_ledger_fault_in_one_line(
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    said: str,
) -> None:
    url = url.format(dir=workdir, port=_closed_port())
    monkeypatch.setenv("DATABASE_URL", url)
    err = _one_line_error(capsys, "catalog", "import", str(FISH))
    assert said in err and "DATABASE_URL" in err, err
    err = _one_line_error(
        capsys,
        "replay",
        "--catalog",
        str(FISH),
        "--database",
        url,
        "--thread",
        str(FIXTURES / "fish-club" / "week-1.thread.jsonl"),
    )
    assert said in err, err


def test_cli_names_the_missing_driver(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/x")
    err = _one_line_error(capsys, "catalog", "import", str(FISH))
    assert "pip install 'orderbot[postgres]'" in err, err


# --- settings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ORDERBOT_PORT", "abc", "a whole number from 1 to 65535"),
        ("ORDERBOT_PORT", "70000", "a whole number from 1 to 65535"),
        ("ORDERBOT_MAX_MESSAGE_CHARS", "10", "a whole number from 100 to 100000"),
        ("ORDERBOT_LOG_LEVEL", "loud", "DEBUG, INFO, WARNING or ERROR"),
        ("ORDERBOT_DEFAULT_LOCALE", "de", "fr or en"),
    ],
)
def test_a_bad_setting_is_named_with_its_value_and_what_is_expected(
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert name in message and repr(value) in message and expected in message, message
    err = _one_line_error(capsys, "replay", "--catalog", str(FISH), "--thread", str(FISH))
    assert name in err and expected in err, err


def test_a_bad_setting_in_dot_env_is_named_too(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / ".env").write_text("ORDERBOT_PORT=eighty\n", encoding="utf-8")
    err = _one_line_error(capsys, "catalog", "import", str(FISH))
    assert "ORDERBOT_PORT" in err and "'eighty'" in err, err


def test_the_readme_errors_section_shows_real_messages(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Errors\n", 1)[1].split("\n## ", 1)[0]
    (workdir / ".env").write_text("ORDERBOT_PORT=eighty\n", encoding="utf-8")
    assert _one_line_error(capsys, "catalog", "import", str(FISH)) in section
    (workdir / ".env").write_text("DATABASE_URL=nonsense\n", encoding="utf-8")
    assert _one_line_error(capsys, "catalog", "import", str(FISH)) in section


def test_a_file_the_command_cannot_use_is_named_in_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "orderbot-demo.sqlite3").mkdir()  # where the demo writes its ledger
    err = _one_line_error(capsys, "demo")
    assert "orderbot-demo.sqlite3" in err, err


def test_a_dot_env_that_is_not_utf8_is_named(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / ".env").write_bytes("ORDERBOT_LOG_LEVEL=INFO # café\n".encode("latin-1"))
    err = _one_line_error(capsys, "catalog", "import", str(FISH))
    assert ".env" in err and "UTF-8" in err, err


def test_a_dot_env_with_a_byte_order_mark_is_read(workdir: Path) -> None:
    (workdir / ".env").write_bytes(b"\xef\xbb\xbfORDERBOT_PORT=8123\n")
    assert load_settings().port == 8123
