"""How fast a large WhatsApp chat export is parsed, imported, and imported again.

Usage: ``python bench/whatsapp_import.py [--messages N] [--database URL]``

Writes an Android export in French (24-hour clock) of N messages (default 50,000):
60 members ordering the fish club's products, chatting, sending photos, editing and
deleting, multi-line messages, with the group's system lines, over successive weeks.
Then times, in one process: reading + parsing the file, importing it into a fresh
SQLite ledger (batches through ``OrderBot.handle_batch``), and importing the same file
again (everything already there). Prints figures and asserts nothing; the last line is
a one-line summary. Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.app import build_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.whatsapp.export import parse_export, read_export_text  # noqa: E402
from bot.whatsapp.importer import import_export  # noqa: E402

CATALOG = ROOT / "tests" / "fixtures" / "fish-club" / "catalog.yaml"
ORDERS = [
    "2 kg de moules",
    "une douzaine d'huîtres",
    "1 kg de bulots svp",
    "500 g de crevettes grises",
    "finalement 3 kg de moules",
    "pour moi 1 kg de saint-jacques",
    "j'annule les bulots",
]
CHATTER = [
    "merci !",
    "à samedi",
    "quelqu'un peut prendre mon panier ?",
    "super la semaine dernière",
    "il pleut à la grange ?",
]


def write_export(path: Path, count: int, seed: int = 7) -> None:
    """An Android French export of ``count`` messages (plus system lines)."""
    rng = random.Random(seed)
    members = [f"Membre {n:02d}" for n in range(1, 61)] + ["+33 6 12 34 56 78"]
    when = datetime(2026, 1, 5, 8, 0)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f"{when:%d/%m/%Y %H:%M} - Les messages et les appels sont chiffrés de bout "
            "en bout. Aucun tiers, pas même WhatsApp, ne peut les lire.\n"
        )
        for n in range(count):
            when += timedelta(seconds=rng.choice((0, 20, 60, 90, 300)))
            stamp = f"{when:%d/%m/%Y %H:%M}"
            if n % 500 == 0:
                out.write(f"{stamp} - Patrick a ajouté Membre {rng.randint(1, 60):02d}\n")
            author = (
                "\u200e" + rng.choice(members) + "\u200e"
                if rng.random() < 0.02
                else (rng.choice(members))
            )
            roll = rng.random()
            if roll < 0.55:
                text = rng.choice(ORDERS)
            elif roll < 0.85:
                text = rng.choice(CHATTER)
            elif roll < 0.92:
                text = "<Médias omis>"
            elif roll < 0.95:
                text = rng.choice(ORDERS) + " <Ce message a été modifié>"
            elif roll < 0.97:
                text = "Ce message a été supprimé"
            else:
                text = "Bonjour à tous\n" + rng.choice(ORDERS) + "\nmerci"
            out.write(f"{stamp} - {author}: {text}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--database", help="ledger URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "WhatsApp Chat with Poisson Montsouris.txt"
        write_export(export, args.messages)
        size = export.stat().st_size

        started = time.perf_counter()
        parsed = parse_export(read_export_text(export))
        parse_s = time.perf_counter() - started

        url = args.database or f"sqlite:///{Path(tmp) / 'ledger.sqlite3'}"
        app = build_app(Settings(database_url=url))
        club = app.import_catalog(CATALOG, slug="poisson-montsouris")
        started = time.perf_counter()
        first = import_export(app, parsed.messages, club.slug)
        import_s = time.perf_counter() - started
        started = time.perf_counter()
        again = import_export(app, parse_export(read_export_text(export)).messages, club.slug)
        again_s = time.perf_counter() - started
        app.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(parsed.messages)
    print(
        f"export:              {size / 1e6:.1f} MB, {n:,} messages, "
        f"{parsed.system_lines:,} system lines"
    )
    print(f"parse:               {parse_s:.2f} s ({n / parse_s:,.0f} msg/s)")
    print(
        f"import:              {import_s:.2f} s ({n / import_s:,.0f} msg/s); "
        f"{first.imported:,} imported, {sum(first.skipped.values()):,} skipped"
    )
    print(
        f"re-import:           {again_s:.2f} s ({n / again_s:,.0f} msg/s); "
        f"{again.imported:,} imported, {again.already:,} already there"
    )
    print(f"peak memory:         {peak_mb:.0f} MB")
    print(
        f"whatsapp_import: parse {n / parse_s:,.0f} msg/s, import {n / import_s:,.0f} msg/s, "
        f"re-import {n / again_s:,.0f} msg/s, peak {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
