"""Wiring the weekly cycle: the scheduler runs each club's week with the app's parts."""

from __future__ import annotations

from bot.app import App
from schedules.cycle import Cycle
from schedules.runner import WeeklyScheduler


def weekly_cycle(app: App) -> Cycle:
    """The steps' tools: the core's templates and the platforms' announcers."""
    return Cycle(renderer=app.bot.renderer, announce=app.announcers)


def weekly_scheduler(app: App) -> WeeklyScheduler:
    """The scheduler `orderbot serve` runs as a background task."""
    return WeeklyScheduler(app.engine, weekly_cycle(app), app.clock)
