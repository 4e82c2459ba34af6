"""How long the supplier's weekly order takes to build: text, CSV and PDF.

Usage: ``python bench/summary.py [--members 460] [--lines 3] [--clubs 1000] [--pdf-every 1]``

First one club of ``--members`` members with ``--lines`` lines each is written to a
fresh SQLite ledger, through the same tables the bot uses, and its order is built
from the ledger the way the scheduler does (query, text, CSV, PDF), several times;
the best time of each part is printed. Then ``--clubs`` different clubs of the same
size are rendered one after the other in this process (names, products and amounts
vary per club); the per-club time of the first and the last tenth are compared, so
a cost that grows with the run (a cache, a leak) shows as a ratio above 1.
``--pdf-every N`` renders the PDF for every N-th club only in that loop, for quick
runs. It prints figures and asserts nothing; targets: ≤ 100 ms for one club's text
and CSV, ≤ 1 s for its PDF, flat per club.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from bot.app import build_app
from bot.settings import Settings
from orders import ledger
from orders.catalog_view import load_view
from orders.models import Member, Order, OrderLine, OrderWindow
from orders.parsing import ProductInfo
from orders.replies import Renderer
from suppliers.formats import order_csv, order_pdf
from suppliers.text import order_text
from suppliers.weekly_order import MemberOrder, PackingLine, WeeklyOrder, build_weekly_order

CATALOG = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "fish-club" / "catalog.yaml"
NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
FIRST = ("Laure", "Paul", "Zoé", "Hélène", "Karim", "Benoît", "Élodie", "Marc", "Inès", "Yann")
LAST = ("Morel", "Fabre", "B.", "Bossu", "R.", "Dupont", "Nguyen", "Martin", "Leroy", "Roux")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def seed_club(members: int, lines: int, rng: random.Random) -> tuple[object, int, int]:
    """A ledger with one club whose week has ``members`` × ``lines`` order lines."""
    folder = Path(tempfile.mkdtemp(prefix="orderbot-bench-"))
    app = build_app(Settings(database_url=f"sqlite:///{folder / 'summary.sqlite3'}"))
    club_id = app.import_catalog(CATALOG, bind=("bench", "club")).club_id
    with app.engine.begin() as conn:
        window_id = ledger.start_window(conn, club_id, NOW)
        club = ledger.club_by_id(conn, club_id)
        assert club is not None
        products = list(load_view(conn, club_id, club.catalog_version).infos)
        member_ids = [
            conn.execute(
                insert(Member.__table__).values(  # type: ignore[attr-defined]
                    club_id=club_id, platform="bench", user_id=f"u-{i}",
                    display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}", joined_at=NOW,
                )
            ).inserted_primary_key[0]
            for i in range(members)
        ]  # fmt: skip
        for member_id in member_ids:
            order_id = conn.execute(
                insert(Order.__table__).values(  # type: ignore[attr-defined]
                    window_id=window_id, member_id=member_id, updated_at=NOW
                )
            ).inserted_primary_key[0]
            conn.execute(
                insert(OrderLine.__table__),  # type: ignore[attr-defined]
                [
                    {"order_id": order_id, "product_id": p,
                     "quantity": Decimal(rng.choice((1, 2, 3, "0.5", "1.5")))}
                    for p in rng.sample(products, lines)
                ],
            )  # fmt: skip
    assert OrderWindow is not None
    return app, club_id, window_id


def ledger_figures(members: int, lines: int, repeats: int) -> dict[str, float]:
    rng = random.Random(7)
    app, club_id, window_id = seed_club(members, lines, rng)
    times: dict[str, list[float]] = {"query": [], "text": [], "csv": [], "pdf": []}
    renderer = app.bot.renderer  # type: ignore[attr-defined]
    for _ in range(repeats):
        with app.engine.connect() as conn:  # type: ignore[attr-defined]
            started = time.perf_counter()
            club = ledger.club_by_id(conn, club_id)
            assert club is not None
            weekly = build_weekly_order(
                conn, club, window_id, load_view(conn, club_id, club.catalog_version)
            )
            times["query"].append(time.perf_counter() - started)
        started = time.perf_counter()
        order_text(renderer, weekly, pickup="Samedi 9h", week="2026-11-07")
        times["text"].append(time.perf_counter() - started)
        started = time.perf_counter()
        order_csv(weekly)
        times["csv"].append(time.perf_counter() - started)
        started = time.perf_counter()
        order_pdf(weekly, pickup="Samedi 9h", week="2026-11-07")
        times["pdf"].append(time.perf_counter() - started)
    app.close()  # type: ignore[attr-defined]
    return {part: min(values) for part, values in times.items()}


def synthetic_club(
    index: int, members: int, lines: int, products: list[ProductInfo]
) -> WeeklyOrder:
    """A club of the same size with its own names, products and amounts."""
    rng = random.Random(index)
    bags = []
    totals: dict[str, Decimal] = {}
    for i in range(members):
        bag = MemberOrder(i, f"{rng.choice(FIRST)} {rng.choice(LAST)} {index}-{i}", f"u-{i}")
        for info in rng.sample(products, lines):
            amount = Decimal(rng.choice((1, 2, 3, "0.5", "1.5")))
            bag.lines.append(PackingLine(info, amount))
            totals[info.code] = totals.get(info.code, Decimal(0)) + amount
        bags.append(bag)
    by_code = {p.code: p for p in products}
    return WeeklyOrder(
        f"Club {index}", "fr", "EUR", False,
        [PackingLine(by_code[c], q) for c, q in totals.items()], bags,
    )  # fmt: skip


def catalog_products() -> list[ProductInfo]:
    import yaml

    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    return [
        ProductInfo.build(
            p["id"], p["name"], p["unit"], Decimal(str(p["price"])), p.get("aliases", [])
        )
        for p in data["products"]
    ]


def run_of_clubs(
    clubs: int, members: int, lines: int, pdf_every: int
) -> tuple[list[float], list[float], list[float]]:
    renderer = Renderer()
    products = catalog_products()
    text_csv: list[float] = []
    pdf: list[float] = []
    machine: list[float] = []
    for index in range(clubs):
        weekly = synthetic_club(index, members, lines, products)
        started = time.perf_counter()
        _reference_loop()
        machine.append(time.perf_counter() - started)
        started = time.perf_counter()
        order_text(renderer, weekly, pickup="Samedi 9h", week="2026-11-07")
        order_csv(weekly)
        text_csv.append(time.perf_counter() - started)
        if index % pdf_every == 0:
            started = time.perf_counter()
            order_pdf(weekly, pickup="Samedi 9h", week="2026-11-07")
            pdf.append(time.perf_counter() - started)
    return text_csv, pdf, machine


def _reference_loop() -> int:
    """A fixed amount of plain Python work: how fast the (shared) machine runs right now."""
    total = 0
    for i in range(100_000):
        total += i % 7
    return total


def _ratio(values: list[float]) -> tuple[float, float, float]:
    tenth = max(1, len(values) // 10)
    first, last = statistics.mean(values[:tenth]), statistics.mean(values[-tenth:])
    return first, last, last / first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=460)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--clubs", type=int, default=1000)
    parser.add_argument("--pdf-every", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    one = ledger_figures(args.members, args.lines, args.repeats)
    print(
        f"one club from the ledger: {args.members} members × {args.lines} lines "
        f"(best of {args.repeats})"
    )
    for part, seconds in one.items():
        print(f"  {part:<6} {_ms(seconds)}")
    print(f"  query + text + CSV {_ms(one['query'] + one['text'] + one['csv'])}  (target ≤ 100 ms)")
    print(f"  PDF                {_ms(one['pdf'])}  (target ≤ 1000 ms)")

    started = time.perf_counter()
    text_csv, pdf, machine = run_of_clubs(args.clubs, args.members, args.lines, args.pdf_every)
    elapsed = time.perf_counter() - started
    first, last, ratio = _ratio(text_csv)
    print(f"{args.clubs} clubs in a row ({elapsed:.1f} s, PDF for {len(pdf)} of them)")
    print(
        f"  text + CSV per club: first tenth {_ms(first)}, last tenth {_ms(last)}, "
        f"ratio {ratio:.2f}"
    )
    first_ref, last_ref, ratio_ref = _ratio(machine)
    print(
        f"  machine reference:   first tenth {_ms(first_ref)}, last tenth {_ms(last_ref)}, "
        f"ratio {ratio_ref:.2f}  (the same loop each time: above 1, the machine got busier)"
    )
    print(f"  text + CSV ratio relative to the machine: {ratio / ratio_ref:.2f}")
    if pdf:
        first_pdf, last_pdf, ratio_pdf = _ratio(pdf)
        print(
            f"  PDF per club:        first tenth {_ms(first_pdf)}, last tenth {_ms(last_pdf)}, "
            f"ratio {ratio_pdf:.2f}"
        )
    print(
        f"summary: text+CSV {one['text'] + one['csv']:.3f} s, query {one['query']:.3f} s, "
        f"PDF {one['pdf']:.3f} s; {args.clubs} clubs ratio {ratio:.2f} "
        f"(machine {ratio_ref:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
