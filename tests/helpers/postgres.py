"""An empty PostgreSQL database for a test, or a clean skip when the server is down."""

from __future__ import annotations

import pytest
import sqlalchemy
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel


def empty_postgres(url: str) -> None:
    """Drop every table at ``url`` (ours and any left by other runs); skip if unreachable."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        pytest.skip(f"PostgreSQL unreachable at 127.0.0.1:5432: {exc.orig}")
    leftovers = sqlalchemy.MetaData()
    leftovers.reflect(engine)
    leftovers.drop_all(engine)
    SQLModel.metadata.drop_all(engine)
    engine.dispose()
