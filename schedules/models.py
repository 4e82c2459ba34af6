"""The weekly cycle's own tables: each club's schedule, what already ran, who runs the jobs.

The schedule rows are the source of truth; the scheduler's jobs are derived from
them on every sync, so nothing needs to be unpickled to know what a club's week is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from orders.db import UTCDateTime


class ClubSchedule(SQLModel, table=True):
    """When each step of a club's week happens, as ``"sat 09:00"`` in the club's timezone.

    An empty ``not_collected`` or ``confirm_by`` means that step is off. Steps due
    before ``since`` (when the schedule was set) are never caught up.
    """

    id: int | None = Field(default=None, primary_key=True)
    club_id: int = Field(foreign_key="club.id", unique=True)
    opens: str = Field(max_length=16)
    last_call: str = Field(max_length=16)
    closes: str = Field(max_length=16)
    supplier: str = Field(max_length=16)
    confirm_by: str = Field(default="", max_length=16)
    reminder: str = Field(max_length=16)
    pickup: str = Field(max_length=16)
    not_collected: str = Field(default="", max_length=16)
    since: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]


class JobRun(SQLModel, table=True):
    """One step of one club's week that has run: a second run of it does nothing."""

    __table_args__ = (UniqueConstraint("club_id", "event", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    club_id: int = Field(foreign_key="club.id")
    event: str = Field(max_length=16)
    due_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]
    ran_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]


class SchedulerLease(SQLModel, table=True):
    """Which process runs the jobs of this database (SQLite; PostgreSQL uses an advisory lock)."""

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=80)
    expires_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]
