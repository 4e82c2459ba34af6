"""Telegram's sending limits, kept in memory: ~20 a minute per group, 1 a second per
private chat, 30 a second overall.

Every call that touches a group counts (messages, reactions, reading its
administrators). A 429's ``retry_after`` closes the chat (or everything) until it
has passed.
"""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta

GROUP_PER_MINUTE = 20
PRIVATE_PER_SECOND = 1
OVERALL_PER_SECOND = 30


def is_group(chat_id: str) -> bool:
    """Groups and supergroups have negative ids; private chats are the user's id."""
    return chat_id.startswith("-")


class Budget:
    """Sliding windows of recent calls per chat and overall."""

    def __init__(self, *, group_per_minute: int = GROUP_PER_MINUTE) -> None:
        self.group_per_minute = group_per_minute
        self._calls: dict[str, deque[datetime]] = defaultdict(deque)
        self._overall: deque[datetime] = deque()
        self._closed: dict[str, datetime] = {}

    def _limits(self, chat_id: str) -> tuple[int, timedelta]:
        if is_group(chat_id):
            return self.group_per_minute, timedelta(minutes=1)
        return PRIVATE_PER_SECOND, timedelta(seconds=1)

    def wait(self, chat_id: str, now: datetime, *, keep: int = 0) -> float:
        """Seconds until one more call to ``chat_id`` fits, leaving ``keep`` calls spare."""
        waits = [0.0]
        for key in (chat_id, "*"):
            closed = self._closed.get(key)
            if closed is not None and closed > now:
                waits.append((closed - now).total_seconds())
        limit, span = self._limits(chat_id)
        waits.append(_wait(self._calls[chat_id], now, span, max(1, limit - keep)))
        waits.append(_wait(self._overall, now, timedelta(seconds=1), OVERALL_PER_SECOND))
        return max(waits)

    def used(self, chat_id: str, now: datetime) -> int:
        """Calls made to ``chat_id`` within its window."""
        calls = self._calls[chat_id]
        _forget(calls, now, self._limits(chat_id)[1])
        return len(calls)

    def record(self, chat_id: str, now: datetime) -> None:
        self._calls[chat_id].append(now)
        self._overall.append(now)

    def close(self, chat_id: str | None, until: datetime) -> None:
        """Honour a 429: nothing to ``chat_id`` (None: to anyone) before ``until``."""
        self._closed[chat_id or "*"] = until


def _forget(calls: deque[datetime], now: datetime, span: timedelta) -> None:
    while calls and calls[0] <= now - span:
        calls.popleft()


def _wait(calls: deque[datetime], now: datetime, span: timedelta, limit: int) -> float:
    _forget(calls, now, span)
    if len(calls) < limit:
        return 0.0
    return max((calls[len(calls) - limit] + span - now).total_seconds(), 0.001)
