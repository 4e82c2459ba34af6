"""The console adapter: a local thread whose time comes from the app's clock."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.app import build_app
from bot.console import CHAT_ID, run_console
from bot.sample import CATALOG
from bot.settings import Settings
from orders.models import InboundRecord
from schedules.clock import FixedClock

NOON = datetime(2026, 11, 6, 12, 0, tzinfo=UTC)


def test_console_messages_take_their_time_from_the_clock() -> None:
    clock = FixedClock(NOON)
    app = build_app(Settings(database_url="sqlite://"), clock=clock)
    try:
        app.import_catalog(CATALOG, bind=("console", CHAT_ID))
        out = io.StringIO()
        run_console(app, io.StringIO("laure: 2 kg de moules\n:quit\n"), out, interactive=False)
        assert "Noté Laure : moules 2 kg" in out.getvalue()
        clock.advance(hours=1)
        run_console(app, io.StringIO("laure: finalement 1 kg\n"), out, interactive=False)
        assert "Noté Laure : moules 1 kg" in out.getvalue()
        with Session(app.engine) as session:
            stamps = [r.sent_at for r in session.exec(select(InboundRecord)).all()]
        assert stamps == [NOON, datetime(2026, 11, 6, 13, 0, tzinfo=UTC)]
    finally:
        app.close()
