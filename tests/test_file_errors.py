"""Thread and catalogue files a newcomer may hand over: accepted when usable, else one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.threads import ThreadError, read_thread
from orders.catalog import CatalogError, parse_catalog

FIXTURES = Path(__file__).parent / "fixtures"
FISH = FIXTURES / "fish-club" / "catalog.yaml"
WEEK_1 = FIXTURES / "fish-club" / "week-1.thread.jsonl"


def test_a_thread_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.thread.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + WEEK_1.read_bytes())
    assert [m.text for m in read_thread(path)] == [m.text for m in read_thread(WEEK_1)]


def test_replay_of_a_thread_with_a_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "week-1.thread.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + WEEK_1.read_bytes())
    assert main(["replay", "--catalog", str(FISH), "--thread", str(path)]) == 0
    with_bom = json.loads(capsys.readouterr().out)
    assert main(["replay", "--catalog", str(FISH), "--thread", str(WEEK_1)]) == 0
    assert with_bom["orders"] == json.loads(capsys.readouterr().out)["orders"]


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 4,  # binary
        '{"id": "m1", "text": "café"}\n'.encode("latin-1"),  # another encoding
    ],
    ids=["binary", "latin-1"],
)
def test_a_thread_that_is_not_utf8_gets_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    path = tmp_path / "week.thread.jsonl"
    path.write_bytes(content)
    with pytest.raises(ThreadError, match=r"week\.thread\.jsonl line 1: not UTF-8 text"):
        list(read_thread(path))
    assert main(["replay", "--catalog", str(FISH), "--thread", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("orderbot: ") and "week.thread.jsonl" in err
    assert len(err.strip().splitlines()) == 1, err


def test_a_non_utf8_line_further_down_is_named(tmp_path: Path) -> None:
    path = tmp_path / "week.thread.jsonl"
    path.write_bytes(WEEK_1.read_bytes() + b'{"id": "x", "text": "\xe9"}\n')
    lines = len(WEEK_1.read_bytes().splitlines())
    with pytest.raises(ThreadError, match=rf"line {lines + 1}: not UTF-8 text"):
        list(read_thread(path))


TWO_PRODUCTS = """\
club: Test club
supplier:
  name: Charles
products:
  - id: moules
    name: Moules de bouchot
    unit: kg
    price: 6.50
    aliases: [moules, bouchots]
  - id: bulots
    name: Bulots
    unit: kg
    price: 9
    aliases: [bulots, Bouchots]
"""


def test_the_same_alias_on_two_products_is_refused() -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(TWO_PRODUCTS, source="club.yaml")
    message = str(caught.value)
    assert message.startswith("club.yaml line 14: products[1] (bulots).aliases: "), message
    assert "'Bouchots'" in message and "moules" in message and "line 9" in message


def test_different_aliases_are_accepted() -> None:
    spec = parse_catalog(TWO_PRODUCTS.replace("[bulots, Bouchots]", "[bulots, buccins]"))
    assert [p.aliases for p in spec.products] == [["moules", "bouchots"], ["bulots", "buccins"]]


def test_cli_import_refuses_a_duplicate_alias(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/ledger.sqlite3")
    path = tmp_path / "club.yaml"
    path.write_text(TWO_PRODUCTS, encoding="utf-8")
    assert main(["catalog", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("orderbot: club.yaml line 14:") or "club.yaml line 14:" in err, err
    assert "Traceback" not in err
