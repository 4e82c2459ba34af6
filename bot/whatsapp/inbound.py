"""A Twilio message webhook, recorded in the inbox, becomes a core message (or a JOIN/STOP/START).

JOIN, STOP and START are about the channel, not the order, so they are handled
here; everything else goes to the core as an :class:`InboundMessage` of the
member's one-to-one chat (chat id = author id), with the words members type on
WhatsApp (``MA COMMANDE``, ``ANNULER``, ``AIDE``) mapped to the core's commands.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bot.app import App
from bot.whatsapp import contacts
from bot.whatsapp.config import TwilioClubs
from orders import outbox
from orders.messages import InboundMessage
from orders.models import Club, ClubChat
from orders.outbox import outbox_t

_club_t = Club.__table__  # type: ignore[attr-defined]
_chat_t = ClubChat.__table__  # type: ignore[attr-defined]

STOP_WORDS = {
    "stop",
    "stopall",
    "unsubscribe",
    "arret",
    "arrêt",
    "arreter",
    "arrêter",
    "end",
    "quit",
    "cancel all",
}
START_WORDS = {"start", "unstop", "subscribe", "yes", "reprendre"}
COMMAND_WORDS = {
    "ma commande": "/commande",
    "ma cde": "/commande",
    "my order": "/commande",
    "annuler": "/annuler",
    "annule": "/annuler",
    "cancel": "/annuler",
    "aide": "/aide",
    "help": "/aide",
    "catalogue": "/catalogue",
    "catalog": "/catalogue",
}
_JOIN = re.compile(r"^\s*(?:join|rejoindre)\s+(\S+)\s*$", re.IGNORECASE)

TEXTS = {
    "fr": {
        "joined": "Bienvenue dans {club} ! Écrivez votre commande (ex. « 2 kg de moules »). "
        "MA COMMANDE pour la revoir, ANNULER pour l'annuler, AIDE pour l'aide, "
        "STOP pour ne plus recevoir de messages.",
        "unknown_club": "Je ne connais pas de club « {code} ». Vérifiez le code donné par "
        "les organisateurs : JOIN <code>.",
        "not_joined": "Bonjour ! Pour commander, écrivez JOIN suivi du code de votre club "
        "(donné par les organisateurs).",
        "stopped": "C'est noté : vous ne recevrez plus de messages. Écrivez START pour revenir.",
        "started": "Re-bonjour ! Vous recevez de nouveau les messages de {club}.",
    },
    "en": {
        "joined": 'Welcome to {club}! Write your order (e.g. "2 kg of mussels"). '
        "MY ORDER to see it, CANCEL to cancel it, HELP for help, STOP to get no more messages.",
        "unknown_club": 'I know no club "{code}". Check the code your organisers gave you: '
        "JOIN <code>.",
        "not_joined": "Hello! To order, write JOIN and your club's code (from your organisers).",
        "stopped": "Done: you will get no more messages. Write START to come back.",
        "started": "Welcome back! You will get {club}'s messages again.",
    },
}


def keyword(text: str) -> str:
    return " ".join(text.lower().split()).strip(" .!")


def handle_message(
    app: App, clubs: TwilioClubs, platform: str, payload: str, received_at: datetime
) -> None:
    """Handle one recorded Twilio message webhook (``payload``: its form fields as JSON)."""
    form: dict[str, str] = json.loads(payload)
    address, via = form.get("From", ""), form.get("To", "")
    if not address:
        return
    text = form.get("Body", "") or ""
    word = keyword(text)
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    with app.engine.begin() as conn:
        contact = contacts.seen(conn, platform=platform, address=address, via=via, now=received_at)
        say = _Sayer(conn, sid, received_at)
        if word in STOP_WORDS:
            _stop(conn, contact, say)
            return
        if word in START_WORDS and contact.opted_out:
            contacts.opt(conn, contact, out=False)
            say(contact, "started")
            return
        joined = _JOIN.match(text)
        if joined is not None:
            _join(conn, clubs, contact, joined.group(1), say)
            return
        if contact.club_id is None:
            say(contact, "not_joined")
            return
    name = form.get("ProfileName") or f"{platform.upper()} …{address[-2:]}"
    app.bot.handle(
        InboundMessage(
            platform=platform,
            chat_id=contact.author_id,
            message_id=sid,
            author_id=contact.author_id,
            author_name=name,
            text=COMMAND_WORDS.get(word, text),
            sent_at=received_at,
        )
    )


def _join(
    conn: Connection, clubs: TwilioClubs, contact: contacts.Contact, code: str, say: _Sayer
) -> None:
    slug = clubs.by_code(code) or code.lower()
    club = conn.execute(select(_club_t.c.id, _club_t.c.name).where(_club_t.c.slug == slug)).first()
    if club is None:
        say(contact, "unknown_club", code=code[:40])
        return
    contacts.join(conn, contact, club.id)
    contact = contacts.find(conn, contact.platform, contact.author_id) or contact
    _bind(conn, club.id, contact)
    say(contact, "joined", club=club.name)


def _bind(conn: Connection, club_id: int, contact: contacts.Contact) -> None:
    """The member's one-to-one chat becomes one of the club's threads (announcements reach it)."""
    where = (_chat_t.c.platform == contact.platform, _chat_t.c.chat_id == contact.author_id)
    if conn.execute(select(_chat_t.c.id).where(*where)).first() is None:
        conn.execute(
            insert(_chat_t).values(
                club_id=club_id, platform=contact.platform, chat_id=contact.author_id
            )
        )
    else:
        conn.execute(update(_chat_t).where(*where).values(club_id=club_id))


def _stop(conn: Connection, contact: contacts.Contact, say: _Sayer) -> None:
    """Opt out: confirm once, and drop whatever was still queued for them."""
    if not contact.opted_out:
        say(contact, "stopped")
    contacts.opt(conn, contact, out=True)
    queued = conn.execute(
        select(outbox_t.c.id).where(
            outbox_t.c.platform == contact.platform,
            outbox_t.c.chat_id == contact.author_id,
            outbox_t.c.status == outbox.PENDING,
            outbox_t.c.kind != "optout",
        )
    ).scalars()
    for item_id in list(queued):
        outbox.mark_failed(conn, item_id, say.now, "opted out (STOP)")


class _Sayer:
    """Queues the channel's own answers (welcome, opt-out...), once per Twilio message."""

    def __init__(self, conn: Connection, sid: str, now: datetime) -> None:
        self.conn, self.sid, self.now = conn, sid, now

    def __call__(self, contact: contacts.Contact, what: str, **values: str) -> None:
        locale, name = "fr", ""
        if contact.club_id is not None:
            found = self.conn.execute(
                select(_club_t.c.locale, _club_t.c.name).where(_club_t.c.id == contact.club_id)
            ).first()
            if found is not None:
                locale, name = found
        text = TEXTS.get(locale, TEXTS["fr"])[what].format(**{"club": name, **values})
        outbox.enqueue(
            self.conn,
            platform=contact.platform,
            chat_id=contact.author_id,
            club_id=contact.club_id,
            text=text,
            kind="optout" if what == "stopped" else "info",
            priority=outbox.PRIORITY_REPLY,
            now=self.now,
            # a delivery handled again after a crash answers once
            dedupe_key=f"twilio:{self.sid}:{what}" if self.sid else None,
        )
