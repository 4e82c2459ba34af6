"""Telegram's text limits: 4,096 characters a message, split where a line ends."""

from __future__ import annotations

LIMIT = 4096


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` characters, on line boundaries.

    A single line longer than the limit is cut inside, as a last resort.
    """
    text = text.strip("\n")
    if not text.strip():
        return []
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()]
