"""What the bot queues for WhatsApp and SMS members: replies, announcements, failure reports.

All three honour the opt-out list (a contact who sent STOP gets nothing) and
write outbox rows only; the sender decides at send time between a free-form
message and the club's Content template, since the 24-hour window may have
opened or closed meanwhile.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.announce import Announcement, Announcer
from bot.delivery import FailureHook
from bot.outbound import Policy, priority_of
from bot.whatsapp import contacts
from bot.whatsapp.config import TwilioClubs
from orders import outbox
from orders.messages import InboundMessage, Outcome
from orders.models import Club, ClubRole
from orders.outbox import OutboxRow

_club_t = Club.__table__  # type: ignore[attr-defined]
_role_t = ClubRole.__table__  # type: ignore[attr-defined]


def reply_policy(platform: str) -> Policy:
    """One message per reply, to the member's own chat, unless they opted out."""

    def policy(conn: Connection, message: InboundMessage, outcome: Outcome) -> None:
        if not contacts.may_receive(conn, platform, message.chat_id):
            return
        club_id = _club_id(conn, outcome.club)
        for reply in outcome.replies:
            outbox.enqueue(
                conn,
                platform=platform,
                chat_id=reply.chat_id,
                club_id=club_id,
                text=reply.text,
                kind=reply.kind,
                reply_to=reply.reply_to,
                priority=priority_of(reply),
                now=message.sent_at,
            )

    return policy


def announcer(platform: str, clubs: TwilioClubs) -> Announcer:
    """Each opted-in member gets the text and their bag; the template rides along for later."""

    def announce(conn: Connection, chat_id: str, item: Announcement, now: datetime) -> None:
        if not contacts.may_receive(conn, platform, chat_id):
            return
        slug, name = conn.execute(
            select(_club_t.c.slug, _club_t.c.name).where(_club_t.c.id == item.club_id)
        ).one()
        bag = item.bags.get(chat_id, "")
        text = f"{item.text}\n\n{bag}" if bag else item.text
        payload: dict[str, Any] = {}
        template = clubs.get(slug).templates.get(item.kind)
        if template is not None:
            values = {**item.variables, "text": item.text, "bag": bag or "-", "club": name}
            payload["template"] = {
                "content_sid": template.content_sid,
                "variables": template.values(values),
            }
        outbox.enqueue(
            conn,
            platform=platform,
            chat_id=chat_id,
            club_id=item.club_id,
            text=text,
            kind=item.kind,
            payload=payload,
            priority=outbox.PRIORITY_BULK,
            now=now,
            dedupe_key=f"{item.key}:{platform}:{chat_id}",
        )

    return announce


_REPORT = {
    "fr": "⚠️ Un message du bot ({kind}) n'a pas pu être remis à {who} : {why}",
    "en": "⚠️ A message of the bot ({kind}) could not be delivered to {who}: {why}",
}


def organiser_reporter(platform: str) -> FailureHook:
    """Tell the club's organisers who are contacts on this channel (never every member)."""

    def report(conn: Connection, row: OutboxRow, reason: str, now: datetime) -> None:
        if row.club_id is None or reason.startswith("opted out"):
            return
        locale = conn.execute(select(_club_t.c.locale).where(_club_t.c.id == row.club_id)).scalar()
        refs = conn.execute(
            select(_role_t.c.user_ref).where(
                _role_t.c.club_id == row.club_id, _role_t.c.role == "organiser"
            )
        ).scalars()
        who = _member_name(conn, row) if row.kind != "supplier_order" else "le fournisseur"
        text = _REPORT.get(locale or "fr", _REPORT["fr"]).format(
            kind=row.kind, who=who, why=reason[:200]
        )
        for ref in refs:
            author_id = ref.removeprefix(f"{platform}:")
            if author_id == row.chat_id or not contacts.may_receive(conn, platform, author_id):
                continue
            outbox.enqueue(
                conn,
                platform=platform,
                chat_id=author_id,
                club_id=row.club_id,
                kind="report",
                text=text,
                dedupe_key=f"report:{row.id}:{author_id}",
                priority=outbox.PRIORITY_REPLY,
                now=now,
            )

    return report


def _member_name(conn: Connection, row: OutboxRow) -> str:
    from orders.models import Member

    member_t = Member.__table__  # type: ignore[attr-defined]
    name = conn.execute(
        select(member_t.c.display_name).where(
            member_t.c.club_id == row.club_id, member_t.c.user_id == row.chat_id
        )
    ).scalar()
    return name or row.chat_id


def _club_id(conn: Connection, slug: str) -> int | None:
    if not slug:
        return None
    return conn.execute(select(_club_t.c.id).where(_club_t.c.slug == slug)).scalar()
