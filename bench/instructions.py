"""Machine instructions per message through the whole pipeline, counted by valgrind.

Usage: ``python bench/instructions.py [--messages N] [--prefill N ...]``

Wall-clock figures on a shared machine move by ±20% from one run to the next; the
number of instructions a message costs does not. For each ``--prefill`` size (default
0 and 45,000) this handles that many fixture messages first (outside the count), then
300 more to warm the caches, then counts the instructions of the next N (default 1,000)
with ``valgrind --tool=callgrind``: one run that stops after the warm-up and one that
goes on, and the difference divided by N. Comparing a fresh ledger with a full one
shows whether a message costs more as the ledger grows; comparing two commits shows
what a change saved. Time spent in the kernel (the commit's writes) is not counted.

It needs valgrind on the PATH and takes a few minutes; it prints figures and asserts
nothing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))

WARM = 300


def child(database: Path, skip: int, count: int, prefill_done: bool) -> None:
    """Handle ``count`` messages after ``skip`` + the warm-up (run under valgrind)."""
    import parse_speed

    from bot.app import build_app
    from bot.settings import Settings

    clubs = parse_speed.load_clubs(parse_speed.FIXTURES)
    app = build_app(Settings(database_url=f"sqlite:///{database}"))
    if not prefill_done:
        for club in clubs:
            app.import_catalog(club.catalog, bind=(parse_speed.PLATFORM, club.chat_id))
    stream = parse_speed.stream(clubs)
    for _ in range(skip):
        next(stream)
    warm = [next(stream) for _ in range(WARM)]
    measured = [next(stream) for _ in range(count)]
    for message in warm:
        app.bot.handle(message)
    for message in measured:
        app.bot.handle(message)
    app.close()


def prefill(database: Path, count: int) -> None:
    """A ledger that already holds ``count`` fixture messages."""
    import parse_speed

    from bot.app import build_app
    from bot.settings import Settings

    clubs = parse_speed.load_clubs(parse_speed.FIXTURES)
    app = build_app(Settings(database_url=f"sqlite:///{database}"))
    for club in clubs:
        app.import_catalog(club.catalog, bind=(parse_speed.PLATFORM, club.chat_id))
    stream = parse_speed.stream(clubs)
    for _ in range(count):
        app.bot.handle(next(stream))
    app.close()


def instructions(database: Path, skip: int, count: int, prefilled: bool) -> int:
    """Instructions valgrind counts for one child run on a copy of ``database``."""
    with tempfile.TemporaryDirectory(prefix="instructions-") as tmp:
        copy = Path(tmp) / "ledger.sqlite3"
        if prefilled:
            shutil.copy(database, copy)
        command = [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--child",
            str(copy),
            str(skip),
            str(count),
            "1" if prefilled else "0",
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : ([\d,]+)", done.stderr)
    if found is None:
        raise RuntimeError("valgrind printed no instruction count:\n" + done.stderr[-2000:])
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        database, skip, count, prefilled = argv[1:5]
        child(Path(database), int(skip), int(count), prefilled == "1")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000, help="messages counted (1,000)")
    parser.add_argument(
        "--prefill",
        type=int,
        nargs="+",
        default=[0, 45_000],
        help="messages already in the ledger before counting (default: 0 and 45,000)",
    )
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("instructions: valgrind is not on the PATH", file=sys.stderr)
        return 2
    for size in args.prefill:
        with tempfile.TemporaryDirectory(prefix="instructions-prefill-") as tmp:
            database = Path(tmp) / "ledger.sqlite3"
            if size:
                prefill(database, size)
            before = instructions(database, size, 0, bool(size))
            after = instructions(database, size, args.messages, bool(size))
        per = (after - before) / args.messages
        print(f"instructions: {per:,.0f} per message with {size:,} messages already in the ledger")
    return 0


if __name__ == "__main__":
    sys.exit(main())
