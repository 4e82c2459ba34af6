"""The `orderbot` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import ValidationError

from bot.app import build_app, configure_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.threads import ThreadError
from orders.catalog import CatalogError, ImportResult
from orders.db import LedgerUnavailable

DEMO_FILE = "orderbot-demo.sqlite3"
DEMO_FOLDER = "orderbot-demo-supplier"


LOG_LEVEL_HELP = (
    "DEBUG, INFO, WARNING or ERROR; overrides ORDERBOT_LOG_LEVEL "
    "(default: WARNING for demo, console and replay, INFO for serve and catalog)"
)
COMMANDS_CATALOG = """\
  orderbot catalog import FILE   create or update a club from a catalogue (--chat binds a thread)"""
COMMANDS = f"""\
usage: orderbot COMMAND [options]   (orderbot COMMAND --help for its options)

  orderbot demo                  play a sample week of the fish club through the bot
  orderbot console               an interactive local thread in the terminal
  orderbot replay                replay a thread file and print the final orders
  orderbot serve                 run the bot: webhooks, polling, the inbox and the outbox
{COMMANDS_CATALOG}

  orderbot --version             the installed version
  orderbot --help                every option"""
THREAD_FORMAT = """\
thread file: UTF-8 text, one JSON object per line (blank lines are skipped), e.g.
  {"id": "m1", "ts": "2026-11-02T08:11:30+01:00", "author_id": "u-laure", "author": "Laure",
   "text": "1 kg moules + 2 dorades svp"}
required: "id" (unique in the thread), "ts" (ISO 8601 with a UTC offset), "author_id",
"text"; optional: "author" (display name), "edit_of" (id of the message this edits),
"reply_to" (id of the message this answers)."""


def _version() -> str:
    try:
        return version("orderbot")
    except PackageNotFoundError:
        return "(not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orderbot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"orderbot {_version()}")
    parser.add_argument("--log-level", help=LOG_LEVEL_HELP)
    sub = parser.add_subparsers(dest="command")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--log-level", default=argparse.SUPPRESS, help=LOG_LEVEL_HELP)
    demo = sub.add_parser(
        "demo", parents=[common], help="play a sample week of the fish club through the bot"
    )
    demo.add_argument(
        "--database",
        default="sqlite:///orderbot-demo.sqlite3",
        help="ledger URL (default: a fresh orderbot-demo.sqlite3 here)",
    )
    console = sub.add_parser(
        "console", parents=[common], help="an interactive local thread in the terminal"
    )
    console.add_argument("--catalog", type=Path, help="catalogue YAML (default: the sample)")
    console.add_argument("--database", help="ledger URL (default: DATABASE_URL)")
    replay = sub.add_parser(
        "replay",
        parents=[common],
        help="replay a thread file and print the final orders",
        epilog=THREAD_FORMAT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument(
        "--catalog", type=Path, required=True, help="the club's catalogue YAML file"
    )
    replay.add_argument(
        "--thread", type=Path, required=True, help="the thread file (JSON lines, see below)"
    )
    replay.add_argument(
        "--format",
        choices=("json", "text"),
        default="json",
        help="json: the orders and replies as one JSON object (default); "
        "text: the thread as members see it, then the week's order",
    )
    replay.add_argument(
        "--explain",
        action="store_true",
        help="print each message with the bot's decision: ledger change, question, or why "
        "it is not an order",
    )
    replay.add_argument(
        "--database", default="sqlite://", help="ledger URL (default: an empty in-memory SQLite)"
    )
    orders = sub.add_parser(
        "orders", parents=[common], help="print a club's current week of orders"
    )
    orders.add_argument("--club", required=True, help="club slug")
    orders.add_argument(
        "--format", choices=("json", "text"), default="json", help="output format (default: json)"
    )
    orders.add_argument("--database", help="ledger URL (default: DATABASE_URL)")
    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="run the bot: webhooks, polling, the inbox and the outbox (SIGTERM stops it)",
    )
    serve.add_argument("--database", help="ledger URL (default: DATABASE_URL)")
    catalog = sub.add_parser("catalog", parents=[common], help="manage a club's catalogue")
    catalog_sub = catalog.add_subparsers(dest="action")
    imp = catalog_sub.add_parser(
        "import", parents=[common], help="create or update a club from a catalogue file"
    )
    imp.add_argument("file", type=Path, help="the club's catalogue YAML file")
    imp.add_argument("--club", help="club slug (default: from the club's name)")
    imp.add_argument("--chat", help="bind a thread, as PLATFORM:CHAT_ID (e.g. telegram:-1001)")
    _whatsapp_parser(sub, common)
    summary = sub.add_parser(
        "summary", parents=[common], help="write the week's supplier order as text, CSV and PDF"
    )
    summary.add_argument("--club", required=True, help="club slug")
    summary.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    summary.add_argument("--database", help="ledger URL (default: DATABASE_URL)")
    return parser


def _whatsapp_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    wa = sub.add_parser(
        "import-whatsapp",
        parents=[common],
        help="import a WhatsApp group's chat export (.txt or .zip) into a club's ledger",
    )
    wa.add_argument("export", type=Path, help="the file WhatsApp's 'Export chat' wrote")
    wa.add_argument("--club", required=True, help="slug of the club the group orders for")
    wa.add_argument("--dry-run", action="store_true", help="print what was read; change nothing")
    wa.add_argument(
        "--format",
        choices=("json", "text"),
        default="text",
        help="how --dry-run prints the messages (default: text)",
    )
    wa.add_argument("--database", help="ledger URL (default: DATABASE_URL)")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `orderbot` command."""
    args = _parser().parse_args(argv)
    if args.command is None or (args.command == "catalog" and args.action is None):
        print(COMMANDS if args.command is None else COMMANDS_CATALOG)
        return 0
    try:
        return _run(args)
    except (CatalogError, ThreadError, SettingsError, LedgerUnavailable) as exc:
        print(f"orderbot: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"orderbot: invalid settings: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `orderbot demo | head`): nothing left to say.
        sys.stderr.close()
        return 0
    except OSError as exc:  # a file or a port the command could not use
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"orderbot: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


