"""`orderbot demo`: a week of the fish club, played through the bot, in the terminal."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.replay import ReplayResult, replay
from bot.sample import CATALOG, THREAD
from orders import ledger
from suppliers.render import summary_text
from suppliers.weekly_order import build_weekly_order


def run_demo(
    app: App,
    out: TextIO,
    *,
    catalog: Path = CATALOG,
    thread: Path = THREAD,
    week_folder: Path | None = None,
) -> int:
    """Play the bundled week and print the thread, the scheduled steps, then the week's order."""
    result = replay(app, catalog, thread, chat_id="demo")
    print_thread(result, out)
    if result.exchanges and week_folder is not None:
        from bot.demo_week import play_week

        last = result.exchanges[-1][0]
        play_week(app, result.club_id, last.platform, last.sent_at, out, week_folder)
    print_week(app, result.club_id, out)
    return 0


def print_thread(result: ReplayResult, out: TextIO) -> None:
    """Print members' messages and the bot's replies as a person would see the thread."""
    for message, replies in result.exchanges:
        stamp = message.sent_at.strftime("%a %d %b %H:%M")
        edited = " (edited)" if message.edit_of else ""
        out.write(f"\n{stamp}  {message.author_name}{edited}\n")
        for line in message.text.splitlines() or [""]:
            out.write(textwrap.indent(textwrap.fill(line, 88) or "", "    ") + "\n")
        for reply in replies:
            out.write(f"  ↳ orderbot: {reply.text}\n")


def print_week(app: App, club_id: int, out: TextIO) -> None:
    """Print each member's final order and the totals per product."""
    with app.engine.connect() as conn:
        club = ledger.club_by_id(conn, club_id)
        latest = ledger.latest_window(conn, club_id)
        if club is None or latest is None:
            out.write("\nNo orders.\n")
            return
        weekly = build_weekly_order(conn, club, latest[0], app.bot.view(conn, club))
    out.write("\n" + "=" * 72 + "\n")
    out.write(summary_text(app.bot.renderer, weekly) + "\n")
