"""bench/whatsapp_import.py runs end to end on a small export; its figures are not checked."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(
    r"^whatsapp_import: parse [\d,]+ msg/s, import [\d,]+ msg/s, "
    r"re-import [\d,]+ msg/s, peak \d+ MB$"
)


def test_whatsapp_import_bench_runs_and_prints_its_summary() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "whatsapp_import.py"), "--messages", "400"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert SUMMARY.match(lines[-1]), done.stdout
    assert "400 messages" in done.stdout
    assert re.search(r"re-import: .*; 0 imported", done.stdout), done.stdout
