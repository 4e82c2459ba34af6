"""How long members wait for "noted" when a whole club orders at once on Telegram.

Usage: ``python bench/telegram_burst.py [--members 460] [--minutes 10] [--speed 30] [--flood]``

460 members each post one order in the group within ten minutes (evenly spread),
through the test Bot API server (``tests/helpers/fake_telegram.py``) and the real
transport, core and outbox in one process. Time runs ``--speed`` times faster than
the wall clock for the bot and the server alike, so Telegram's ~20 messages a
minute per group hold in the accelerated minutes. Prints, in accelerated time:
the median and worst time from a member's message to its acknowledgement (a
reaction on it, or a grouped "Noté : …" naming them), the calls per minute in the
group (worst sliding minute and average), 429 answers received; and, in wall time,
messages handled per second end to end (from the update posted to its ledger
change committed and its acknowledgement queued; ``--flood`` posts every order at
once, which measures how fast the bot can handle them). It asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from helpers.fake_telegram import FakeTelegram  # noqa: E402
from helpers.telegram_group import (  # noqa: E402
    AcceleratedClock,
    Group,
    member,
    run_until,
    settled,
)

from bot.app import build_app  # noqa: E402
from bot.replay import final_orders  # noqa: E402
from bot.settings import Settings  # noqa: E402
from orders import inbox  # noqa: E402

FISH = ROOT / "tests" / "fixtures" / "fish-club" / "catalog.yaml"
GROUP = "-1001111111111"
TEXTS = ("2 kg de moules", "une dorade", "1 kg de bulots", "3 douzaines d'huîtres", "2 bars")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=460)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--speed", type=float, default=30.0, help="clock acceleration")
    parser.add_argument(
        "--flood", action="store_true", help="post every order at once (handling capacity)"
    )
    args = parser.parse_args()
    clock = AcceleratedClock(args.speed)
    fake = FakeTelegram(clock=clock.seconds).start()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Settings(database_url=f"sqlite:///{Path(tmp) / 'b.sqlite3'}"), clock=clock)
        club = app.import_catalog(FISH, bind=("telegram", GROUP)).club_id
        group = Group(fake, GROUP)
        posted: dict[int, tuple[str, float]] = {}  # message id -> (name, clock seconds)
        spacing = 0.0 if args.flood else args.minutes * 60 / args.members
        wall: dict[str, float] = {}

        def burst() -> None:
            wall["start"] = time.monotonic()
            for n in range(args.members):
                person = member(10_000 + n, f"M{n}")
                posted[group.say(person, TEXTS[n % len(TEXTS)])] = (f"M{n}", clock.seconds())
                time.sleep(spacing / args.speed)

        def handled() -> bool:
            if "start" not in wall:
                return True  # before the burst: only the start-up has to settle
            with app.engine.connect() as conn:
                done = inbox.counts(conn).get(inbox.DONE, 0)
            if done >= args.members and "handled" not in wall:
                wall["handled"] = time.monotonic()
            return done >= args.members

        run_until(
            app,
            fake,
            lambda: handled() and settled(app, fake),
            steps=[burst],
            limit=args.minutes * 60 / args.speed * 4 + 120,
        )
        counted = len(final_orders(app, club))
        app.close()
    fake.close()
    report(fake, posted, counted, wall, args)
    return 0


def report(fake: FakeTelegram, posted: dict, counted: int, wall: dict, args) -> None:  # type: ignore[no-untyped-def,type-arg]
    acked: dict[str, float] = {}
    calls = [c for c in fake.calls if str(c.params.get("chat_id")) == GROUP]
    for call in calls:
        if call.status != 200:
            continue
        if call.method == "setMessageReaction":
            name = posted[int(call.params["message_id"])][0]
            acked.setdefault(name, call.at)
        elif call.method == "sendMessage" and str(call.params["text"]).startswith("Noté : "):
            for name in str(call.params["text"])[7:].split(", "):
                acked.setdefault(name.split(" +")[0], call.at)
    waits = [acked[name] - at for name, at in posted.values() if name in acked]
    ok = sorted(c.at for c in calls if c.status == 200)
    worst_minute = max((sum(1 for t in ok if s <= t < s + 60) for s in ok), default=0)
    span = (ok[-1] - ok[0]) / 60 if len(ok) > 1 else 1
    grouped = sum(1 for c in calls if c.method == "sendMessage" and c.status == 200)
    reactions = sum(1 for c in calls if c.method == "setMessageReaction" and c.status == 200)
    elapsed = wall.get("handled", time.monotonic()) - wall["start"]
    print(
        f"members:                 {args.members} in {args.minutes:g} min (clock x{args.speed:g})"
    )
    print(f"orders counted:          {counted}")
    print(f"acknowledged:            {len(waits)} ({reactions} reactions, {grouped} messages)")
    median, worst = statistics.median(waits), max(waits)
    print(f"time to acknowledgement: median {median:.1f} s, worst {worst:.1f} s")
    print(f"group calls per minute:  worst {worst_minute}, average {len(ok) / span:.1f}")
    print(f"429 answers:             {sum(1 for c in calls if c.status == 429)}")
    paced = "all posted at once" if args.flood else "paced by arrivals"
    print(f"end to end:              {args.members / elapsed:.1f} msg/s (wall, {paced})")


if __name__ == "__main__":
    sys.exit(main())
