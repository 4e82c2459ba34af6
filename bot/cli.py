"""The `orderbot` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.app import build_app, configure_logging
from bot.settings import Settings, load_settings
from bot.threads import ThreadError
from orders.catalog import CatalogError

DEMO_FILE = "orderbot-demo.sqlite3"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orderbot", description=__doc__)
    parser.add_argument(
        "--log-level",
        help="DEBUG, INFO, WARNING or ERROR (default: WARNING for demo, console and replay)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--log-level", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
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
        "replay", parents=[common], help="replay a thread file and print the final orders"
    )
    replay.add_argument("--catalog", type=Path, required=True)
    replay.add_argument("--thread", type=Path, required=True)
    replay.add_argument("--format", choices=("json", "text"), default="json")
    replay.add_argument(
        "--explain",
        action="store_true",
        help="print each message with the bot's decision: ledger change, question, or why "
        "it is not an order",
    )
    replay.add_argument(
        "--database", default="sqlite://", help="ledger URL (default: an empty in-memory SQLite)"
    )
    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="run the bot: webhooks, polling, the inbox and the outbox (SIGTERM stops it)",
    )
    serve.add_argument("--database", help="ledger URL (default: DATABASE_URL)")
    catalog = sub.add_parser("catalog", parents=[common], help="manage a club's catalogue")
    catalog_sub = catalog.add_subparsers(dest="action", required=True)
    imp = catalog_sub.add_parser(
        "import", parents=[common], help="create or update a club from a catalogue file"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--club", help="club slug (default: from the club's name)")
    imp.add_argument("--chat", help="bind a thread, as PLATFORM:CHAT_ID (e.g. telegram:-1001)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `orderbot` command."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (CatalogError, ThreadError) as exc:
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


def _settings(args: argparse.Namespace, database: str | None) -> Settings:
    overrides: dict[str, object] = {}
    if database:
        overrides["database_url"] = database
    if args.log_level:
        overrides["log_level"] = args.log_level
    settings = load_settings(**overrides)
    configure_logging(
        args.log_level or ("INFO" if args.command in ("catalog", "serve") else "WARNING")
    )
    return settings


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from bot.demo import run_demo

        if not _fresh_sqlite(args.database):
            return 2
        app = build_app(_settings(args, args.database))
        print(f"orderbot demo — ledger: {app.settings.database_url}")
        return run_demo(app, sys.stdout)
    if args.command == "console":
        return _console(args)
    if args.command == "replay":
        return _replay(args)
    if args.command == "serve":
        return _serve(args)
    return _import(args)


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
    asyncio.run(service.run())
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
    return 0


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
