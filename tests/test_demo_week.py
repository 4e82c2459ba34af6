"""`orderbot demo` plays the rest of the week on a fast clock; `orderbot summary` writes files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.cli import main


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def test_the_demo_plays_the_schedule_and_writes_the_supplier_files(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    week = out.split("The rest of the week, on an accelerated clock:", 1)[1]
    steps = [
        "Fri 06 Nov 20:25  orderbot → replay demo (last_call)",
        "Fri 06 Nov 20:30  orderbot → replay demo (closing)",
        "Fri 06 Nov 21:00  orderbot → email charles@example.fr (supplier_order)",
        "Sat 07 Nov 07:00  orderbot → replay demo (unconfirmed)",
        "Sat 07 Nov 08:00  orderbot → replay demo (pickup_reminder)",
        "Sat 07 Nov 11:00  orderbot → replay demo (not_collected)",
    ]
    positions = [week.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "[attached: club-poisson-de-montsouris-2026-11-07.pdf]" in week
    folder = workdir / "orderbot-demo-supplier"
    assert "orderbot-demo-supplier/" in week
    rows = list(
        csv.reader(
            io.StringIO(
                (folder / "club-poisson-de-montsouris-2026-11-07.csv").read_text("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    members = {row[0] for row in rows[1:]}
    assert len(members) == 27 and "Élodie" in members
    pdf = PdfReader(folder / "club-poisson-de-montsouris-2026-11-07.pdf")
    assert "967,50 €" in pdf.pages[0].extract_text()


def test_orderbot_summary_writes_the_files_and_refuses_an_unknown_club(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{workdir / 'ledger.sqlite3'}"
    fixtures = Path(__file__).parent / "fixtures" / "fish-club"
    catalog, thread = fixtures / "catalog.yaml", fixtures / "week-1.thread.jsonl"
    replay = ["replay", "--catalog", str(catalog), "--thread", str(thread), "--database", url]
    assert main(replay) == 0
    capsys.readouterr()
    assert (
        main(["summary", "--club", "fish-club-of-montsouris", "--out", "out", "--database", url])
        == 0
    )
    written = capsys.readouterr().out.split()
    assert sorted(Path(p).suffix for p in written) == [".csv", ".pdf", ".txt"]
    assert all((workdir / p).is_file() for p in written)
    assert main(["summary", "--club", "nope", "--out", "out", "--database", url]) == 2
    assert "no club 'nope'" in capsys.readouterr().err
