"""Turning a raw chat message into clean tokens.

Messages arrive with emoji, accents or none, capitals, voice-dictation
artefacts, prices, phone numbers and times. Everything here is about making
the words comparable with the catalogue and the numbers unambiguous; it knows
nothing of products.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from text_to_num import alpha2digit

# Punctuation is kept; everything else that is not a letter or a digit
# (emoji, symbols, control characters) becomes a space.
_CHAR_MAP = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "×": " x ",
        "*": " x ",
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ß": "ss",
        "½": " 0.5 ",
        "¼": " 0.25 ",
        "¾": " 0.75 ",
        "…": " . ",
        "–": "-",
        "—": "-",
        "\r": "\n",
        "€": " eur ",
        "$": " eur ",
        "£": " eur ",
        "°": " ",
        "«": " ",
        "»": " ",
        '"': " ",
    }
)


_FRACTION_DIGITS = {"½": "5", "¼": "25", "¾": "75"}
_CHAR_TABLE = {chr(code): value for code, value in _CHAR_MAP.items()}
# One pass for both: "1½" becomes "1.5", then each mapped character its replacement.
# A search-and-replace touches only the few characters to change; translate() with a
# table of strings rebuilds the whole message (twice as slow over the fixtures).
_FOLD_CHARS = re.compile(r"(\d+)\s*([½¼¾])|[" + "".join(re.escape(c) for c in _CHAR_TABLE) + "]")


def _fold_char(match: re.Match[str]) -> str:
    whole = match.group(1)
    if whole:
        return f"{whole}.{_FRACTION_DIGITS[match.group(2)]}"
    return _CHAR_TABLE[match.group()]


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower-case and strip accents, so that "Huîtres" and "huitres" compare equal."""
    text = _FOLD_CHARS.sub(_fold_char, text).lower()
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


_UNWANTED = re.compile(r"[^\w\s,.;:!?/+()'=-]|_")


def _clean_chars(text: str) -> str:
    return _UNWANTED.sub(" ", text)


# Noise that contains digits but is never a quantity, matched in one pass: phone
# numbers, times, prices, sizes ("n°3"), addresses, ranks, dates.
_NOISE_PARTS = {
    "phone": r"(?:\+\d{1,3}[\s.-]?)?(?:\(?0\)?[\s.-]?)?\d(?:[\s.-]?\d{2}){4}\b",
    "time": r"\b\d{1,2}\s?h\s?\d{0,2}\b(?!\s?(?:kg|g)\b)|\b\d{1,2}:\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b",
    "price": r"\b\d+(?:[.,]\d+)?\s*(?:eur|euros?)\b(?:\s*(?:/|le|la|les|par|the|a|per)\s*"
    r"(?:kg|kilo|g|pot|piece|douzaine|dz|bocal|bouteille|litre|l)\b)?"
    r"|\beur\s*\d+(?:[.,]\d+)?",
    "size": r"\bn\s?o?\s?(?P<size>\d+)\b|\bnumero\s+(?P<number>\d+)\b",
    "address": r"\b\d+\s?(?:bis|ter)?,?\s+(?:rue|av|avenue|bd|boulevard|place|allee|impasse|"
    r"chemin|quai|square|villa|street|road|rd|lane)\b",
    "rank": r"\b\d+(?:e|eme|er|ere|nd|rd|th|st)\b",
    "date": r"\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|le|the)\s+\d{1,2}\b"
    r"(?!\s?(?:kg|kilos?|g|gr|grammes?|douzaines?|dz|x))"
    r"|\b\d{1,2}\s+(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|"
    r"octobre|novembre|decembre|january|february|march|april|may|june|july|"
    r"august|september|october|november|december)\b"
    r"|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b(?<!\b1/2)(?<!\b1/4)(?<!\b3/4)",
}
# The lookahead lets the engine skip at once the positions where no branch can start:
# every branch begins with a digit, "+" or "(", or with a word (a day, "le", "eur",
# "n", "numero") followed by a digit ("n o 3" included).
_NOISE = re.compile(
    r"(?=[\d+(]|\b[enlmjvsdtwf][a-z]*\s*(?:o\s?)?\d)(?:"
    + "|".join(f"(?P<{k}_>{v})" for k, v in _NOISE_PARTS.items())
    + ")"
)
_NOISE_WORDS = {
    "phone_": " ",
    "time_": " ",
    "price_": " prix ",
    "address_": " adresse ",
    "rank_": " rang ",
    "date_": " date ",
}


def _noise(match: re.Match[str]) -> str:
    if match.lastgroup == "size_":
        return f" n{match.group('size') or match.group('number')} "
    return _NOISE_WORDS[match.lastgroup or "phone_"]


_DIGIT = re.compile(r"\d")

