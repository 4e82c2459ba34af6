"""WhatsApp chat exports: each format parsed as expected, imported once, overlaps counted once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from bot.replay import final_orders
from bot.whatsapp.export import ExportError, parse_export, read_export_text
from bot.whatsapp.importer import author_id_for, import_export
from orders.catalog import ImportResult

EXPORTS = Path(__file__).parent / "fixtures" / "whatsapp"
FORMATS = sorted(p.stem for p in EXPORTS.glob("*.txt"))


@pytest.mark.parametrize("name", FORMATS)
def test_dry_run_prints_the_expected_parse(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "import-whatsapp",
            str(EXPORTS / f"{name}.txt"),
            "--club",
            "x",
            "--dry-run",
            "--format",
            "json",
        ]
    )
    assert code == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected = [
        json.loads(line)
        for line in (EXPORTS / f"{name}.expected.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert printed == expected


def test_twelve_hour_clocks_and_locales_read_the_same_instant() -> None:
    spanish = parse_export(read_export_text(EXPORTS / "android-es-12h.txt")).messages
    english = parse_export(read_export_text(EXPORTS / "android-en-12h.txt")).messages
    assert spanish[2].ts.hour == 18 and spanish[0].ts.hour == 9  # "p. m." / "a. m."
    assert english[0].ts.month == 11 and english[0].ts.day == 2  # US month-first
    assert english[2].ts.hour == 12 and english[3].ts.hour == 13


def test_direction_marks_markers_and_multi_line_messages() -> None:
    parsed = parse_export(read_export_text(EXPORTS / "android-fr-24h.txt"))
    numbered = parsed.messages[2]
    assert numbered.author == "+33 6 12 34 56 78"  # without the U+200E around it
    assert numbered.text == "Bonjour !\nPour moi 1 kg de bulots\nmerci"
    edited = parsed.messages[4]
    assert (edited.text, edited.edited) == ("3 kg de moules", True)
    assert parsed.messages[5].deleted and parsed.messages[5].text == ""
    assert parsed.messages[3].media
    assert parsed.system_lines == 3
    assert not any("\u200e" in m.author + m.text for m in parsed.messages)


def test_the_zip_reads_like_its_text() -> None:
    assert parse_export(read_export_text(EXPORTS / "ios-en-24h.zip")) == parse_export(
        read_export_text(EXPORTS / "ios-en-24h.txt")
    )


def test_garbage_is_refused_politely(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\x00\xff\xfe garbage \x00" * 50)
    assert main(["import-whatsapp", str(junk), "--club", "x", "--dry-run"]) == 2
    assert "orderbot:" in capsys.readouterr().err
    with pytest.raises(ExportError):
        parse_export("hello\nthis is not an export\n")


def test_import_counts_each_message_once(app: App, fish_club: tuple[App, ImportResult]) -> None:
    slug, club_id = fish_club[1].slug, fish_club[1].club_id
    messages = parse_export(read_export_text(EXPORTS / "android-fr-24h.txt")).messages
    first = import_export(app, messages, slug)
    assert first.imported == 5  # 7 messages, one media without caption, one deleted
    assert first.skipped == {"media without a caption": 1, "deleted before the export": 1}
    orders = final_orders(app, club_id)
    assert orders[author_id_for("Laure Martin")] == {"moules": 2, "huitres-n3": 1}
    assert orders[author_id_for("Karim")] == {"moules": 3}
    assert orders[author_id_for("+33 6 12 34 56 78")] == {"bulots": 1}

    again = import_export(app, messages, slug)
    assert again.imported == 0 and again.already == 5
    assert final_orders(app, club_id) == orders


def test_a_later_overlapping_export_brings_only_what_is_new(
    app: App, fish_club: tuple[App, ImportResult], tmp_path: Path
) -> None:
    slug, club_id = fish_club[1].slug, fish_club[1].club_id
    text = (EXPORTS / "android-fr-24h.txt").read_text(encoding="utf-8")
    import_export(app, parse_export(text).messages, slug)
    later = (
        text.replace(
            "Laure Martin: 2 kg de moules svp",
            "Laure Martin: 4 kg de moules svp <Ce message a été modifié>",
        )
        + "14/11/2026 08:00 - Sophie: 1 kg de bulots\n"
    )
    report = import_export(app, parse_export(later).messages, slug)
    assert (report.imported, report.edits) == (2, 1)
    orders = final_orders(app, club_id)
    assert orders[author_id_for("Laure Martin")] == {"moules": 4, "huitres-n3": 1}
    assert orders[author_id_for("Sophie")] == {"bulots": 1}
    assert import_export(app, parse_export(later).messages, slug).imported == 0


def test_import_through_the_command_line(
    tmp_path: Path,
    fixtures_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    catalog = fixtures_dir / "fish-club" / "catalog.yaml"
    assert main(["catalog", "import", str(catalog), "--club", "poisson"]) == 0
    export = EXPORTS / "ios-en-24h.zip"
    args = ["import-whatsapp", str(export), "--club", "poisson"]
    assert main([*args, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert report["imported"] == 4 and report["skipped"]["media without a caption"] == 2
    assert main([*args, "--format", "json"]) == 0
    again = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert again["imported"] == 0 and again["already"] == 4
    assert main(["import-whatsapp", str(export), "--club", "nope"]) == 2


def test_progress_is_drawn_only_on_a_terminal() -> None:
    import io

    from bot.whatsapp.importer import terminal_progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert terminal_progress(io.StringIO()) is None
    screen = Terminal()
    show = terminal_progress(screen)
    assert show is not None
    show(250, 1000)
    show(1000, 1000)
    assert "250/1000" in screen.getvalue() and screen.getvalue().endswith("1000/1000 messages\n")


def test_dry_run_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    export = str(EXPORTS / "android-en-12h.txt")
    assert main(["import-whatsapp", export, "--club", "x", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2026-11-02T09:15:00  Laure Martin: 2 kg of mussels please"
    assert out[-1] == "5 messages, 2 system lines skipped"
