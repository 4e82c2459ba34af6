"""How fast one process handles a long run of chat messages, and whether it slows down.

Usage: ``python bench/parse_speed.py [--messages N] [--database URL] [--batch N] [--installed]``

Every fixture thread under ``tests/fixtures/`` (both clubs) is replayed again and again as
successive weeks through one app and one ledger, until N messages (default 50,000) have been
handled. Each club's catalogue is bound to a chat of its own. Before every week (every thread
file) the club's organiser sends ``/fermer`` then ``/ouvrir``, so each week gets a fresh
order window. Message ids are made unique per repetition (``r3-week-2-m17``, with
``edit_of`` and ``reply_to`` rewritten the same way) and timestamps move on by whole
weeks: 7 days per week the club's threads cover, so that time never goes backwards in a
chat. These command messages count
towards N.

The ledger is a fresh SQLite file in a temporary directory unless ``--database`` names
another one. Everything runs in this one process, on one core. It prints figures and asserts
nothing; the last line is a one-line summary.

Figures depend on the machine as much as on the code, so the run also prints how fast this
Python runs a plain reference loop (``machine:``): compare runs on two machines through it.
``--breakdown`` also times the parser alone on the very inputs it was given during the run
(text, catalogue and context), so the rest of each message's time is the ledger's part
(statements, commit, replies).
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, sys.path[0] is bench/, not the repo. With --installed the installed
# orderbot is measured instead of the sources (a compiled build, say).
if str(ROOT) not in sys.path and "--installed" not in sys.argv:
    sys.path.insert(0, str(ROOT))

from bot.app import App, build_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.threads import read_thread  # noqa: E402
from orders.messages import InboundMessage  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PLATFORM = "bench"
WINDOW = 10_000  # messages in the "first" and "last" slices


@dataclass
class Club:
    """One fixture club: its catalogue, its chat, its organiser and its weeks of messages."""

    name: str
    catalog: Path
    chat_id: str
    organiser: str
    weeks: list[tuple[str, list[InboundMessage]]]
    cycle: timedelta  # how far to shift a repetition of all its weeks


def load_clubs(fixtures: Path) -> list[Club]:
    """Read every club folder that has a catalogue and at least one thread."""
    clubs = []
    for catalog in sorted(fixtures.glob("*/catalog.yaml")):
        threads = sorted(catalog.parent.glob("*.thread.jsonl"))
        if not threads:
            continue
        chat_id = f"bench-{catalog.parent.name}"
        weeks = [
            (
                t.name.removesuffix(".thread.jsonl"),
                list(read_thread(t, platform=PLATFORM, chat_id=chat_id)),
            )
            for t in threads
        ]
        spec = yaml.safe_load(catalog.read_text(encoding="utf-8"))
        clubs.append(
            Club(catalog.parent.name, catalog, chat_id, spec["organisers"][0], weeks, _cycle(weeks))
        )
    return clubs


def _cycle(weeks: list[tuple[str, list[InboundMessage]]]) -> timedelta:
    """Whole weeks from the first message of the first thread to the last of the last, + 1."""
    stamps = [m.sent_at for _name, messages in weeks for m in messages]
    span = max(stamps) - min(stamps)
    return timedelta(days=7 * (math.floor(span / timedelta(days=7)) + 1))


def stream(clubs: list[Club]) -> Iterator[InboundMessage]:
    """Every club's weeks, over and over: ``/fermer`` and ``/ouvrir``, then the week's messages."""
    rep = 0
    while True:
        for club in clubs:
            shift = club.cycle * rep
            for week, messages in club.weeks:
                prefix = f"r{rep}-{week}-"
                first = messages[0]
                for command in ("/fermer", "/ouvrir"):
                    yield replace(
                        first,
                        message_id=f"{prefix}{command[1:]}",
                        author_id=club.organiser,
                        author_name=_name_of(club),
                        text=command,
                        sent_at=first.sent_at + shift - timedelta(minutes=1),
                        edit_of=None,
                        reply_to=None,
                    )
                for message in messages:
                    yield replace(
                        message,
                        message_id=prefix + message.message_id,
                        sent_at=message.sent_at + shift,
                        edit_of=_rename(prefix, message.edit_of),
                        reply_to=_rename(prefix, message.reply_to),
                    )
        rep += 1


def _name_of(club: Club) -> str:
    """The organiser's display name as the threads show it (a bot sees one name per person)."""
    for _week, messages in club.weeks:
        for message in messages:
            if message.author_id == club.organiser:
                return message.author_name
    return club.organiser


def _rename(prefix: str, message_id: str | None) -> str | None:
    return None if message_id is None else prefix + message_id


def run(
    app: App, clubs: list[Club], total: int, batch: int = 1, calls: list[tuple] | None = None
) -> tuple[list[float], Counter[str]]:
    """Handle ``total`` messages; return each message's handling time and the outcome kinds.

    With ``batch`` > 1, messages go through ``handle_batch`` in groups (one commit per
    group) and each message of a group is charged an equal share of its time. With ``calls``,
    every parser call's arguments are appended to it (see :func:`parse_alone`).
    """
    if calls is not None:
        _record_parse_calls(calls)
    for club in clubs:
        app.import_catalog(club.catalog, bind=(PLATFORM, club.chat_id))
    durations: list[float] = []
    kinds: Counter[str] = Counter()
    clock = time.perf_counter
    pending: list[InboundMessage] = []
    for message in stream(clubs):
        if len(durations) + len(pending) >= total:
            break
        pending.append(message)
        if len(pending) < batch:
            continue
        started = clock()
        outcomes = app.bot.handle_batch(pending) if batch > 1 else [app.bot.handle(pending[0])]
        share = (clock() - started) / len(pending)
        durations.extend([share] * len(pending))
        kinds.update(outcome.kind for outcome in outcomes)
        pending = []
    if pending:
        started = clock()
        outcomes = app.bot.handle_batch(pending)
        share = (clock() - started) / len(pending)
        durations.extend([share] * len(pending))
        kinds.update(outcome.kind for outcome in outcomes)
    return durations, kinds


