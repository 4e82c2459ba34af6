"""Feeding a WhatsApp group's chat export through the pipeline, as a replayed thread.

Message ids come from what the export shows and nothing else: the minute (or
second) a message was sent, its author, and its rank among that author's
messages of that instant. Importing the same export again, or a later export
that overlaps it, finds every message already in the ledger and counts nothing
twice. A message the later export shows edited (or deleted) is handed to the
core as an edit of the first import's message, so the order follows.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from bot.app import App
from bot.whatsapp.export import ExportMessage
from orders import ledger
from orders.catalog import bind_chat
from orders.messages import InboundMessage
from orders.models import Club, InboundRecord

PLATFORM = "whatsapp-export"
BATCH = 500
_PHONE = re.compile(r"^\+?[\d\s().\-]{7,}$")

Progress = Callable[[int, int], None]


class UnknownClub(LookupError):
    """``--club`` names no club in the ledger."""


@dataclass
class ImportReport:
    """What an import did with each message of the export."""

    imported: int = 0
    already: int = 0
    edits: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = [
            f"{self.imported} messages imported ({self.edits} as edits of earlier imports)",
            f"{self.already} already in the ledger (an earlier import), not counted again",
        ]
        out += [f"{n} skipped: {why}" for why, n in sorted(self.skipped.items())]
        if self.kinds:
            out.append("read as: " + ", ".join(f"{k} {n}" for k, n in self.kinds.most_common()))
        return out


def chat_id_for(slug: str) -> str:
    return f"export-{slug}"


def author_id_for(name: str) -> str:
    """A stable member id from the name the export shows (a contact's name or a number)."""
    key = re.sub(r"\s+", " ", name).strip().casefold()
    return "wx-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def shown_name(name: str) -> str:
    """The name kept in the ledger; a bare phone number keeps only its last two digits."""
    if _PHONE.match(name):
        digits = re.sub(r"\D", "", name)
        return f"…{digits[-2:]}"
    return name


def message_ids(messages: Sequence[ExportMessage]) -> Iterator[tuple[ExportMessage, str]]:
    """Each message with its id: timestamp + author + rank of that (timestamp, author)."""
    rank: Counter[tuple[datetime, str]] = Counter()
    for message in messages:
        pair = (message.ts, message.author)
        rank[pair] += 1
        raw = f"{message.ts.isoformat()}|{message.author}|{rank[pair]}"
        yield message, "wx-" + hashlib.sha256(raw.encode()).hexdigest()[:24]


def import_export(
    app: App,
    messages: Sequence[ExportMessage],
    club_slug: str,
    *,
    progress: Progress | None = None,
) -> ImportReport:
    """Bind the club's export thread and hand every message to the core, in batches."""
    with Session(app.engine) as session:
        club = session.exec(select(Club).where(Club.slug == club_slug)).first()
        if club is None or club.id is None:
            raise UnknownClub(club_slug)
        zone = ZoneInfo(club.timezone or "UTC")
        chat_id = chat_id_for(club.slug)
        bind_chat(session, club.id, PLATFORM, chat_id)
    report = ImportReport()
    pending: list[InboundMessage] = []
    for done, (message, message_id) in enumerate(message_ids(messages), start=1):
        inbound = _inbound(app, message, message_id, chat_id, zone, report)
        if inbound is not None:
            pending.append(inbound)
        if len(pending) >= BATCH:
            _flush(app, pending, report)
        if progress is not None and (done % 250 == 0 or done == len(messages)):
            progress(done, len(messages))
    _flush(app, pending, report)
    return report


def _inbound(
    app: App,
    message: ExportMessage,
    message_id: str,
    chat_id: str,
    zone: ZoneInfo,
    report: ImportReport,
) -> InboundMessage | None:
    base = InboundMessage(
        platform=PLATFORM,
        chat_id=chat_id,
        message_id=message_id,
        author_id=author_id_for(message.author),
        author_name=shown_name(message.author),
        text=message.text,
        sent_at=message.ts.replace(tzinfo=zone),
    )
    if not (message.edited or message.deleted):
        if message.media and not message.text:
            report.skipped["media without a caption"] += 1
            return None
        return base
    with app.engine.connect() as conn:
        known = ledger.find_record(conn, PLATFORM, chat_id, message_id)
    if known is None:
        if message.deleted:
            report.skipped["deleted before the export"] += 1
            return None
        return base  # first seen already edited: its final text is all there is
    if known.text == message.text:
        report.already += 1
        return None
    digest = hashlib.sha256(message.text.encode()).hexdigest()[:8]
    return InboundMessage(
        platform=PLATFORM,
        chat_id=chat_id,
        message_id=f"{message_id}~{digest}",
        author_id=base.author_id,
        author_name=base.author_name,
        text=message.text,
        sent_at=base.sent_at,
        edit_of=message_id,
    )


def _flush(app: App, pending: list[InboundMessage], report: ImportReport) -> None:
    """Hand a batch to the core, leaving out what an earlier import already brought.

    The core would refuse those anyway; leaving them out keeps a re-import's batch
    whole (one commit) instead of falling back to one message at a time.
    """
    if not pending:
        return
    known = _known_ids(app, pending)
    report.already += sum(m.message_id in known for m in pending)
    pending[:] = [m for m in pending if m.message_id not in known]
    for message, outcome in zip(pending, app.bot.handle_batch(pending), strict=True):
        if outcome.duplicate:
            report.already += 1
        else:
            report.imported += 1
            report.edits += message.edit_of is not None
            report.kinds[outcome.kind] += 1
    pending.clear()


def _known_ids(app: App, batch: Sequence[InboundMessage]) -> set[str]:
    record_t = InboundRecord.__table__  # type: ignore[attr-defined]
    with app.engine.connect() as conn:
        return set(
            conn.execute(
                sa_select(record_t.c.message_id).where(
                    record_t.c.platform == PLATFORM,
                    record_t.c.chat_id == batch[0].chat_id,
                    record_t.c.message_id.in_([m.message_id for m in batch]),
                )
            ).scalars()
        )


def terminal_progress(stream: TextIO = sys.stderr) -> Progress | None:
    """A one-line progress bar when ``stream`` is a terminal, else nothing."""
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} messages")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show
