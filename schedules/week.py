"""A club's week on the calendar: parsing ``"sat 09:00"`` and finding its occurrences.

Occurrences are computed on the club's wall clock and converted to UTC one by
one, so a daylight-saving change neither skips nor repeats a step: a time that
does not exist that night (02:30 in spring) happens at the same instant as the
hour before the change ends, and a time that exists twice (02:30 in autumn)
happens once, at its first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = {
    "mon": 0, "lun": 0, "tue": 1, "mar": 1, "wed": 2, "mer": 2, "thu": 3, "jeu": 3,
    "fri": 4, "ven": 4, "sat": 5, "sam": 5, "sun": 6, "dim": 6,
}  # fmt: skip
DAY_NAMES = {"fr": ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
             "en": ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}  # fmt: skip

# The steps of a week, in the order they happen for a Saturday-morning pickup club.
EVENTS = (
    "opens", "last_call", "closes", "supplier", "confirm_by", "reminder", "pickup",
    "not_collected",
)  # fmt: skip
DEFAULTS = {
    "opens": "sat 14:00",  # after this week's pickup, the next week opens
    "last_call": "wed 18:00",
    "closes": "thu 20:00",
    "supplier": "thu 20:30",
    "confirm_by": "fri 12:00",
    "reminder": "sat 08:00",
    "pickup": "sat 10:00",
    "not_collected": "sat 12:30",
}
# Steps that are moments, not jobs: pickup only marks when reminding is too late.
JOB_EVENTS = tuple(e for e in EVENTS if e != "pickup")

_SPEC = re.compile(r"^\s*([a-zé]{3})[a-zé]*\.?\s+(\d{1,2})[:h](\d{2})\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class WeeklyTime:
    """A weekday and a wall-clock time."""

    weekday: int
    at: time

    def text(self, locale: str = "en") -> str:
        return f"{DAY_NAMES.get(locale, DAY_NAMES['en'])[self.weekday]} {self.at:%H:%M}"


def parse_when(text: str) -> WeeklyTime | None:
    """``"sat 09:00"``, ``"samedi 9h00"`` -> WeeklyTime; None when it is not one."""
    found = _SPEC.match(text or "")
    if found is None:
        return None
    day = DAYS.get(found.group(1).lower().replace("é", "e"))
    hour, minute = int(found.group(2)), int(found.group(3))
    if day is None or hour > 23 or minute > 59:
        return None
    return WeeklyTime(day, time(hour, minute))


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a day, DST gaps and folds resolved once."""
    naive = datetime.combine(day, at)
    instant = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    # A time inside a spring-forward gap: zoneinfo maps fold=0 to the offset before the
    # change, which lands after the gap on the wall clock, exactly when the clocks jump.
    return instant


def occurrences(when: WeeklyTime, zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """UTC instants of ``when`` with ``start < instant <= end``."""
    first = start.astimezone(zone).date() - timedelta(days=7)
    found = []
    day = first + timedelta(days=(when.weekday - first.weekday()) % 7)
    while True:
        instant = local_instant(day, when.at, zone)
        if instant > end:
            return found
        if instant > start:
            found.append(instant)
        day += timedelta(days=7)


def previous(when: WeeklyTime, zone: ZoneInfo, now: datetime) -> datetime:
    """The last instant of ``when`` at or before ``now``."""
    past = occurrences(when, zone, now - timedelta(days=8), now)
    return past[-1]


def following(when: WeeklyTime, zone: ZoneInfo, now: datetime) -> datetime:
    """The first instant of ``when`` after ``now``."""
    return occurrences(when, zone, now, now + timedelta(days=8))[0]
