"""WhatsApp and SMS members through Twilio: signed webhooks in, a fake Twilio REST API out."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import uvicorn
from helpers.fake_twilio import FakeTwilio, signed
from sqlmodel import Session, select

from bot.announce import Announcement
from bot.app import App, build_app
from bot.replay import final_orders
from bot.server import Service
from bot.settings import Settings
from bot.transports import configured_transports
from bot.whatsapp import contacts
from bot.whatsapp.sender import split_body
from bot.whatsapp.transport import TwilioTransport
from orders import inbox, outbox
from orders.inbox import InboxRow
from orders.models import ClubRole, Member
from schedules.clock import FixedClock

FIXTURES = Path(__file__).parent / "fixtures"
PUBLIC = "https://bot.example.org"
CLUB_WA = "whatsapp:+14155238886"
CLUB_SMS = "+33757000000"
LAURE = "whatsapp:+33611111111"
KARIM = "whatsapp:+33622222222"
PATRICK = "whatsapp:+33633333333"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
CLUBS_YAML = f"""
clubs:
  poisson-montsouris:
    code: poisson
    whatsapp: "{CLUB_WA}"
    sms: "{CLUB_SMS}"
    templates:
      opening:
        content_sid: HX11111111111111111111111111111111
        variables: {{"1": club, "2": bag}}
      last_call:
        content_sid: HX22222222222222222222222222222222
        variables: {{"1": club, "2": closes}}
"""


class Bot:
    """The running transport, driven one webhook at a time."""

    def __init__(self, app: App, fake: FakeTwilio, clock: FixedClock) -> None:
        self.app, self.fake, self.clock = app, fake, clock
        self.transport = TwilioTransport(app)
        self.service = Service(app, [self.transport])
        asyncio.run(self.transport.start(self.service))
        self.count = 0
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self.service.web(), log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]})
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        self.http = requests.Session()

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join()
        self.http.close()

    def raw_post(self, path: str, form: dict[str, str], headers: dict[str, str]) -> int:
        return self.http.post(self.base + path, data=form, headers=headers).status_code

    def post(self, path: str, form: dict[str, str], *, sign_url: str | None = None) -> int:
        headers = signed(self.fake.auth_token, sign_url or PUBLIC + path, form)
        return self.raw_post(path, form, headers)

    def say(
        self, text: str, sender: str = LAURE, *, sid: str | None = None, name: str = "Laure"
    ) -> list[dict[str, str]]:
        """A member's message: webhook, inbox, core, outbox; returns what Twilio was asked."""
        self.count += 1
        channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
        form = {
            "MessageSid": sid or f"SM{self.count:032d}",
            "AccountSid": self.fake.account_sid,
            "From": sender,
            "To": CLUB_WA if channel == "whatsapp" else CLUB_SMS,
            "Body": text,
            "NumMedia": "0",
            "ProfileName": name,
        }
        assert self.post(f"/twilio/{channel}", form) == 200
        self.clock.advance(seconds=30)
        return self.run()

    def run(self) -> list[dict[str, str]]:
        before = len(self.fake.sent)
        asyncio.run(self.service.inbox.run_once())
        for _ in range(3):
            asyncio.run(self.service.outbox.run_once())
            self.clock.advance(seconds=1)
        return self.fake.sent[before:]

    def member(self, address: str) -> str:
        """The opaque member id the bot gave a sender."""
        channel = "whatsapp" if address.startswith("whatsapp:") else "sms"
        with self.app.engine.connect() as conn:
            contact = contacts.by_address(conn, channel, address)
        assert contact is not None
        return contact.author_id

    def organiser(self, address: str) -> None:
        """A member who joins, then is made an organiser of the club."""
        self.say("JOIN poisson", sender=address, name="Patrick")
        with Session(self.app.engine) as session:
            session.add(ClubRole(club_id=1, user_ref=self.member(address), role="organiser"))
            session.commit()

    def orders(self) -> dict[str, dict[str, int | float]]:
        return final_orders(self.app, self.club_id)

    @property
    def club_id(self) -> int:
        return 1


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    server = FakeTwilio().start()
    yield server
    server.stop()


