"""Thread files: every fixture reads cleanly, and a bad line is named, never a traceback."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.threads import ThreadError, read_thread

FIXTURES = Path(__file__).parent / "fixtures"
CATALOG = FIXTURES / "fish-club" / "catalog.yaml"

GOOD = {
    "id": "m1",
    "ts": "2026-11-02T08:11:30+01:00",
    "author_id": "u-laure",
    "author": "Laure",
    "text": "1 kg moules + 2 dorades svp",
}


def _line(**changes: object) -> str:
    data = {**GOOD, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not ...}, ensure_ascii=False)


def _thread(tmp_path: Path, bad_line: str, *, before: int = 2) -> Path:
    """A thread whose line ``before + 1`` is ``bad_line``, after good ones."""
    good = [_line(id=f"ok{n}") for n in range(before)]
    path = tmp_path / "week.thread.jsonl"
    path.write_text("\n".join([*good, bad_line, _line(id="last")]) + "\n", encoding="utf-8")
    return path


BAD = {
    "bad json": ('{"id": "m3", "ts": ', "not valid JSON"),
    "not an object": ('["m3", "hello"]', "JSON object"),
    "missing text": (_line(text=...), "'text'"),
    "missing id": (_line(id=...), "'id'"),
    "missing author_id": (_line(author_id=...), "'author_id'"),
    "missing ts": (_line(ts=...), "'ts'"),
    "naive timestamp": (_line(ts="2026-11-02T08:11:30"), "'ts'"),
    "not a timestamp": (_line(ts="lundi matin"), "'ts'"),
    "text is a number": (_line(text=42), "'text'"),
    "author_id is a number": (_line(author_id=7), "'author_id'"),
    "edit_of is a number": (_line(edit_of=3), "'edit_of'"),
    "reply_to is a list": (_line(reply_to=["m1"]), "'reply_to'"),
}


@pytest.mark.parametrize(
    "thread", sorted(FIXTURES.glob("*/*.thread.jsonl")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_fixture_threads_read_cleanly(thread: Path) -> None:
    messages = list(read_thread(thread))
    lines = [line for line in thread.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(messages) == len(lines)
    assert len({m.message_id for m in messages}) == len(messages)
    assert all(m.sent_at.tzinfo is not None for m in messages)
    assert {m.chat_id for m in messages} == {thread.name.removesuffix(".thread.jsonl")}


def test_a_line_becomes_an_inbound_message(tmp_path: Path) -> None:
    path = tmp_path / "t.thread.jsonl"
    path.write_text(
        _line() + "\n" + _line(id="m2", text="2 soles", edit_of="m1", reply_to="m1") + "\n",
        encoding="utf-8",
    )
    first, second = read_thread(path, chat_id="c")
    assert (first.platform, first.chat_id, first.message_id) == ("replay", "c", "m1")
    assert (first.author_id, first.author_name) == ("u-laure", "Laure")
    assert first.text == "1 kg moules + 2 dorades svp"
    assert first.sent_at == datetime(2026, 11, 2, 7, 11, 30, tzinfo=UTC)
    assert first.sent_at.utcoffset() == timedelta(hours=1)
    assert (first.edit_of, first.reply_to) == (None, None)
    assert (second.edit_of, second.reply_to) == ("m1", "m1")


def test_author_defaults_to_the_author_id(tmp_path: Path) -> None:
    path = tmp_path / "t.thread.jsonl"
    path.write_text(_line(author=...) + "\n", encoding="utf-8")
    [message] = read_thread(path)
    assert message.author_name == "u-laure"


@pytest.mark.parametrize(("bad", "field"), BAD.values(), ids=BAD.keys())
def test_malformed_line_raises_thread_error_naming_the_line(
    tmp_path: Path, bad: str, field: str
) -> None:
    path = _thread(tmp_path, bad)
    with pytest.raises(ThreadError) as caught:
        list(read_thread(path))
    message = str(caught.value)
    assert message.startswith(f"{path} line 3:"), message
    assert field in message, message


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "t.thread.jsonl"
    path.write_text(_line() + "\n\n   \n" + _line(id="m4") + "\n" + "{oops\n", encoding="utf-8")
    with pytest.raises(ThreadError, match=r"line 5: not valid JSON"):
        list(read_thread(path))


def test_missing_thread_file_raises_thread_error(tmp_path: Path) -> None:
    with pytest.raises(ThreadError, match=r"nothing\.jsonl"):
        list(read_thread(tmp_path / "nothing.jsonl"))


@pytest.mark.parametrize(("bad", "field"), BAD.values(), ids=BAD.keys())
def test_cli_replay_of_malformed_thread_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str, field: str
) -> None:
    path = _thread(tmp_path, bad)
    code = main(["replay", "--catalog", str(CATALOG), "--thread", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("orderbot: ")
    assert f"{path} line 3:" in err
    assert "Traceback" not in err


def test_cli_replay_of_missing_thread_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["replay", "--catalog", str(CATALOG), "--thread", str(tmp_path / "no.jsonl")])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith("orderbot: ") and "no.jsonl" in err
    assert "Traceback" not in err


def test_cli_replay_with_malformed_catalogue_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        CATALOG.read_text(encoding="utf-8").replace("unit: kg", "unit: kilo", 1), encoding="utf-8"
    )
    thread = FIXTURES / "fish-club" / "week-1.thread.jsonl"
    code = main(["replay", "--catalog", str(catalog), "--thread", str(thread)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith(f"orderbot: {catalog} line 16:")
    assert "unit" in err and "Traceback" not in err
