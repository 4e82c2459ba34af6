"""bench/parse_speed.py runs end to end on a short run; its figures are not checked."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(
    r"^parse_speed: [\d,]+ msg/s overall, first \S+ [\d,]+ msg/s, "
    r"last \S+ [\d,]+ msg/s \(ratio [\d.]+\)$"
)


def test_parse_speed_runs_and_prints_its_summary() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "parse_speed.py"), "--messages", "600"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert SUMMARY.match(lines[-1]), done.stdout
    assert "messages:            600" in done.stdout


def test_summary_bench_runs_and_prints_its_summary() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "summary.py"), "--members", "40", "--clubs", "4",
         "--repeats", "1"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert re.match(r"^summary: text\+CSV [\d.]+ s, query [\d.]+ s, PDF [\d.]+ s; 4 clubs", last)
