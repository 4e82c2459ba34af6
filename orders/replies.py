"""Rendering the bot's replies from templates, in the club's language.

Every piece of text that came from a member (display names, words echoed
back) goes through :func:`plain` first, so a reply never carries markup that a
platform would interpret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from templates import TEMPLATE_DIR

LOCALES = ("fr", "en")
_MARKUP = re.compile(r"[<>&*_`\[\]{}|#\\$%=^@]")
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)
# A dot between two letters is what makes a name like "www.pay-me.com" a link.
_LINK_DOT = re.compile(r"(?<=[^\W\d_])[.:/](?=[^\W\d_])")
_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF"}


@lru_cache(maxsize=4096)
def plain(text: str, limit: int = 40) -> str:
    """Strip markup and control characters from member-supplied text, and shorten it."""
    text = _CONTROL.sub(" ", _MARKUP.sub("", text)).replace("~", "≈")
    text = _LINK_DOT.sub("\u2024", text.replace("://", " "))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def number(value: Decimal, locale: str) -> str:
    """Format a quantity without useless zeros: 1,5 in French, 1.5 in English."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if locale == "fr" else text


def money(value: Decimal, currency: str, locale: str) -> str:
    """Format an amount of money the way the club's members read it."""
    amount = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    symbol = _SYMBOLS.get(currency, currency)
    if locale == "fr":
        return f"{amount:,.2f}".replace(",", " ").replace(".", ",") + f" {symbol}"
    return f"{symbol}{amount:,.2f}"


_UNIT_NAMES = {
    "fr": {
        "kg": "kg",
        "litre": "L",
        "dozen": ("douzaine", "douzaines"),
        "bunch": ("botte", "bottes"),
    },
    "en": {"kg": "kg", "litre": "L", "dozen": ("dozen", "dozen"), "bunch": ("bunch", "bunches")},
}
_UNIT_PHRASES = {
    "fr": {
        "kg": ("au kilo", "de kilos"),
        "piece": ("à la pièce", "de pièces"),
        "dozen": ("à la douzaine", "de douzaines"),
        "litre": ("au litre", "de litres"),
        "bunch": ("à la botte", "de bottes"),
        "pack": ("à l'unité", "d'unités"),
    },
    "en": {
        "kg": ("by the kilo", "kilos"),
        "piece": ("by the piece", "pieces"),
        "dozen": ("by the dozen", "dozen"),
        "litre": ("by the litre", "litres"),
        "bunch": ("by the bunch", "bunches"),
        "pack": ("by the pack", "packs"),
    },
}
_PER = {
    "fr": {
        "kg": "le kg",
        "piece": "pièce",
        "dozen": "la douzaine",
        "litre": "le litre",
        "bunch": "la botte",
        "pack": "l'unité",
    },
    "en": {
        "kg": "per kg",
        "piece": "each",
        "dozen": "per dozen",
        "litre": "per litre",
        "bunch": "per bunch",
        "pack": "per pack",
    },
}


def quantity(value: Decimal, unit: str, locale: str) -> str:
    """Format a quantity in a catalogue unit: "1,5 kg", "×2", "2 douzaines"."""
    shown = number(value, locale)
    name = _UNIT_NAMES[locale].get(unit)
    if name is None:
        return f"×{shown}"
    if isinstance(name, tuple):
        return f"{shown} {name[1] if value > 1 else name[0]}"
    return f"{shown} {name}"


def unit_phrase(unit: str, locale: str) -> tuple[str, str]:
    """Return ("au kilo", "de kilos")-style phrases for questions about a unit."""
    return _UNIT_PHRASES[locale][unit]


def per_unit(unit: str, locale: str) -> str:
    """Return "le kg" / "per kg" for prices."""
    return _PER[locale][unit]


class Renderer:
    """Renders reply templates for a locale with strict variables."""

    def __init__(self, directory: Path = TEMPLATE_DIR) -> None:
        self._env = Environment(
            loader=FileSystemLoader(str(directory)),
            autoescape=False,
            undefined=StrictUndefined,
            keep_trailing_newline=False,
            trim_blocks=False,
            auto_reload=False,
        )
        self._templates: dict[str, Template] = {}

    def render(self, locale: str, template: str, /, **values: Any) -> str:
        """Render ``templates/<locale>/<template>.txt``."""
        name = f"{locale if locale in LOCALES else 'fr'}/{template}.txt"
        found = self._templates.get(name)
        if found is None:
            found = self._templates[name] = self._env.get_template(name)
        # The values are the whole context (shared=True): reply templates use no Jinja
        # globals, and skipping the merge with them makes a reply three times cheaper.
        context = found.new_context(values, shared=True)
        return found.environment.concat(found.root_render_func(context)).strip()  # type: ignore[attr-defined]


def join_lines(parts: Iterable[str]) -> str:
    """Join order lines for a one-line confirmation."""
    return ", ".join(parts)