# Phrases of quantity that number-word libraries leave alone.
_BEFORE_NUMBERS = [
    (
        "demi",
        re.compile(r"\b(?:une?|1)\s+demi[- ]?(douzaines?|kilos?|kg|litres?|livres?)\b"),
        r" 0.5 \1 ",
    ),
    ("demi", re.compile(r"\bdemi[- ](douzaine|kilo|litre)\b"), r" 0.5 \1 "),
    (
        "half",
        re.compile(r"\b(?:a\s+)?half\s+(?:a\s+)?(dozen|kilo|kg|litre|liter|pound)\b"),
        r" 0.5 \1 ",
    ),
    (
        "couple",
        re.compile(r"\b(?:(?:a|une|un)\s+)?couple\s+(?:of|de|d)\b|\bcouple\s+(?=[a-z])"),
        " 2 ",
    ),
    ("second", re.compile(r"\ba\s+second\b"), " 1 more "),
    ("2nd", re.compile(r"\ba\s+2nd\b"), " 1 more "),
    ("another", re.compile(r"\banother\b"), " 1 more "),
    ("extra", re.compile(r"\ban?\s+extra\b"), " 1 more "),
]
# "un deuxième carton", "une autre boîte": looked for only where one of those words is.
_ONE_MORE_FR = re.compile(
    r"\bune?\s+(?:deuxieme|seconde?|2e|2eme|autre)\b(?!\s+(?:fois|jour|semaine))"
)
_BEFORE_NUMBERS += [
    (word, _ONE_MORE_FR, " 1 more ") for word in ("autre", "deuxieme", "second", "2e")
]
_AND_A_HALF = re.compile(
    r"\b(\d+)(?:\.(\d+))?\s?(kilos?|kg|litres?|liters?|douzaines?|dozens?|livres?|pounds?|l)"
    r"\s+(?:et\s+demie?|and\s+a\s+half)\b"
)


def _plus_half(match: re.Match[str]) -> str:
    whole = Decimal(match.group(1) + "." + (match.group(2) or "0")) + Decimal("0.5")
    return f" {whole} {match.group(3)} "


# "a dozen", "a jar" -> "1 dozen", "1 jar": an English article before a unit is an amount.
# Checked for a word boundary in _article (see _split_unit: faster than a leading \b).
_ARTICLE = re.compile(
    r"(an?)\s+(dozen|pound|kilo|kg|litre|liter|jar|bottle|pot|bunch|pack|packet|box|"
    r"bag|tin|punnet|tub|lb|pint|case|crate|carton|block|head)\b"
)


def _split_unit(match: re.Match[str]) -> str:
    start = match.start()
    if start and (match.string[start - 1].isalnum() or match.string[start - 1] == "_"):
        return match.group(0)  # inside a word ("n3", "x12kg")
    return f"{match.group(1)} {match.group(2)}"


def _decimal_comma(match: re.Match[str]) -> str:
    start = match.start()
    if start and (match.string[start - 1].isdigit() or match.string[start - 1] == ","):
        return match.group(0)  # "1,2,3": a list, not a decimal
    return f"{match.group(1)}.{match.group(2)}"


_KILO_AND = re.compile(
    r"\b(\d+)\s?(?:kg|kilos?) ?(\d{1,3})\b(?=\s*(?:$|[,.;!?)\n]|finalement|"
    r"svp|merci|stp|s il|please|pls|au lieu|instead|et|and|pas|plutot|de|d|of))"
)


def _kilo_and(match: re.Match[str]) -> str:
    return f" {match.group(1)}.{match.group(2)} kg "