def _record_parse_calls(calls: list[tuple]) -> None:
    """Keep every parser call the pipeline makes, with its arguments (a list append each).

    Both entry points count: ``parse`` for every message, ``mentions`` for the message
    a reply answers when its products were not worked out yet (an announcement).
    """
    import orders.core

    for name in ("parse", "mentions"):
        original = getattr(orders.core, name)

        def recording(*args: object, _original=original) -> object:
            calls.append((_original, args))
            return _original(*args)

        setattr(orders.core, name, recording)


def parse_alone(calls: list[tuple]) -> float:
    """Seconds the parser alone takes on the recorded calls.

    The best of three passes, with the parser's caches warm as they are in a running
    bot: a floor for its share, the rest of a message's time is everything else.
    """
    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        for function, args in calls:
            function(*args)
        best = min(best, time.perf_counter() - started)
    return best


def machine_reference() -> float:
    """Millions of iterations per second of a plain Python loop: a yardstick for the machine."""
    best = math.inf
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return 1 / best


def rate(durations: list[float]) -> float:
    seconds = sum(durations)
    return len(durations) / seconds if seconds > 0 else float("inf")


def peak_rss_mb() -> float:
    """Peak resident memory of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def label(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 and count >= 1000 else f"{count:,}"


def report(durations: list[float], kinds: Counter[str], wall: float, database: str) -> str:
    """Print the figures and return the one-line summary."""
    window = min(WINDOW, max(1, len(durations) // 2))
    first, last = rate(durations[:window]), rate(durations[-window:])
    overall = rate(durations)
    ratio = last / first if first else float("nan")
    slowest = max(durations, default=0.0)
    print(f"database:            {database}")
    print(f"messages:            {len(durations):,}")
    print(f"seconds (handling):  {sum(durations):,.2f}")
    print(f"seconds (wall):      {wall:,.2f}")
    print(f"overall:             {overall:,.0f} msg/s")
    print(f"first {label(window):>6}:        {first:,.0f} msg/s")
    print(f"last {label(window):>6}:         {last:,.0f} msg/s")
    print(f"ratio last/first:    {ratio:.2f}")
    print(f"slowest message:     {slowest * 1000:,.1f} ms")
    print(f"peak RSS:            {peak_rss_mb():,.1f} MiB")
    print("outcomes:            " + ", ".join(f"{k} {n:,}" for k, n in kinds.most_common()))
    return (
        f"parse_speed: {overall:,.0f} msg/s overall, first {label(window)} {first:,.0f} "
        f"msg/s, last {label(window)} {last:,.0f} msg/s (ratio {ratio:.2f})"
    )


def parser_build() -> str:
    """Whether the parser runs as Python or as the optional mypyc-compiled build."""
    import orders.parsing.grammar as grammar

    where = Path(grammar.__file__ or "")
    kind = "compiled (mypyc)" if where.suffix in (".so", ".pyd") else "pure Python"
    return f"{kind}, {where.parent}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--messages", type=int, default=50_000, help="how many messages to handle (default 50,000)"
    )
    parser.add_argument(
        "--database",
        help="SQLAlchemy URL of the ledger (default: a fresh SQLite file in a temporary directory)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=1,
        help="messages per transaction: 1 (default) commits each message, as a live thread "
        "does; N > 1 uses handle_batch (group commit), as polling or an import does",
    )
    parser.add_argument(
        "--installed",
        action="store_true",
        help="measure the installed orderbot (e.g. ORDERBOT_COMPILE=1 pip install .), "
        "not the sources beside this script",
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time the parser alone on the inputs it was given during the run",
    )
    args = parser.parse_args(argv)
    if args.batch < 1:
        parser.error("--batch must be at least 1")
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    clubs = load_clubs(FIXTURES)
    if not clubs:
        print(f"parse_speed: no fixture thread under {FIXTURES}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="parse-speed-") as tmp:
        database = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        reference = machine_reference()
        calls: list[tuple] | None = [] if args.breakdown else None
        started = time.perf_counter()
        app = build_app(Settings(database_url=database))
        try:
            durations, kinds = run(app, clubs, args.messages, args.batch, calls)
        finally:
            app.close()
        wall = time.perf_counter() - started
        print(f"machine:             {reference:,.1f} M Python loop iterations/s")
        print(f"parser:              {parser_build()}")
        print(f"batch:               {args.batch} message(s) per transaction")
        summary = report(durations, kinds, wall, database)
        if calls is not None:
            handling = sum(durations)
            parsing = parse_alone(calls)
            per = 1e6 / len(durations)
            print(
                f"parser alone:        {parsing * per:,.0f} µs/msg "
                f"({parsing / handling:.0%} of handling, {len(calls):,} parser calls)"
            )
            print(f"rest (ledger etc.):  {(handling - parsing) * per:,.0f} µs/msg")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
