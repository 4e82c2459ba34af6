"""Reading the file WhatsApp's "Export chat" writes: Android and iOS, French, English, Spanish.

No parser library fits: the maintained one (whatstk) pulls pandas into the bot,
so the formats are read here, one header regular expression for every locale:

    Android  ``12/03/2024, 18:45 - Laure: text``   ``3/12/24, 6:45 PM - Laure: text``
             ``12/03/2024 18:45 - Laure : text``     ``12/3/24, 6:45 p. m. - Laure: text``
    iOS      ``[12/03/2024, 18:45:12] Laure: text``  ``[3/12/24, 6:45:12 PM] Laure: text``

A line that does not start with a header continues the message above it. Lines
with a header but no author (``Laure added Paul``; on iOS, a text that starts
with a direction mark) are system lines, counted and skipped. Whether a date is
day-first or month-first is decided once per file, from the dates themselves.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# Direction marks and invisible joiners the export sprinkles around names and markers.
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"))
_SPACES = re.compile(r"[\u00a0\u202f\u2009]")

_DATE = r"(?P<d1>\d{1,2})[/.\-](?P<d2>\d{1,2})[/.\-](?P<y>\d{2,4})"
_TIME = (
    r"(?P<h>\d{1,2})[:.h](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
    r"(?:\s?(?P<ampm>[aApP]\.?\s?[mM]\.?))?"
)
_SEP = r"(?:,\s*|\s+à\s+|\s+a las\s+|\s+)"
_ANDROID = re.compile(rf"^{_DATE}{_SEP}{_TIME}\s[-–]\s(?P<rest>.*)$")
_IOS = re.compile(rf"^\[{_DATE}{_SEP}{_TIME}\]\s(?P<rest>.*)$")
# "Name: text" (English, Spanish) or "Name : text" (French); names hold no colon.
_AUTHOR = re.compile(r"^(?P<author>[^:]{1,120}?)\s?:\s(?P<text>.*)$", re.DOTALL)
_AUTHOR_EMPTY = re.compile(r"^(?P<author>[^:]{1,120}?)\s?:$")

_MEDIA = re.compile(
    r"^(?:<(?:media omitted|médias omis|multimedia omitido|multimédia omis)>"
    r"|(?:image|video|audio|sticker|gif|document|contact card|photo) omitted"
    r"|(?:image|vidéo|audio|autocollant|gif|document|carte de contact|photo) (?:absente|omise?)"
    r"|(?:imagen|video|audio|sticker|gif|documento|tarjeta de contacto) omitid[oa]"
    r"|<(?:attached|pièce jointe|adjunto)\s?:[^>]*>"
    r"|.+\s\((?:file attached|fichier joint|archivo adjunto)\))$",
    re.IGNORECASE,
)
_DELETED = re.compile(
    r"^(?:this message was deleted\.?|you deleted this message\.?"
    r"|ce message a été supprimé\.?|vous avez supprimé ce message\.?"
    r"|se eliminó este mensaje\.?|eliminaste este mensaje\.?)$",
    re.IGNORECASE,
)
_EDITED = re.compile(
    r"\s*<(?:this message was edited|ce message a été modifié|se editó este mensaje\.?)>\s*$",
    re.IGNORECASE,
)


class ExportError(ValueError):
    """A file that is not a WhatsApp chat export (or a zip without one)."""


@dataclass(frozen=True, slots=True)
class ExportMessage:
    """One message as the export shows it, in the export's local time."""

    ts: datetime
    author: str
    text: str
    edited: bool = False
    deleted: bool = False
    media: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "ts": self.ts.isoformat(),
            "author": self.author,
            "text": self.text,
            "edited": self.edited,
            "deleted": self.deleted,
            "media": self.media,
        }


@dataclass
class ParsedExport:
    """Every message of an export and how many system lines were skipped."""

    messages: list[ExportMessage] = field(default_factory=list)
    system_lines: int = 0
    orphan_lines: int = 0  # text before the first header: a truncated export


@dataclass(slots=True)
class _Raw:
    fields: tuple[str, str, str, str, str, str | None, str | None]
    author: str | None
    lines: list[str]
    ios: bool
    french: bool = False  # "Name : text", French typography: dates are day-first


