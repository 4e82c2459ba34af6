"""`orderbot summary`: the week's order as files, for organisers who send it themselves."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.app import App
from orders.models import Club
from suppliers import dispatch

club_t = Club.__table__  # type: ignore[attr-defined]


def write_summary(app: App, slug: str, out: Path) -> list[Path]:
    """Write the text, the CSV and the PDF of the club's current week into ``out``."""
    with app.engine.connect() as conn:
        club_id = conn.execute(select(club_t.c.id).where(club_t.c.slug == slug)).scalar()
        if club_id is None:
            raise LookupError(f"no club {slug!r}")
        window_id = dispatch.week_window(conn, club_id)
        if window_id is None:
            raise LookupError(f"club {slug!r} has no week yet")
        order = dispatch.build_supplier_order(conn, club_id, window_id, app.bot.renderer)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{order.stem}.txt", out / f"{order.stem}.csv", out / f"{order.stem}.pdf"]
    paths[0].write_text(order.text + "\n", encoding="utf-8")
    paths[1].write_bytes(order.csv)
    paths[2].write_bytes(order.pdf)
    return paths
