"""Replay every fixture thread through ``orderbot replay`` and print how well its orders match gold.

Usage: ``python bench/accuracy.py [--fixtures DIR] [--verbose]``

* ``--fixtures DIR``: where to look for ``*.thread.jsonl`` (each beside its ``.gold.json`` and
  its folder's ``catalog.yaml``). Default: ``../shared/fixtures`` next to the repository if it
  exists, else ``tests/fixtures``.
* ``--verbose``: also list every differing line and every false order.
* ``ORDERBOT_REPLAY_CMD`` (environment): the command prefix to run instead of
  ``orderbot replay``, split like a shell would; ``--catalog CAT --thread THREAD --format json``
  is appended. Handy to try the benchmark on a fake, e.g.
  ``ORDERBOT_REPLAY_CMD="python my_fake.py" python bench/accuracy.py``.

The last line printed is always a one-line summary (a hook reads it). Exit status: 0 whatever
the figures, 1 if a replay command failed or printed no ``orders``, 2 if no thread was found.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script, sys.path[0] is bench/, not the repo
    sys.path.insert(0, str(ROOT))

from bench.scoring import ThreadScore, combine, score_thread, silent_messages  # noqa: E402

REPLAY_TIMEOUT_S = 300
HEADERS = ("thread", "precision", "recall", "F1", "member exact", "false orders", "silent")


class ReplayError(Exception):
    """A replay command failed or printed something that is not the promised JSON."""


def default_fixtures() -> Path:
    """Prefer the shared fixtures, which may be newer than the copies in tests/."""
    shared = ROOT.parent / "shared" / "fixtures"
    return shared if shared.is_dir() else ROOT / "tests" / "fixtures"


def replay_command() -> list[str]:
    """Return the command prefix: $ORDERBOT_REPLAY_CMD, else orderbot, else python -m bot.cli."""
    if env := os.environ.get("ORDERBOT_REPLAY_CMD", "").strip():
        return shlex.split(env)
    if shutil.which("orderbot"):
        return ["orderbot", "replay"]
    return [sys.executable, "-m", "bot.cli", "replay"]


def run_replay(prefix: list[str], catalog: Path, thread: Path) -> dict[str, Any]:
    """Run one replay and return its JSON report; raise ReplayError with its stderr otherwise.

    The report has ``orders``; ``decisions`` (each message's change, question or reason)
    is read when the replay command prints it, for the silent column.
    """
    cmd = [*prefix, "--catalog", str(catalog), "--thread", str(thread), "--format", "json"]
    try:
        done = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=REPLAY_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReplayError(f"{shlex.join(cmd)}\n{exc}") from exc
    if done.returncode != 0:
        raise ReplayError(f"{shlex.join(cmd)}\nexit status {done.returncode}\n{done.stderr}")
    try:
        report = json.loads(done.stdout)
        orders = report["orders"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ReplayError(
            f"{shlex.join(cmd)}\nno JSON 'orders' on stdout ({exc!r}):\n"
            f"{done.stdout[:500]}\n{done.stderr}"
        ) from exc
    if not isinstance(orders, dict):
        raise ReplayError(f"{shlex.join(cmd)}\n'orders' is not an object: {orders!r:.200}")
    return report


def find_threads(fixtures: Path) -> list[Path]:
    """List the thread files that have a gold file and a catalogue, in a stable order."""
    threads = []
    for thread in sorted(fixtures.rglob("*.thread.jsonl")):
        if gold_path(thread).is_file() and (thread.parent / "catalog.yaml").is_file():
            threads.append(thread)
        else:
            print(f"skipped {thread}: no .gold.json or catalog.yaml beside it", file=sys.stderr)
    return threads


def gold_path(thread: Path) -> Path:
    """Map week-1.thread.jsonl to week-1.gold.json."""
    return thread.with_name(thread.name.removesuffix(".thread.jsonl") + ".gold.json")


def row(name: str, s: ThreadScore) -> tuple[str, ...]:
    """Format one table row."""
    exact = f"{s.members_exact}/{s.members_total} {100 * s.member_exact:5.1f}%"
    return (
        name,
        f"{s.precision:.3f}",
        f"{s.recall:.3f}",
        f"{s.f1:.3f}",
        exact,
        str(len(s.false_orders)),
        str(len(s.silent)),
    )


def print_table(rows: list[tuple[str, ...]]) -> None:
    """Print rows under HEADERS, thread names left-aligned and figures right-aligned."""
    table = [HEADERS, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS))]
    for r in table:
        figures = (c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True))
        print("  ".join([r[0].ljust(widths[0]), *figures]))


def print_details(scores: dict[str, ThreadScore]) -> None:
    """Print every differing line and false order, thread by thread, for --verbose."""
    for name, s in scores.items():
        if s.differences or s.false_orders or s.silent:
            print(f"\n{name}:")
        for diff in s.differences:
            print(f"  {diff}")
        if s.false_orders:
            print(f"  false orders: {', '.join(s.false_orders)}")
        if s.silent:
            print(f"  silent: {', '.join(s.silent)}")


def summary(total: ThreadScore, threads: int) -> str:
    """Return the one-line summary that ends the output, headline figures first."""
    return (
        f"total: F1 {total.f1:.3f}, member exact {total.member_exact:.3f}, "
        f"false orders {len(total.false_orders)} (precision {total.precision:.3f}, "
        f"recall {total.recall:.3f}, {total.members_exact}/{total.members_total} members, "
        f"{threads} threads), silent {len(total.silent)}"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=None,
        help="folder searched for *.thread.jsonl (default: ../shared/fixtures "
        "beside the repository, else tests/fixtures)",
    )
    parser.add_argument("--verbose", action="store_true", help="list every difference")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Replay, score and print every thread; return the exit status."""
    args = parse_args(argv)
    fixtures = (args.fixtures or default_fixtures()).resolve()
    threads = find_threads(fixtures)
    if not threads:
        print(f"total: no *.thread.jsonl with gold and catalogue under {fixtures}")
        return 2
    prefix = replay_command()
    scores: dict[str, ThreadScore] = {}
    failed: list[str] = []
    for thread in threads:
        name = str(thread.relative_to(fixtures)).removesuffix(".thread.jsonl")
        try:
            report = run_replay(prefix, thread.parent / "catalog.yaml", thread)
        except ReplayError as exc:
            failed.append(name)
            sys.stdout.flush()  # keep stdout and stderr in order when both go to one pipe
            print(f"replay failed for {name}: {exc}", file=sys.stderr, flush=True)
            continue
        gold = json.loads(gold_path(thread).read_text("utf-8"))
        scores[name] = score_thread(gold, report["orders"])
        scores[name].silent = silent_messages(gold, report["orders"], report.get("decisions", []))
    total = combine(scores.values())
    if scores:
        print_table([*(row(n, s) for n, s in scores.items()), row("TOTAL", total)])
    if args.verbose:
        print_details(scores)
    if failed:
        rest = f"; the rest: {summary(total, len(scores))[len('total: ') :]}" if scores else ""
        print(
            f"total: replay FAILED for {len(failed)} of {len(threads)} threads "
            f"({', '.join(failed)}){rest}"
        )
        return 1
    print(summary(total, len(scores)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
