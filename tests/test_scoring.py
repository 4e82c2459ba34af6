"""Tests for bench/scoring.py, so the accuracy figures we quote can be trusted."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # plain `pytest` puts tests/, not the repo root, on sys.path

from bench.scoring import ThreadScore, combine, score_thread, silent_messages  # noqa: E402

GOLD = {
    "orders": {
        "u-laure": {"moules": 1.5, "dorade": 3},
        "u-karim": {"bar": 1},
        "u-marc": {"maquereau": 2, "sole": 2},
        "u-margaux": {"maquereau": 1},
    },
    "ambiguous": {"u-marc": ["maquereau"], "u-margaux": ["maquereau"]},
}


def test_perfect_match_scores_one() -> None:
    score = score_thread(GOLD, GOLD["orders"])
    assert (score.tp, score.fp, score.fn) == (4, 0, 0)
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)
    # u-margaux's only line is ambiguous: she is counted nowhere
    assert (score.members_exact, score.members_total) == (3, 3)
    assert score.false_orders == []
    assert score.differences == []


def test_quantity_mismatch_is_a_false_positive_and_a_false_negative() -> None:
    replay = {"u-laure": {"moules": 1.5, "dorade": 2}, "u-karim": {"bar": 1}, "u-marc": {"sole": 2}}
    score = score_thread(GOLD, replay)
    assert (score.tp, score.fp, score.fn) == (3, 1, 1)
    assert score.precision == pytest.approx(0.75)
    assert score.recall == pytest.approx(0.75)
    assert score.f1 == pytest.approx(0.75)
    assert (score.members_exact, score.members_total) == (2, 3)
    assert score.differences == ["u-laure dorade: gold 3, replay 2"]


def test_quantities_match_to_a_thousandth() -> None:
    gold = {"orders": {"u-ines": {"crevettes": 1 / 3, "merlan": 0.5}}}
    score = score_thread(gold, {"u-ines": {"crevettes": 0.333, "merlan": 0.502}})
    assert (score.tp, score.fp, score.fn) == (1, 1, 1)
    assert score.differences == ["u-ines merlan: gold 0.5, replay 0.502"]


def test_missing_and_extra_lines() -> None:
    replay = {"u-laure": {"moules": 1.5, "dorade": 3, "bar": 1}, "u-marc": {"sole": 2}}
    score = score_thread(GOLD, replay)
    assert (score.tp, score.fp, score.fn) == (3, 1, 1)
    assert score.precision == pytest.approx(0.75)
    assert score.recall == pytest.approx(0.75)
    assert score.differences == ["u-karim bar: missing (gold 1)", "u-laure bar: extra (replay 1)"]
    assert (score.members_exact, score.members_total) == (1, 3)


def test_ambiguous_lines_are_ignored_whatever_replay_says() -> None:
    replay = {**GOLD["orders"], "u-marc": {"maquereau": 5, "sole": 2}, "u-margaux": {}}
    score = score_thread(GOLD, replay)
    assert (score.tp, score.fp, score.fn) == (4, 0, 0)
    assert (score.members_exact, score.members_total) == (3, 3)
    assert score.false_orders == []


def test_false_orders_name_members_without_a_gold_order() -> None:
    replay = {**GOLD["orders"], "u-charles": {"moules": 2}, "u-margaux": {"sole": 1}}
    score = score_thread(GOLD, replay)
    assert score.false_orders == ["u-charles", "u-margaux"]
    assert (score.tp, score.fp, score.fn) == (4, 2, 0)
    assert (score.members_exact, score.members_total) == (3, 5)
    assert score.f1 == pytest.approx(8 / 10)


def test_zero_quantities_and_empty_orders_count_as_no_order() -> None:
    replay = {**GOLD["orders"], "u-charles": {"moules": 0}, "u-paul": {}}
    score = score_thread(GOLD, replay)
    assert score.false_orders == []
    assert (score.fp, score.members_total) == (0, 3)


def test_member_exact_needs_every_line_right() -> None:
    replay = {"u-laure": {"moules": 1.5}, "u-karim": {"bar": 1}}
    score = score_thread(GOLD, replay)
    assert (score.members_exact, score.members_total) == (1, 3)
    assert score.member_exact == pytest.approx(1 / 3)


def test_empty_replay_has_zero_recall() -> None:
    score = score_thread(GOLD, {})
    assert (score.tp, score.fp, score.fn) == (0, 0, 4)
    assert (score.precision, score.recall, score.f1) == (1.0, 0.0, 0.0)
    assert (score.members_exact, score.members_total) == (0, 3)


def test_combine_micro_averages() -> None:
    a = ThreadScore(
        tp=9,
        fp=1,
        fn=0,
        members_total=4,
        members_exact=3,
        false_orders=["u-x"],
        differences=["u-x moules: extra (replay 1)"],
    )
    b = ThreadScore(tp=1, fp=0, fn=9, members_total=6, members_exact=1)
    total = combine([a, b])
    assert (total.tp, total.fp, total.fn) == (10, 1, 9)
    assert total.precision == pytest.approx(10 / 11)
    assert total.recall == pytest.approx(10 / 19)
    assert total.f1 == pytest.approx(20 / 30)
    assert (total.members_exact, total.members_total) == (4, 10)
    assert total.false_orders == ["u-x"]
    assert total.differences == ["u-x moules: extra (replay 1)"]
    assert combine([]).f1 == 1.0


def test_accuracy_script_scores_a_fake_replay(tmp_path: Path) -> None:
    """Check the script end to end, with ORDERBOT_REPLAY_CMD pointing at a fake replay."""
    folder = tmp_path / "club"
    folder.mkdir()
    (folder / "catalog.yaml").write_text("club: test\n", encoding="utf-8")
    (folder / "w1.thread.jsonl").write_text("", encoding="utf-8")
    (folder / "w1.gold.json").write_text(
        '{"orders": {"u-a": {"moules": 1}, "u-b": {"bar": 2}}, "ambiguous": {}}', encoding="utf-8"
    )
    fake = (
        'import sys; print(\'{"orders": {"u-a": {"moules": 1}, "u-b": {"bar": 1}, '
        '"u-c": {"sole": 1}}}\')'
    )
    env = {"ORDERBOT_REPLAY_CMD": shlex.join([sys.executable, "-c", fake]), "PATH": ""}
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "accuracy.py"),
            "--fixtures",
            str(tmp_path),
            "--verbose",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "u-b bar: gold 2, replay 1" in done.stdout
    assert lines[-1].startswith("total: F1 0.400, member exact 0.333, false orders 1 ")


def test_a_silent_message_is_one_gold_needs_and_the_bot_passed_over() -> None:
    gold = {"orders": {"u-a": {"moules": 2}, "u-b": {"sole": 1}, "u-c": {"bar": 1}}}
    replayed = {"u-b": {"sole": 1}, "u-c": {"bar": 2}}
    decisions = [
        {"id": "m1", "author": "u-a", "changes": {}, "asked": [], "mentioned": ["moules"]},
        {
            "id": "m2",
            "author": "u-b",
            "changes": {"sole": [0, 1]},
            "asked": [],
            "mentioned": ["sole"],
        },
        {"id": "m3", "author": "u-b", "changes": {}, "asked": [], "mentioned": ["sole"]},
        {"id": "m4", "author": "u-c", "changes": {}, "asked": ["?"], "mentioned": ["bar"]},
        {"id": "m5", "author": "u-c", "changes": {}, "asked": [], "mentioned": ["bar"]},
        {"id": "m6", "author": "u-a", "changes": {}, "asked": [], "mentioned": ["sole"]},
    ]
    # m1: u-a's mussels are missing and nothing happened; m5: u-c's bass is wrong, nothing
    # happened; m3 names a line that is right; m4 was asked; m6 names no wrong line.
    assert silent_messages(gold, replayed, decisions) == ["m1", "m5"]
