"""The supplier's weekly order: text, CSV and PDF read back, sent by email to a real SMTP server."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.smtp_sink import SmtpSink
from pypdf import PdfReader
from weekly_helpers import Thread, club_app, weekly_catalog

from bot.delivery import OutboxWorker
from bot.email_transport import EmailTransport
from orders import outbox
from schedules.clock import FixedClock
from suppliers import dispatch
from suppliers.email import SmtpSettings
from suppliers.text import split_text

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def week(tmp_path: Path):  # type: ignore[no-untyped-def]
    clock = FixedClock(NOW)
    app, club_id, _recorder = club_app(tmp_path / "order.sqlite3", clock, weekly_catalog(tmp_path))
    thread = Thread(app, clock)
    thread.say("2 kg de moules et 6 huîtres n°3", author="u-laure")
    thread.say("une dorade et 1,5 kg de moules", author="u-paul", name="Paul Éluard")
    thread.say("3 bars", author="u-zoe", name="Zoé")
    yield app, club_id, thread, clock
    app.close()


def _order(app, club_id):  # type: ignore[no-untyped-def]
    with app.engine.connect() as conn:
        window = dispatch.week_window(conn, club_id)
        return dispatch.build_supplier_order(conn, club_id, window, app.bot.renderer)


def test_the_csv_reads_back_with_one_row_per_member_and_product(week) -> None:  # type: ignore[no-untyped-def]
    app, club_id, _thread, _clock = week
    order = _order(app, club_id)
    assert order.csv.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(order.csv.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["membre", "produit", "code", "quantité", "unité", "prix unitaire", "montant"]
    body = rows[1:]
    by_member: dict[str, list[list[str]]] = {}
    for row in body:
        by_member.setdefault(row[0], []).append(row)
    assert set(by_member) == {"Laure", "Paul Éluard", "Zoé"}
    assert ["Laure", "Moules de bouchot", "moules", "2", "kg", "6,50", "13,00"] in body
    assert ["Paul Éluard", "Moules de bouchot", "moules", "1,5", "kg", "6,50", "9,75"] in body
    total = sum(Decimal(row[6].replace(",", ".")) for row in body)
    assert total == order.weekly.total.quantize(Decimal("0.01"))


def test_the_pdf_has_the_totals_then_one_label_per_bag(week) -> None:  # type: ignore[no-untyped-def]
    app, club_id, _thread, _clock = week
    order = _order(app, club_id)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(order.pdf)).pages]
    assert len(pages) >= 2
    first = pages[0]
    assert "Total par produit" in first
    assert "Moules de bouchot" in first and "3,5 kg" in first
    assert f"{order.weekly.total:.2f}".replace(".", ",") in first.replace("\u202f", " ")
    assert "Retrait" in first and "grange" in first
    rest = "\n".join(pages[1:])
    assert "Liste de colisage" in rest
    for name in ("Laure", "Paul Éluard", "Zoé"):
        assert name in rest
    assert "Laure 18,50 €" in rest and "Zoé 66,00 €" in rest


def test_the_text_has_totals_amounts_and_bags_and_splits_to_a_channel_limit(week) -> None:  # type: ignore[no-untyped-def]
    app, club_id, _thread, _clock = week
    text = _order(app, club_id).text
    assert "Moules de bouchot : 3,5 kg — 22,75 €" in text
    assert "Sacs (3)" in text and "▪ Zoé" in text and "OK" in text
    parts = split_text(text, 120)
    assert all(len(part) <= 120 for part in parts)
    assert "\n".join(parts).replace("\n", "") == text.replace("\n", "")
    assert split_text("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]


def test_the_email_reaches_an_smtp_server_with_csv_and_pdf_attached(week) -> None:  # type: ignore[no-untyped-def]
    app, _club_id, thread, clock = week
    assert "email" in thread.say("/envoyer", author="u-patrick").replies[0].text
    assert "déjà" in thread.say("/envoyer", author="u-patrick").replies[0].text
    with SmtpSink() as sink:
        settings = SmtpSettings(host="127.0.0.1", port=sink.port, starttls=False,
                                from_="club@example.fr")  # fmt: skip
        worker = OutboxWorker(app.engine, EmailTransport(settings).senders(), clock)
        assert asyncio.run(worker.run_once()) == 1
        assert asyncio.run(worker.run_once()) == 0  # sent once
    [message] = sink.messages
    assert sink.envelopes == [("club@example.fr", ["charles@example.fr"])]
    assert "Commande Fish club of Montsouris" in message["Subject"]
    assert "Moules de bouchot" in message.get_body(("plain",)).get_content()
    files = {p.get_filename(): p.get_payload(decode=True) for p in message.iter_attachments()}
    csv_name = next(name for name in files if name.endswith(".csv"))
    pdf_name = next(name for name in files if name.endswith(".pdf"))
    rows = list(csv.reader(io.StringIO(files[csv_name].decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 5
    assert "Liste de colisage" in PdfReader(io.BytesIO(files[pdf_name])).pages[-1].extract_text()
    with app.engine.connect() as conn:
        [row] = [r for r in outbox.rows(conn) if r.kind == "supplier_order"]
    assert row.status == outbox.SENT and row.remote_id
    assert base64.b64decode(row.payload["attachments"][0]["data_b64"]) == files[csv_name]
    # /recap shows it delivered and waiting for the supplier's OK.
    recap = thread.say("/recap", author="u-patrick").replies[0].text
    assert "email livrée" in recap and "pas encore confirmée" in recap


def test_an_unreachable_smtp_server_is_retried_then_the_row_fails(week) -> None:  # type: ignore[no-untyped-def]
    app, _club_id, thread, clock = week
    thread.say("/envoyer", author="u-patrick")
    settings = SmtpSettings(host="127.0.0.1", port=1, starttls=False, from_="club@example.fr")
    worker = OutboxWorker(app.engine, EmailTransport(settings).senders(), clock, max_attempts=1)
    asyncio.run(worker.run_once())  # nothing listens on port 1: retried, then failed
    with app.engine.connect() as conn:
        [row] = [r for r in outbox.rows(conn) if r.kind == "supplier_order"]
    assert row.status == outbox.FAILED


def test_the_supplier_ok_is_recorded_once_and_shown_in_the_recap(week) -> None:  # type: ignore[no-untyped-def]
    app, club_id, thread, _clock = week
    # Before anything was sent, an "OK" from the supplier is ordinary chatter.
    assert thread.say("OK", author="u-charles").replies == []
    thread.say("/envoyer", author="u-patrick")
    thanks = thread.say("Reçu, merci !", author="u-charles")
    assert thanks.kind == "supplier_ok" and "notée" in thanks.replies[0].text
    assert thread.say("ok", author="u-charles").replies == []  # recorded once
    # A member saying "ok" confirms nothing.
    assert thread.say("ok", author="u-laure").kind != "supplier_ok"
    with app.engine.connect() as conn:
        window = dispatch.week_window(conn, club_id)
        assert dispatch.confirmation(conn, window) == thanks_time(thread)
    assert "confirmée le" in thread.say("/recap", author="u-patrick").replies[0].text


def thanks_time(thread: Thread) -> datetime:
    return thread.clock.now()


def test_orderbot_summary_writes_text_csv_and_pdf(week, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from bot.summary import write_summary

    app, _club_id, _thread, _clock = week
    written = write_summary(app, "fish-club-of-montsouris", tmp_path / "out")
    assert sorted(p.suffix for p in written) == [".csv", ".pdf", ".txt"]
    text = next(p for p in written if p.suffix == ".txt").read_text(encoding="utf-8")
    assert "Moules de bouchot" in text
    pdf = next(p for p in written if p.suffix == ".pdf")
    assert "Laure" in PdfReader(pdf).pages[-1].extract_text()


def test_serve_runs_the_email_channel_only_when_smtp_host_is_set() -> None:
    from bot.app import build_app
    from bot.settings import Settings
    from bot.transports import configured_transports

    without = build_app(Settings(database_url="sqlite://"))
    with_smtp = build_app(Settings(database_url="sqlite://", SMTP_HOST="127.0.0.1"))
    try:
        assert [t.name for t in configured_transports(without)] == []
        [email] = configured_transports(with_smtp)
        assert email.name == "email"
        assert [s.platform for s in email.senders()] == ["email"]
    finally:
        without.close()
        with_smtp.close()