def read_export_text(path: Path) -> str:
    """The chat text of an export: the ``.txt`` itself, or the one inside the ``.zip``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"{path}: cannot read the file ({exc.strerror})") from exc
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".txt")]
            if not names:
                raise ExportError(f"{path}: the zip holds no chat .txt file")
            # "_chat.txt" on iOS, "WhatsApp Chat with X.txt" on Android
            names.sort(key=lambda n: (not n.endswith("_chat.txt"), len(n)))
            data = archive.read(names[0])
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExportError(f"{path}: not a text file in UTF-8 or UTF-16")


def parse_export(text: str | Iterable[str]) -> ParsedExport:
    """Parse an export's text into messages (see the module docstring for the formats)."""
    lines = text.splitlines() if isinstance(text, str) else text
    raws, orphans = _headers(lines)
    day_first = _day_first(raws)
    result = ParsedExport(orphan_lines=orphans)
    for raw in raws:
        message = _message(raw, day_first)
        if message is None:
            result.system_lines += 1
        else:
            result.messages.append(message)
    if not result.messages and not result.system_lines:
        raise ExportError("no WhatsApp message found: is this a chat export?")
    return result


def _headers(lines: Iterable[str]) -> tuple[list[_Raw], int]:
    raws: list[_Raw] = []
    orphans = 0
    for line in lines:
        clean = _SPACES.sub(" ", line.translate(_INVISIBLE)).rstrip("\r")
        ios = clean.startswith("[")
        match = (_IOS if ios else _ANDROID).match(clean)
        if match is None:
            if raws:
                raws[-1].lines.append(clean)
            elif clean.strip():
                orphans += 1
            continue
        g = match.groupdict()
        rest = g["rest"]
        # On iOS a system line's text starts with a direction mark, after the group's name.
        colon = line.find(": ")
        system_mark = ios and colon >= 0 and line[colon + 2 : colon + 3] == "\u200e"
        author_match = _AUTHOR.match(rest) or _AUTHOR_EMPTY.match(rest)
        author = None
        if author_match is not None:
            author = author_match.group("author").strip()
            rest = author_match.groupdict().get("text") or ""
            if system_mark and not (_MEDIA.match(rest.strip()) or _DELETED.match(rest.strip())):
                author = None
        fields = (g["d1"], g["d2"], g["y"], g["h"], g["mi"], g["s"], g["ampm"])
        french = author is not None and g["rest"].startswith(f"{author} :")
        raws.append(_Raw(fields, author, [rest], ios, french))
    return raws, orphans


def _day_first(raws: list[_Raw]) -> bool:
    """Day-first unless a date proves otherwise, or a 12-hour English clock suggests the US."""
    first = [int(r.fields[0]) for r in raws]
    second = [int(r.fields[1]) for r in raws]
    if any(n > 12 for n in first):
        return True
    if any(n > 12 for n in second):
        return False
    if any(r.french for r in raws):
        return True
    english_12h = any(
        r.fields[6]
        and r.fields[6].replace(" ", "").replace(".", "").lower() in ("am", "pm")
        and "." not in r.fields[6]
        for r in raws
    )
    return not english_12h


def _message(raw: _Raw, day_first: bool) -> ExportMessage | None:
    if raw.author is None:
        return None
    d1, d2, y, h, mi, s, ampm = raw.fields
    day, month = (int(d1), int(d2)) if day_first else (int(d2), int(d1))
    year = int(y) + (2000 if len(y) == 2 else 0)
    hour = int(h)
    if ampm:
        pm = ampm.lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    try:
        ts = datetime(year, month, day, hour, int(mi), int(s or 0))
    except ValueError:
        return None  # an impossible date: not a header after all
    text = "\n".join(raw.lines).strip()
    edited = False
    if _EDITED.search(text):
        text, edited = _EDITED.sub("", text).rstrip(), True
    deleted = bool(_DELETED.match(text))
    media = bool(_MEDIA.match(text))
    if deleted or media:
        text = ""
    elif "\n" in text:
        first, _, more = text.partition("\n")
        if _MEDIA.match(first.strip()):  # a photo with a caption (Android)
            text, media = more.strip(), True
    return ExportMessage(ts, raw.author, text, edited, deleted, media)


def iter_json(parsed: ParsedExport) -> Iterator[dict[str, object]]:
    """The dry-run lines: one object per message, then the count of skipped system lines."""
    for message in parsed.messages:
        yield message.as_json()
    yield {"system_lines_skipped": parsed.system_lines, "messages": len(parsed.messages)}