_AFTER_NUMBERS: list[tuple[str, re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (",", re.compile(r"(\d+),(\d+)(?![\d,])"), _decimal_comma),  # 1,5 kg
    ("kg", _KILO_AND, _kilo_and),  # 1 kg 200
    ("kilo", _KILO_AND, _kilo_and),  # 1 kilo 2
    ("demi", _AND_A_HALF, _plus_half),
    ("half", _AND_A_HALF, _plus_half),
    (
        "/",
        re.compile(r"(?<![\d/])([1-3])/([2-4])(?![\d/])"),
        lambda m: f" {(Decimal(m.group(1)) / Decimal(m.group(2))).normalize()} ",
    ),
    # 2kg -> 2 kg, 2x -> 2 x; the word boundary is checked in _split_unit, as a pattern that
    # starts with a digit is looked for much faster than one that starts with \b.
    ("", re.compile(r"(\d+(?:\.\d+)?)([a-z]+)"), _split_unit),
    ("x", re.compile(r"\bx(\d)"), r"x \1"),
]


# How many people, not an amount: "on sera 4 à table", "nous serons 6", "we'll be 4",
# "pour quatre personnes". Looked for once number words are digits.
_PARTY = re.compile(
    r"(?=[onw\d])(?:\b(?:on\s+(?:ne\s+|n\s+)?(?:sera|serait|est)|"
    r"nous\s+(?:ne\s+)?(?:serons|serions|sommes)|"
    r"we\s*'?\s*ll\s+be|we\s+will\s+be|we\s+are)\s+(?:que\s+|only\s+|just\s+)?\d+\b"
    r"(?!\s*(?:kg|kilos?|g|gr|x)\b)"
    r"|\b\d+\s*(?:personnes?|pers|people|persons|gens|guests|invites|convives)\b)"
)


# "before I forget: 1 Ethiopia" adds; only "forget the honey" takes something off.
_AIDE_MEMOIRE = re.compile(
    r"\b(?:before|in case|so|lest)\s+i\s+(?:don\s*t\s+|do\s+not\s+)?forget\b"
    r"|\b(?:avant\s+(?:que\s+j\s+oublie|d\s+oublier)|pour\s+ne\s+pas\s+oublier)\b"
)


def _article(match: re.Match[str]) -> str:
    start = match.start()
    if start and (match.string[start - 1].isalnum() or match.string[start - 1] == "_"):
        return match.group(0)  # the end of a word ("banana bag")
    return f" 1 {match.group(2)} "


def normalize(text: str) -> str:
    """Fold, strip noise and turn number words into digits."""
    text = _clean_chars(fold(text))
    if "(" in text:
        text = _FORM_UNIT.sub(r" : \2 \1 ", text)
    if ":" in text:
        text = _FORM_UNIT_BARE.sub(r" : \2 \1 ", text)
    # Whether the text holds a digit: looked for once, then kept up to date by the steps
    # that can bring one (it may stay True after noise is removed: the steps then find nothing).
    digits = _DIGIT.search(text) is not None
    if digits:
        text = _NOISE.sub(_noise, text)
    for trigger, pattern, repl in _BEFORE_NUMBERS:
        if trigger in text:
            text = pattern.sub(repl, text)
            digits = digits or _DIGIT.search(text) is not None
    # Apostrophes split words ("d'huîtres") and are dropped by the tokenizer anyway;
    # a hyphen between letters joins a compound ("saint-jacques") the catalogue spells apart.
    text = text.replace("'", " ")
    if "-" in text:
        text = _HYPHEN.sub(" ", text)
    if "forget" in text or "oubli" in text:
        text = _AIDE_MEMOIRE.sub(" ", text)
    if _FRENCH_NUMBER.search(text):
        text = alpha2digit(text, "fr", threshold=0)
        digits = digits or _DIGIT.search(text) is not None
    if _ENGLISH_NUMBER.search(text):
        if "ones" in text:
            # "drop the large ones": the plural pronoun, which the converter makes a 1.
            text = _ONES.sub("them", text)
        text = alpha2digit(text, "en", threshold=0)
        digits = digits or _DIGIT.search(text) is not None
    if digits:
        text = _PARTY.sub(" convives ", text)
    if " a" in text or text.startswith("a"):
        text = _ARTICLE.sub(_article, text)
    if digits or _DIGIT.search(text):  # "a dozen" is "1 dozen" now
        for trigger, pattern, replacement in _AFTER_NUMBERS:
            if trigger in text:
                text = pattern.sub(replacement, text)
    return text


# A form's column unit: "Moules (kg) : 2" is "Moules : 2 kg".
_FORM_UNIT = re.compile(
    r"\(\s*(kg|kilos?|g|grammes?|pieces?|pces?|pcs?|unites?|units?|pots?|bouteilles?|bottles?"
    r"|douzaines?|dz|dozens?|l|litres?|liters?|sachets?|bags?|jars?|boxe?s?|boites?)\s*\)"
    r"\s*[:=]?\s*(\d+(?:[.,]\d+)?)(?![\d.,]*\s*(?:kg|g|l)\b)"
)
# The same without brackets, before a form's colon: "Eggs dozen: 2" is "Eggs: 2 dozen".
_FORM_UNIT_BARE = re.compile(
    r"(?<=[a-z] )(kg|kilos?|grammes?|dozens?|douzaines?|dz|litres?|liters?)\s*:\s*"
    r"(\d+(?:[.,]\d+)?)(?![\d.,]*\s*(?:kg|g|l)\b)"
)
_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_ONES = re.compile(r"\bones\b")
# Number words are looked for before calling the converter, which costs more than the look.
_FRENCH_NUMBER = re.compile(
    r"\b(?:une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|"
    r"quinze|seize|vingt|trente|quarante|cinquante|soixante|cent|mille|zero|premier|premiere|"
    r"second|seconde|deuxieme|troisieme|quatrieme|cinquieme)"
)
_ENGLISH_NUMBER = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|zero|first|second|third|fourth|fifth)"
)


class Token(NamedTuple):
    """A word, a number or a punctuation mark of a normalised message.

    A named tuple, not a frozen dataclass: messages make many, and tuples are built fast.
    """

    text: str
    kind: str  # "word", "num" or "punct"
    value: Decimal | None = None


_TOKEN = re.compile(r"(\d+(?:\.\d+)?)|([a-z0-9]+)|(\n|[,.;:!?/+()=-])")


def tokenize(text: str) -> list[Token]:
    """Split a normalised message into tokens."""
    tokens: list[Token] = []
    append = tokens.append
    new = tuple.__new__  # builds the named tuple without its Python-level __new__
    for number, word, punct in _TOKEN.findall(text):
        if word:
            append(new(Token, (word, "word", None)))
        elif number:
            append(new(Token, (number, "num", Decimal(number))))
        else:
            append(new(Token, (punct, "punct", None)))
    return tokens


def stem(word: str) -> str:
    """Reduce a folded word to a crude singular, the same way on both sides of a match."""
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        word = word[:-1]
    return word