def _make_bot(database_url: str, fake: FakeTwilio, tmp_path: Path) -> Bot:
    clubs = tmp_path / "twilio-clubs.yaml"
    clubs.write_text(CLUBS_YAML, encoding="utf-8")
    settings = Settings(
        database_url=database_url,
        public_url=PUBLIC,
        twilio_account_sid=fake.account_sid,
        twilio_auth_token=fake.auth_token,
        twilio_api_base_url=fake.url,
        twilio_clubs=str(clubs),
    )
    clock = FixedClock(START)
    app = build_app(settings, clock=clock)
    app.import_catalog(FIXTURES / "fish-club" / "catalog.yaml", slug="poisson-montsouris")
    return Bot(app, fake, clock)


@pytest.fixture
def bot(tmp_path: Path, fake: FakeTwilio) -> Iterator[Bot]:
    driver = _make_bot(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", fake, tmp_path)
    yield driver
    driver.close()
    driver.app.close()


def _texts(sent: list[dict[str, str]]) -> list[str]:
    return [m.get("Body", m.get("ContentSid", "")) for m in sent]


def test_a_member_joins_orders_changes_and_cancels(bot: Bot) -> None:
    hint = bot.say("bonjour, 2 kg de moules")
    assert [m["To"] for m in hint] == [LAURE] and "JOIN" in hint[0]["Body"]
    assert bot.orders() == {}

    welcome = bot.say("JOIN poisson")
    assert welcome[0]["From"] == CLUB_WA and "Bienvenue" in welcome[0]["Body"]

    laure = bot.member(LAURE)
    assert laure.startswith("wa-") and "611111111" not in laure
    replies = bot.say("2 kg de moules et une douzaine d'huîtres")
    assert bot.orders() == {laure: {"moules": 2, "huitres-n3": 1}}
    assert len(replies) == 1 and replies[0]["To"] == LAURE

    bot.say("finalement 3 kg de moules")
    assert bot.orders()[laure]["moules"] == 3

    shown = bot.say("MA COMMANDE")
    assert "moules 3 kg" in shown[0]["Body"]
    bot.say("ANNULER")
    assert bot.orders().get(laure, {}) == {}
    assert "AIDE" in welcome[0]["Body"] and bot.say("aide")


def test_stop_means_no_message_at_all_until_start(bot: Bot) -> None:
    bot.say("JOIN poisson-montsouris")
    confirmation = bot.say("STOP")
    assert len(confirmation) == 1 and "START" in confirmation[0]["Body"]

    laure = bot.member(LAURE)
    assert bot.say("2 kg de moules") == []  # counted, but no reply
    assert bot.orders() == {laure: {"moules": 2}}
    bot.clock.advance(hours=30)  # outside the window: a template would be used
    with bot.app.engine.begin() as conn:
        bot.app.announcers(conn, _opening(), bot.clock.now())
    assert bot.run() == []
    assert bot.say("STOP") == []  # no second confirmation

    back = bot.say("START")
    assert len(back) == 1 and "Fish club" in back[0]["Body"]
    assert len(bot.say("1 kg de bulots")) == 1


def test_forged_and_unsigned_webhooks_get_403_and_change_nothing(bot: Bot) -> None:
    form = {"MessageSid": "SMforged", "From": LAURE, "To": CLUB_WA, "Body": "JOIN poisson"}
    forged = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    assert bot.raw_post("/twilio/whatsapp", form, forged) == 403
    assert bot.raw_post("/twilio/whatsapp", form, {}) == 403
    wrong_url = "https://evil.example.org/twilio/whatsapp"
    assert bot.post("/twilio/whatsapp", form, sign_url=wrong_url) == 403
    tampered = signed(bot.fake.auth_token, PUBLIC + "/twilio/whatsapp", form)
    changed = {**form, "Body": "JOIN poisson-montsouris"}
    assert bot.raw_post("/twilio/whatsapp", changed, tampered) == 403
    assert (
        bot.post(
            "/twilio/status", {"MessageSid": "SMx", "MessageStatus": "failed"}, sign_url=wrong_url
        )
        == 403
    )
    with bot.app.engine.connect() as conn:
        assert inbox.counts(conn) == {}
    assert bot.run() == []


def test_a_replayed_message_sid_counts_once(bot: Bot) -> None:
    bot.say("JOIN poisson")
    first = bot.say("2 kg de moules", sid="SMdup")
    again = bot.say("2 kg de moules", sid="SMdup")
    assert len(first) == 1 and again == []
    laure = bot.member(LAURE)
    assert bot.orders() == {laure: {"moules": 2}}


def _opening(bags: dict[str, str] | None = None) -> Announcement:
    return Announcement(
        club_id=1,
        kind="opening",
        key="opening:1:1",
        text="Les commandes sont ouvertes !",
        bags=bags or {},
    )


def test_announcements_go_free_form_inside_the_window_and_as_template_outside(bot: Bot) -> None:
    bot.say("JOIN poisson")
    bot.say("JOIN poisson", sender=KARIM, name="Karim")
    laure, karim = bot.member(LAURE), bot.member(KARIM)
    bot.clock.advance(hours=23)
    bot.say("2 kg de moules")  # Laure's window opens again; Karim's closes in 1 h
    bot.clock.advance(hours=2)
    with bot.app.engine.begin() as conn:
        bot.app.announcers(
            conn, _opening({laure: "Votre panier : 2 kg de moules"}), bot.clock.now()
        )
        bot.app.announcers(conn, _opening(), bot.clock.now())  # the job ran twice
    sent = {m["To"]: m for m in bot.run()}
    assert set(sent) == {LAURE, KARIM}
    assert sent[LAURE]["Body"].endswith("Votre panier : 2 kg de moules")
    assert sent[KARIM]["ContentSid"] == "HX11111111111111111111111111111111"
    assert "Body" not in sent[KARIM]
    variables = json.loads(sent[KARIM]["ContentVariables"])
    assert variables == {"1": "Fish club of Montsouris", "2": "-"}
    with bot.app.engine.connect() as conn:
        rows = outbox.rows(conn, kind="opening")
        members = conn.execute(select(Member.user_id, Member.display_name)).all()
    assert sorted(r.chat_id for r in rows) == sorted([laure, karim])
    assert "622222222" not in repr(members) and "611111111" not in repr(members)


def test_a_free_form_refused_with_63016_falls_back_to_the_template(bot: Bot) -> None:
    bot.say("JOIN poisson")
    bot.fake.outside_window.add(LAURE)  # Twilio knows better than our clock
    with bot.app.engine.begin() as conn:
        bot.app.announcers(conn, _opening(), bot.clock.now())
    sent = bot.run()
    assert [m.get("ContentSid") for m in sent] == ["HX11111111111111111111111111111111"]
    assert bot.fake.refused[-1]["Body"] == "Les commandes sont ouvertes !"


def test_a_failed_status_callback_is_recorded_and_organisers_are_told(bot: Bot) -> None:
    bot.organiser(PATRICK)
    bot.say("JOIN poisson")
    sent = bot.say("2 kg de moules")
    sid = sent[0]["Sid"]
    form = {
        "MessageSid": sid,
        "MessageStatus": "undelivered",
        "ErrorCode": "63024",
        "AccountSid": bot.fake.account_sid,
    }
    assert bot.post("/twilio/status", form) == 200
    assert bot.post("/twilio/status", form) == 200  # retried callback: once
    told = bot.run()
    assert [m["To"] for m in told] == [PATRICK]
    assert "Laure" in told[0]["Body"] and "63024" in told[0]["Body"]
    assert LAURE.split(":")[1] not in told[0]["Body"]
    with bot.app.engine.connect() as conn:
        assert contacts.message_status(conn, sid) == ("undelivered", "63024")
        assert outbox.rows(conn, status="failed")[0].remote_id == sid


def test_rate_limits_retry_and_refusals_fail(bot: Bot) -> None:
    bot.organiser(PATRICK)
    bot.say("JOIN poisson")
    bot.fake.script.append((429, 20429))
    sent = bot.say("2 kg de moules")  # 429 first, then the retry after the backoff
    assert len(bot.fake.refused) == 1 and len(sent) == 1
    assert bot.run() == []  # never twice
    bot.fake.script.append((400, 21211))
    told = bot.say("1 kg de bulots")  # refused for good: Laure's reply is not retried
    assert [m["To"] for m in told] == [PATRICK] and "21211" in told[0]["Body"]
    assert bot.run() == []


def test_the_supplier_order_goes_free_form_in_parts(bot: Bot) -> None:
    text = "\n".join(f"{n} kg de moules pour la ligne {n}" for n in range(1, 120))
    assert len(text) > 3200
    with bot.app.engine.begin() as conn:
        outbox.enqueue(
            conn,
            platform="whatsapp",
            chat_id="+33644444444",
            club_id=1,
            kind="supplier_order",
            text=text,
            dedupe_key="supplier_order:1:1:whatsapp",
            now=bot.clock.now(),
        )
    sent = bot.run()
    assert {m["To"] for m in sent} == {"whatsapp:+33644444444"}
    assert {m["From"] for m in sent} == {CLUB_WA}
    assert len(sent) == 3 and all(len(m["Body"]) <= 1600 for m in sent)
    assert "\n".join(m["Body"] for m in sent) == text


def test_sms_members_use_the_sms_number(bot: Bot) -> None:
    welcome = bot.say("JOIN poisson", sender="+33655555555")
    assert welcome[0]["From"] == CLUB_SMS and welcome[0]["To"] == "+33655555555"
    sms_id = bot.member("+33655555555")
    bot.say("1 kg de bulots", sender="+33655555555")
    assert bot.orders() == {sms_id: {"bulots": 1}}


def test_split_body_keeps_every_character() -> None:
    text = "x" * 4000
    assert [len(p) for p in split_body(text)] == [1600, 1600, 800]
    assert split_body("court") == ["court"]


def test_twilio_is_served_only_when_configured(tmp_path: Path, fake: FakeTwilio) -> None:
    url = f"sqlite:///{tmp_path / 'l.sqlite3'}"
    bare = build_app(Settings(database_url=url))
    assert configured_transports(bare) == []
    bare.close()
    app = build_app(
        Settings(
            database_url=url,
            twilio_account_sid=fake.account_sid,
            twilio_auth_token=fake.auth_token,
        )
    )
    assert [t.name for t in configured_transports(app)] == ["twilio"]
    assert "whatsapp" in app.router and "whatsapp" in app.announcers
    app.close()


def _status(bot: Bot, sid: str, status: str, code: str = "") -> int:
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": bot.fake.account_sid}
    if code:
        form["ErrorCode"] = code
    return bot.post("/twilio/status", form)


def test_an_undelivered_63016_callback_sends_the_template_instead(bot: Bot) -> None:
    bot.say("JOIN poisson")
    with bot.app.engine.begin() as conn:
        bot.app.announcers(conn, _opening(), bot.clock.now())
    free_form = bot.run()
    assert "Body" in free_form[0]
    assert _status(bot, free_form[0]["Sid"], "undelivered", "63016") == 200
    template = bot.run()
    assert [m.get("ContentSid") for m in template] == ["HX11111111111111111111111111111111"]
    assert [m["To"] for m in template] == [LAURE]


def test_statuses_arriving_out_of_order_keep_the_latest_stage(bot: Bot) -> None:
    bot.say("JOIN poisson")
    sid = bot.say("2 kg de moules")[0]["Sid"]
    for status in ("delivered", "sent", "queued"):
        assert _status(bot, sid, status) == 200
    assert _status(bot, "SMnot-ours", "failed", "30003") == 200
    assert bot.run() == []
    with bot.app.engine.connect() as conn:
        assert contacts.message_status(conn, sid) == ("delivered", "")
        assert contacts.message_status(conn, "SMnot-ours") is None


def test_bad_input_gets_a_polite_answer(bot: Bot) -> None:
    unknown = bot.say("JOIN nulle-part")
    assert "nulle-part" in unknown[0]["Body"] and bot.orders() == {}
    bot.say("JOIN poisson")
    refused = bot.say("/fermer")  # an organiser command from a member: refused, not run
    assert len(refused) == 1 and "organisateurs" in refused[0]["Body"]
    assert bot.say("") == []  # an empty body (a photo alone) changes nothing
    [too_long] = bot.say("moules " * 5000)  # 35,000 characters: answered, not read
    assert "trop long" in too_long["Body"] and bot.orders() == {}
    assert len(bot.say("2 kg de moules")) == 1  # the week is still open
    assert bot.orders()[bot.member(LAURE)] == {"moules": 2}


POSTGRES_URL = os.environ.get(
    "ORDERBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.mark.postgres
def test_join_order_stop_and_a_failed_status_on_postgresql(
    tmp_path: Path, fake: FakeTwilio
) -> None:
    from helpers.postgres import empty_postgres

    empty_postgres(POSTGRES_URL)
    bot = _make_bot(POSTGRES_URL, fake, tmp_path)
    try:
        bot.organiser(PATRICK)
        assert "Bienvenue" in bot.say("JOIN poisson")[0]["Body"]
        sent = bot.say("2 kg de moules", sid="SMpg")
        assert bot.say("2 kg de moules", sid="SMpg") == []
        laure = bot.member(LAURE)
        assert bot.orders() == {laure: {"moules": 2}}
        assert _status(bot, sent[0]["Sid"], "failed", "30008") == 200
        assert [m["To"] for m in bot.run()] == [PATRICK]
        bot.say("STOP")
        assert bot.say("ANNULER") == []
        assert bot.orders().get(laure, {}) == {}
    finally:
        bot.close()
        bot.app.close()


def test_each_sender_number_keeps_to_its_rate(bot: Bot) -> None:
    bot.say("JOIN poisson", sender="+33655555555")  # SMS: 1 message per second
    sms = next(s for s in bot.transport.senders() if s.platform == "sms")
    member = bot.member("+33655555555")
    with bot.app.engine.begin() as conn:
        for n in range(3):
            outbox.enqueue(
                conn, platform="sms", chat_id=member, club_id=1, text=f"n{n}", now=bot.clock.now()
            )
    with bot.app.engine.connect() as conn:
        _first, *rest = outbox.rows(conn, status="pending")
    asyncio.run(bot.service.outbox.run_once())  # one goes; the number's budget is spent
    assert [m["Body"] for m in bot.fake.sent[-1:]] == ["n0"]
    assert sms.delay(rest[0], bot.clock.now()) == pytest.approx(1.0)
    bot.clock.advance(seconds=1)
    assert sms.delay(rest[0], bot.clock.now()) == 0
    asyncio.run(bot.service.outbox.run_once())
    assert [m["Body"] for m in bot.fake.sent[-2:]] == ["n0", "n1"]


def test_orderbot_serve_answers_a_member_through_twilio(tmp_path: Path, fake: FakeTwilio) -> None:
    """The real command: a signed webhook in, the welcome out through the fake REST API."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clubs = tmp_path / "twilio-clubs.yaml"
    clubs.write_text(CLUBS_YAML, encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    setup = build_app(Settings(database_url=database))
    setup.import_catalog(FIXTURES / "fish-club" / "catalog.yaml", slug="poisson-montsouris")
    setup.close()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "ORDERBOT_PORT": str(port),
        "ORDERBOT_PUBLIC_URL": PUBLIC,
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_API_BASE_URL": fake.url,
        "ORDERBOT_TWILIO_CLUBS": str(clubs),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    form = {"MessageSid": "SMserve", "From": LAURE, "To": CLUB_WA, "Body": "JOIN poisson"}
    headers = signed(fake.auth_token, PUBLIC + "/twilio/whatsapp", form)
    url = f"http://127.0.0.1:{port}/twilio/whatsapp"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.post(url, data=form, headers=headers, timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert answer.status_code == 200 and "<Response>" in answer.text
        assert requests.post(url, data=form, timeout=2).status_code == 403
        while not fake.sent and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert [(m["To"], m["From"]) for m in fake.sent] == [(LAURE, CLUB_WA)]
    assert "Bienvenue" in fake.sent[0]["Body"]
    assert "Traceback" not in err


def test_a_delivery_handled_again_after_a_crash_answers_once(bot: Bot) -> None:
    form = {"MessageSid": "SMagain", "From": LAURE, "To": CLUB_WA, "Body": "JOIN poisson"}
    row = InboxRow(1, "twilio-whatsapp", "SMagain", json.dumps(form), bot.clock.now(), 0)
    handler = bot.transport.inbox_handlers()["twilio-whatsapp"]
    handler(row)
    handler(row)  # the inbox row was not marked done before the crash
    assert [m["To"] for m in bot.run()] == [LAURE]
