"""`orderbot replay --explain`: every message with the decision the bot took about it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

FISH = Path(__file__).parent / "fixtures" / "fish-club" / "catalog.yaml"

THREAD = [
    ("u-charles", "Arrivage pour samedi : moules 6,50€/kg, soles 16€ pièce, bars 22€."),
    ("u-patrick", "Retrait samedi 9h-10h30, 44 rue d'Alésia, 2 créneaux."),
    ("u-laure", "1 kg moules + 2 dorades svp"),
    ("u-karim", "Il reste des soles ?"),
    ("u-ines", "Combien de temps pour cuire 2 kg de moules ?"),
    ("u-ines", "Quelqu'un veut partager une araignée avec moi ?"),
    ("u-fatou", "des huîtres"),
    ("u-marc", "Les 3 soles de samedi dernier étaient parfaites"),
    ("u-leo", "Bonjour à tous"),
    ("u-jo", "2 soles et des huîtres"),
]


def _thread(tmp_path: Path) -> Path:
    path = tmp_path / "w.thread.jsonl"
    rows = [
        {
            "id": f"m{n}",
            "ts": f"2026-11-02T08:{n:02d}:00+01:00",
            "author_id": a,
            "author": a.removeprefix("u-").title(),
            "text": t,
        }
        for n, (a, t) in enumerate(THREAD, start=1)
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_explain_prints_a_decision_under_every_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _run(
        capsys, "replay", "--explain", "--catalog", str(FISH), "--thread", str(_thread(tmp_path))
    )
    decisions = [line.strip() for line in out.splitlines() if line.strip().startswith("⇒")]
    assert decisions == [
        "⇒ not an order: the supplier's information",
        "⇒ not an order: an organiser's information",
        "⇒ ledger: moules 0 → 1, dorade 0 → 2",
        "⇒ not an order: a question",
        "⇒ not an order: a question about cooking",
        "⇒ not an order: a proposal to share",
        decisions[6],
        "⇒ not an order: a story about another week",
        "⇒ not an order: no product named",
        decisions[9],
    ]
    # A change and a question about the same message: both are printed.
    assert decisions[9].startswith("⇒ ledger: sole 0 → 2; question: Jo")
    assert decisions[6].startswith("⇒ question: Fatou") and "huîtres" in decisions[6].lower()
    assert "m3 Laure: 1 kg moules + 2 dorades svp" in out


def test_the_json_report_carries_each_decision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _run(capsys, "replay", "--catalog", str(FISH), "--thread", str(_thread(tmp_path)))
    report = json.loads(out)
    by_id = {d["id"]: d for d in report["decisions"]}
    assert len(by_id) == len(THREAD)
    assert by_id["m3"]["changes"] == {"moules": [0, 1], "dorade": [0, 2]}
    assert by_id["m4"]["reason"] == "a question" and by_id["m4"]["mentioned"] == ["sole"]
    assert by_id["m7"]["asked"] and not by_id["m7"]["changes"]