def _settings(args: argparse.Namespace, database: str | None) -> Settings:
    overrides: dict[str, object] = {}
    if database:
        overrides["database_url"] = database
    if args.log_level:
        overrides["log_level"] = args.log_level
    settings = load_settings(**overrides)
    # --log-level, else ORDERBOT_LOG_LEVEL (environment or .env), else by command.
    default = "INFO" if args.command in ("catalog", "serve") else "WARNING"
    configured = "log_level" in settings.model_fields_set
    configure_logging(args.log_level or (settings.log_level if configured else default))
    return settings


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from bot.demo import run_demo

        if not _fresh_sqlite(args.database):
            return 2
        app = build_app(_settings(args, args.database))
        print(f"orderbot demo — ledger: {app.settings.database_url}")
        return run_demo(app, sys.stdout, week_folder=Path(DEMO_FOLDER))
    if args.command == "console":
        return _console(args)
    if args.command == "replay":
        return _replay(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "import-whatsapp":
        from bot.whatsapp.cli import import_whatsapp

        return import_whatsapp(args, _settings(args, args.database))
    if args.command == "orders":
        return _orders(args)
    if args.command == "summary":
        return _summary(args)
    return _import(args)


def _summary(args: argparse.Namespace) -> int:
    from bot.summary import write_summary

    app = build_app(_settings(args, args.database))
    try:
        written = write_summary(app, args.club, args.out)
    except LookupError as exc:
        print(f"orderbot: {exc.args[0]}", file=sys.stderr)
        return 2
    finally:
        app.close()
    for path in written:
        print(path)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import asyncio

    from bot.server import Service
    from bot.transports import configured_transports

    settings = _settings(args, args.database)
    app = build_app(settings)
    transports = configured_transports(app)
    if not transports:
        print(
            "orderbot: no chat platform configured (set TELEGRAM_BOT_TOKEN, or the TWILIO_ "
            "settings); serving the web server and the queues only",
            file=sys.stderr,
        )
    service = Service(app, transports, host=settings.host, port=settings.port)
    from bot.weekly import weekly_scheduler

    service.background("weekly", weekly_scheduler(app).run)
    asyncio.run(service.run())
    return 0


def _orders(args: argparse.Namespace) -> int:
    """The club's current week, printed the way `orderbot replay` prints its orders."""
    from bot.demo import print_week
    from bot.replay import final_orders
    from orders.models import Club

    app = build_app(_settings(args, args.database))
    with app.engine.connect() as conn:
        club_t = Club.__table__  # type: ignore[attr-defined]
        club_id = conn.execute(club_t.select().where(club_t.c.slug == args.club)).first()
    if club_id is None:
        print(f"orderbot: no club {args.club!r}", file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump({"orders": final_orders(app, club_id.id)}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_week(app, club_id.id, sys.stdout)
    return 0


def _replay(args: argparse.Namespace) -> int:
    from bot.demo import print_thread, print_week
    from bot.replay import replay, replay_report

    app = build_app(_settings(args, args.database))
    result = replay(app, args.catalog, args.thread)
    if args.explain:
        from bot.replay import print_explained

        print_explained(result, sys.stdout)
        return 0
    if args.format == "json":
        json.dump(replay_report(app, result), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_thread(result, sys.stdout)
        print_week(app, result.club_id, sys.stdout)
    return 0


def _console(args: argparse.Namespace) -> int:
    from bot.console import CHAT_ID, run_console
    from bot.sample import CATALOG

    app = build_app(_settings(args, args.database))
    app.import_catalog(args.catalog or CATALOG, bind=("console", CHAT_ID))
    return run_console(app, sys.stdin, sys.stdout, interactive=sys.stdin.isatty())


def _import(args: argparse.Namespace) -> int:
    bind = None
    if args.chat:
        platform, _, chat_id = args.chat.partition(":")
        if not platform or not chat_id:
            print("orderbot: --chat takes PLATFORM:CHAT_ID", file=sys.stderr)
            return 2
        bind = (platform, chat_id)
    app = build_app(_settings(args, None))
    result = app.import_catalog(args.file, bind=bind, slug=args.club)
    print(
        f"club {result.slug}: {result.added} products added, {result.updated} updated, "
        f"{result.withdrawn} withdrawn"
    )
    if bind is not None:
        print(_binding(args.chat, result))
    return 0


def _binding(chat: str, result: ImportResult) -> str:
    """Say which club the thread now belongs to, and whether it moved from another."""
    line = f"thread {chat} bound to club {result.slug}"
    if result.chat_was == result.slug:
        return f"{line} (already)"
    if result.chat_was:
        return f"{line} (moved from club {result.chat_was})"
    return line


def _fresh_sqlite(url: str) -> bool:
    """The demo starts from an empty ledger; it only ever deletes its own file."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite:///:memory:":
        return True
    path = Path(url[len(prefix) :])
    if path.exists() and path.name != DEMO_FILE:
        print(
            f"orderbot: {path} exists; the demo needs a new file (or {DEMO_FILE})", file=sys.stderr
        )
        return False
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return True


if __name__ == "__main__":
    sys.exit(main())
