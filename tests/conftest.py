"""Shared fixtures: an in-memory app with the fish club's catalogue and a chat to talk to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.chat import Chat, verify_dialog

from bot.app import App, build_app
from bot.settings import Settings
from orders.catalog import ImportResult

__all__ = ["verify_dialog"]

FIXTURES = Path(__file__).parent / "fixtures"
FISH_CATALOG = FIXTURES / "fish-club" / "catalog.yaml"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def fish_club(fixtures_dir: Path) -> Iterator[tuple[App, ImportResult]]:
    """An in-memory ledger with the fish club bound to the thread ("test", "chat-1")."""
    app = build_app(Settings(database_url="sqlite://"))
    try:
        imported = app.import_catalog(
            fixtures_dir / "fish-club" / "catalog.yaml", bind=("test", "chat-1")
        )
        yield app, imported
    finally:
        app.close()


@pytest.fixture
def app(fish_club: tuple[App, ImportResult]) -> App:
    return fish_club[0]


@pytest.fixture
def club_id(fish_club: tuple[App, ImportResult]) -> int:
    return fish_club[1].club_id


@pytest.fixture
def chat(app: App, club_id: int) -> Chat:
    return Chat(app, club_id)
