"""`orderbot import-whatsapp EXPORT --club CLUB [--dry-run] [--format json|text]`."""

from __future__ import annotations

import argparse
import json
import sys

from bot.app import build_app
from bot.settings import Settings
from bot.whatsapp.export import ExportError, iter_json, parse_export, read_export_text
from bot.whatsapp.importer import UnknownClub, import_export, terminal_progress


def import_whatsapp(args: argparse.Namespace, settings: Settings) -> int:
    """Preview (``--dry-run``) or import an export; report what was done and skipped."""
    try:
        parsed = parse_export(read_export_text(args.export))
    except ExportError as exc:
        print(f"orderbot: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        for item in iter_json(parsed):
            if args.format == "json":
                print(json.dumps(item, ensure_ascii=False))
            elif "ts" in item:
                print(f"{item['ts']}  {item['author']}: {item['text']}")
        if args.format == "text":
            print(f"{len(parsed.messages)} messages, {parsed.system_lines} system lines skipped")
        return 0
    app = build_app(settings)
    try:
        report = import_export(app, parsed.messages, args.club, progress=terminal_progress())
    except UnknownClub:
        print(
            f"orderbot: no club '{args.club}' in the ledger "
            "(create it with `orderbot catalog import`)",
            file=sys.stderr,
        )
        return 2
    finally:
        app.close()
    report.skipped["system line (joins, group changes, encryption notice)"] += parsed.system_lines
    if parsed.orphan_lines:
        report.skipped["text before the first dated line"] += parsed.orphan_lines
    if args.format == "json":
        print(
            json.dumps(
                {
                    "imported": report.imported,
                    "edits": report.edits,
                    "already": report.already,
                    "skipped": dict(report.skipped),
                    "kinds": dict(report.kinds),
                },
                ensure_ascii=False,
            )
        )
    else:
        print("\n".join(report.lines()))
    return 0
