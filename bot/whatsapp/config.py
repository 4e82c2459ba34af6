"""Each club's Twilio set-up: join code, sender numbers, and Content templates per message kind.

Read from the YAML file named by ``ORDERBOT_TWILIO_CLUBS``::

    clubs:
      poisson-montsouris:              # the club's slug
        code: poisson                  # optional: also accepted after JOIN
        whatsapp: "whatsapp:+14155238886"
        sms: "+33757000000"
        templates:                     # used outside a member's 24-hour window
          opening:
            content_sid: HXaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            variables: {"1": club, "2": bag}   # placeholder -> value name

A value name is one of the announcement's ``variables``, or ``text`` (the
message), ``bag`` (the member's own part) or ``club`` (the club's name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

TEMPLATE_LIMIT = 1024  # characters of a Content template's body, variables included


class TwilioConfigError(ValueError):
    """The clubs file cannot be read or is not shaped as documented."""


@dataclass(frozen=True)
class Template:
    content_sid: str
    variables: Mapping[str, str] = field(default_factory=dict)

    def values(self, available: Mapping[str, str]) -> dict[str, str]:
        """The template's ContentVariables, filled from ``available`` and cut to fit."""
        share = TEMPLATE_LIMIT // max(len(self.variables), 1) - 40
        out: dict[str, str] = {}
        for slot, name in self.variables.items():
            value = available.get(name, "") or "-"
            out[slot] = value if len(value) <= share else value[: share - 1] + "…"
        return out


@dataclass(frozen=True)
class ClubTwilio:
    slug: str
    code: str = ""
    whatsapp: str = ""
    sms: str = ""
    templates: Mapping[str, Template] = field(default_factory=dict)

    def sender(self, platform: str) -> str:
        return self.whatsapp if platform == "whatsapp" else self.sms


@dataclass(frozen=True)
class TwilioClubs:
    clubs: Mapping[str, ClubTwilio] = field(default_factory=dict)

    def by_code(self, word: str) -> str | None:
        """The slug a JOIN word names: a club's slug or its code, in any case."""
        word = word.strip().lower()
        for club in self.clubs.values():
            if word in (club.slug.lower(), club.code.lower()):
                return club.slug
        return None

    def get(self, slug: str) -> ClubTwilio:
        return self.clubs.get(slug) or ClubTwilio(slug)


def load_clubs(path: str | Path | None) -> TwilioClubs:
    """Read the clubs file; no file means no templates and no configured numbers."""
    if not path:
        return TwilioClubs()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TwilioConfigError(f"{path}: {exc}") from exc
    clubs = data.get("clubs") if isinstance(data, dict) else None
    if not isinstance(clubs, dict):
        raise TwilioConfigError(f"{path}: expected a 'clubs:' mapping of club slugs")
    out: dict[str, ClubTwilio] = {}
    for slug, spec in clubs.items():
        if not isinstance(spec, dict):
            raise TwilioConfigError(f"{path}: club '{slug}' must be a mapping")
        templates = {}
        for kind, t in (spec.get("templates") or {}).items():
            if not isinstance(t, dict) or not str(t.get("content_sid", "")).startswith("HX"):
                raise TwilioConfigError(f"{path}: template '{slug}.{kind}' needs a content_sid HX…")
            variables = {str(k): str(v) for k, v in (t.get("variables") or {}).items()}
            templates[str(kind)] = Template(str(t["content_sid"]), variables)
        out[str(slug)] = ClubTwilio(
            slug=str(slug),
            code=str(spec.get("code", "")),
            whatsapp=str(spec.get("whatsapp", "")),
            sms=str(spec.get("sms", "")),
            templates=templates,
        )
    return TwilioClubs(out)
