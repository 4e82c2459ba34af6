"""Reading a thread file (JSON lines) into inbound messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from orders.messages import InboundMessage


class ThreadError(ValueError):
    """A thread file line that cannot be used, with its line number."""


_REQUIRED = ("id", "ts", "author_id", "text")


def read_thread(
    path: Path, *, platform: str = "replay", chat_id: str | None = None
) -> Iterator[InboundMessage]:
    """Yield one :class:`InboundMessage` per line of a ``*.thread.jsonl`` file."""
    chat = chat_id or path.name.removesuffix(".jsonl").removesuffix(".thread")
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ThreadError(f"{path}: cannot read the file ({exc.strerror})") from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            line = _decoded(raw, number=number, source=str(path))
            if line.strip():
                yield parse_line(
                    line, number=number, source=str(path), platform=platform, chat_id=chat
                )


def _decoded(raw: bytes, *, number: int, source: str) -> str:
    """One line as text; a byte-order mark (as some editors save UTF-8) is dropped."""
    where = f"{source} line {number}"
    if b"\x00" in raw:
        raise ThreadError(f"{where}: not UTF-8 text (a binary file?); a thread is UTF-8 JSON lines")
    try:
        return raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start]
        raise ThreadError(
            f"{where}: not UTF-8 text (byte 0x{bad:02x}); save the thread as UTF-8"
        ) from None


def parse_line(
    line: str, *, number: int, source: str, platform: str, chat_id: str
) -> InboundMessage:
    """Validate one JSON line of a thread file."""
    where = f"{source} line {number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ThreadError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ThreadError(f"{where}: expected a JSON object")
    for key in _REQUIRED:
        if not isinstance(data.get(key), str):
            raise ThreadError(f"{where}: field '{key}' is missing or not a string")
    for key in ("author", "edit_of", "reply_to"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ThreadError(f"{where}: field '{key}' must be a string")
    try:
        sent_at = datetime.fromisoformat(data["ts"])
    except ValueError:
        raise ThreadError(f"{where}: field 'ts' is not an ISO 8601 timestamp") from None
    if sent_at.tzinfo is None:
        raise ThreadError(f"{where}: field 'ts' needs a UTC offset")
    return InboundMessage(
        platform=platform,
        chat_id=chat_id,
        message_id=data["id"],
        author_id=data["author_id"],
        author_name=data.get("author") or data["author_id"],
        text=data["text"],
        sent_at=sent_at,
        edit_of=data.get("edit_of"),
        reply_to=data.get("reply_to"),
    )
