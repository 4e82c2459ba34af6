"""Finding the club's products in a message, from its catalogue alone.

Each product is known by its aliases, its name and the distinctive head word of
its name, compared as folded, crudely singularised words, with a fuzzy match for
typos ("bullots", "dorrades", "potimarons").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from orders.parsing.lexicon import (
    ALL_WORDS,
    GRAMMAR_WORDS,
    POSSESSIVE,
    SHORTHAND,
    STOPWORDS,
    TRANSLATIONS,
    UNIT_WORDS,
)
from orders.parsing.text import Token, fold, stem, tokenize

# Words dropped from both sides of a match: "noix DE saint-jacques".
_GLUE = frozenset(
    {
        "de",
        "d'",
        "d",
        "du",
        "des",
        "la",
        "le",
        "les",
        "l",
        "l'",
        "of",
        "the",
        "a",
        "en",
        "au",
        "aux",
        "-",
    }
)
_SYNONYMS = {"st": "saint", "ste": "sainte", "oeuf": "oeuf", **SHORTHAND}
_PACK = re.compile(
    r"(?P<approx>~|env\.?|environ|approx\.?|about|ca\.?)?\s*"
    r"(?P<amount>\d+(?:[.,]\d+)?)\s*(?P<unit>kg|g|gr|cl|ml|l|litres?|pints?|pieces?|pcs?)?\b"
    r"(?:\s*(?P<piece>[a-z]{3,}))?"
)
_PACK_UNITS: dict[str, tuple[str, Decimal]] = {
    "kg": ("mass", Decimal(1)),
    "g": ("mass", Decimal("0.001")),
    "gr": ("mass", Decimal("0.001")),
    "l": ("volume", Decimal(1)),
    "litre": ("volume", Decimal(1)),
    "cl": ("volume", Decimal("0.01")),
    "ml": ("volume", Decimal("0.001")),
    "pint": ("volume", Decimal("0.568")),
}
# Pack sizes written in words, as they appear in product names.
_WORD_SIZES_MAP = {
    "half dozen": "6",
    "half a dozen": "6",
    "half-dozen": "6",
    "demi douzaine": "6",
    "demi-douzaine": "6",
    "dozen": "12",
    "douzaine": "12",
    "pair": "2",
    "paire": "2",
}
_WORD_SIZES = re.compile("|".join(sorted(map(re.escape, _WORD_SIZES_MAP), key=len, reverse=True)))
_CONTAINER_WORDS = {w for w, (dim, _) in UNIT_WORDS.items() if dim == "container"}
# The catalogue units an amount of each dimension can be counted in.
_UNITS_FOR = {
    "mass": ("kg",),
    "volume": ("litre",),
    "dozen": ("dozen", "piece", "pack"),
    "": ("piece", "pack", "bunch", "dozen"),
}
# "the small one": a size names a product only with the rest of its name.
_SIZES = frozenset({"small", "large", "big", "petit", "petite", "grand", "grande", "medium"})
_NOT_ELIDED = GRAMMAR_WORDS | STOPWORDS | ALL_WORDS | POSSESSIVE
_NOT_HEADS = _NOT_ELIDED | _SIZES


@dataclass(frozen=True, slots=True)
class PackSize:
    """What one catalogue unit of a pack product holds: ``amount`` of ``dimension``."""

    dimension: str  # "mass" (kg), "volume" (litre) or "piece"
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """The facts about one product that parsing and replies need."""

    code: str
    name: str
    unit: str
    price: Decimal
    aliases: tuple[str, ...] = ()
    available: bool = True
    stock_limit: Decimal | None = None
    pack: PackSize | None = None
    approximate: bool = False
    container: bool = False
    label: str = ""
    piece_word: str = ""  # what a pack holds, "pot" in "(lot de 2 pots)"
    pack_word: str = ""  # what a pack is, "case" in "(case of 6)"

    @classmethod
    def build(
        cls,
        code: str,
        name: str,
        unit: str,
        price: Decimal,
        aliases: Iterable[str] = (),
        available: bool = True,
        stock_limit: Decimal | None = None,
    ) -> ProductInfo:
        """Derive pack size and short label from the catalogue's name."""
        aliases = tuple(aliases)
        pack, approximate, container, piece_word = _pack_from_name(name)
        base = _base_name(name).strip()
        label = aliases[0] if aliases else base
        inside = set(re.findall(r"[a-z]+", " ".join(re.findall(r"\((.*?)\)", fold(name)))))
        pack_word = next((stem(w) for w in sorted(inside & _CONTAINER_WORDS)), "")
        return cls(
            code,
            name,
            unit,
            price,
            aliases,
            available,
            stock_limit,
            pack,
            approximate,
            container,
            label or code,
            piece_word,
            pack_word,
        )


def _pack_from_name(name: str) -> tuple[PackSize | None, bool, bool, str]:
    """Read "(plaque de 250 g)", "(lot de 2 pots)", "(pièce ~600 g)" in a product's name."""
    inside = " ".join(re.findall(r"\((.*?)\)", fold(name)))
    inside = _WORD_SIZES.sub(lambda m: _WORD_SIZES_MAP[m.group(0)], inside)
    if not inside:
        return None, False, False, ""
    words = set(re.findall(r"[a-z]+", inside))
    container = bool(words & _CONTAINER_WORDS)
    match = _PACK.search(inside)
    if match is None:
        return None, False, container, ""
    amount = Decimal(match.group("amount").replace(",", "."))
    unit = (match.group("unit") or "piece").rstrip("s")
    approximate = bool(match.group("approx")) or "~" in inside
    scale = _PACK_UNITS.get(unit, ("piece", Decimal(1)))
    pack = PackSize(scale[0], amount * scale[1])
    piece = stem(match.group("piece") or "") if scale[0] == "piece" else ""
    return (None if approximate else pack), approximate, container, piece


def key_words(text: str) -> tuple[str, ...]:
    """The comparable words of a product name or alias.

    A number after a word stays ("boîte de 12 œufs"): written in a message, it is part
    of the product's name, not an amount. A leading number is dropped, so that a key
    never swallows the amount in front of a product.
    """
    words: list[str] = []
    for token in tokenize(re.sub(r"(\w)'(\w)", r"\1' \2", fold(text).replace("-", " "))):
        if token.kind == "num" and words:
            words.append(token.text)
        elif token.kind == "word" and token.text not in _GLUE:
            words.append(_SYNONYMS.get(token.text, stem(token.text)))
    return tuple(words)


class Mention(NamedTuple):
    """Tokens ``start``..``end`` (exclusive) of a message name product ``code``."""

    start: int
    end: int
    code: str
    words: tuple[str, ...] = ()  # the message's words that named it, as matched


@dataclass
class ProductIndex:
    """Every way a catalogue's products can be written, ready for matching."""

    products: dict[str, ProductInfo]
    _keys: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    _vocab: tuple[str, ...] = ()
    _canon: dict[str, str] = field(default_factory=dict)
    # Every prefix of a one-word key ("sour" of "sourdough"): only such a word can start
    # two words that the catalogue writes as one.
    _joinable: frozenset[str] = frozenset()
    _words: dict[str, frozenset[str]] = field(default_factory=dict)  # every key word, by product
    # The name without its pack ("Forge espresso blend beans" of "... (1 kg bag)"): two
    # products with the same one are the same thing in packs of different sizes.
    _family: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A first word that several products share ("Pommes Gala", "Pommes Reinette"): the
    # kinds a member who writes only "pommes" may mean.
    _kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _saying: dict[str, list[str]] = field(default_factory=dict)  # word -> products, built lazily

    @classmethod
    def build(cls, products: Sequence[ProductInfo]) -> ProductIndex:
        index = cls({p.code: p for p in products})
        ranked: dict[tuple[str, ...], tuple[int, str]] = {}
        heads: dict[str, set[str]] = {}
        tails: dict[str, set[str]] = {}
        for product in products:
            base = _base_name(product.name)
            for rank, source in [(0, a) for a in product.aliases] + [(1, base), (1, product.code)]:
                _keep(ranked, key_words(source), rank, product.code)
            words = key_words(base)
            if words:
                heads.setdefault(words[0], set()).add(product.code)
            named = [w for w in words if w.isalpha() and w not in UNIT_WORDS]
            if len(named) > 1:
                tails.setdefault(named[-1], set()).add(product.code)
            index._family[product.code] = tuple(
                w for w in words if w not in UNIT_WORDS and not w[0].isdigit()
            )
            index._words[product.code] = frozenset(
                w
                for source in (product.name, product.code, *product.aliases)
                for w in key_words(source)
            )
        for head, codes in heads.items():
            # "Whole almonds", "Extra virgin olive oil": a first word that is also grammar
            # ("cancel my whole order", "an extra bag") never names a product alone.
            if len(codes) == 1 and head not in _NOT_HEADS:
                _keep(ranked, (head,), 2, next(iter(codes)))
            elif len(codes) == 1 and head in _SIZES:
                # "1 large box" of "Large veg box": the size and the last word.
                code = next(iter(codes))
                last = key_words(_base_name(index.products[code].name))[-1]
                if last != head:
                    _keep(ranked, (head, last), 2, code)
                    if last.endswith(("x", "s", "ch", "sh", "z")):
                        _keep(ranked, (head, last + "e"), 2, code)  # "small boxes"
            elif len(codes) > 1 and head not in _NOT_HEADS:
                index._kinds[head] = tuple(p.code for p in products if p.code in codes)
        for tail, codes in tails.items():
            # "bacon" of "Smoked back bacon" and "Unsmoked back bacon": the noun that ends
            # several names (English puts it last) is a kind too, unless it names one alone.
            alone = (tail,) in ranked or tail in index._kinds or tail in _NOT_HEADS
            if len(codes) > 1 and not alone:
                index._kinds[tail] = tuple(p.code for p in products if p.code in codes)
        for words, (_rank, code) in list(ranked.items()):
            for other in _translations().get(words, ()):
                _keep(ranked, other, 3, code)
        for words, (_rank, code) in ranked.items():
            index._keys.setdefault(words[0], []).append((words, code))
        for entries in index._keys.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        index._vocab = tuple(sorted({w for words in ranked for w in words if len(w) >= 4}))
        index._joinable = frozenset(
            key[0][:cut] for key in ranked if len(key) == 1 for cut in range(1, len(key[0]) + 1)
        )
        return index

    @property
    def has_kinds(self) -> bool:
        """Whether several products share a first word (most catalogues have none)."""
        return bool(self._kinds)

    def kinds(self, word: str) -> tuple[str, ...]:
        """The available products a word names only as a kind ("pommes": gala, reinette…)."""
        if not self._kinds or len(word) < 3:
            return ()
        codes = self._kinds.get(self._canonical(word), ())
        available = tuple(c for c in codes if self.products[c].available)
        return available if len(available) > 1 else ()

    def kinds_with(self, code: str) -> tuple[str, ...]:
        """The other products that share a kind word with this one, itself included."""
        return next((codes for codes in self._kinds.values() if code in codes), ())

    def find(self, tokens: Sequence[Token]) -> list[Mention]:
        """Return the non-overlapping product mentions, longest first at each place."""
        canonical, keys, joinable = self._canonical, self._keys, self._joinable
        words = [
            canonical(t.text) if t.kind == "word" else t.text if t.kind == "num" else ""
            for t in tokens
        ]
        mentions: list[Mention] = []
        position, count = 0, len(tokens)
        while position < count:
            found = None
            for key, code in keys.get(words[position], ()):
                end = _match_key(words, position, key)
                if end is not None:
                    named = tuple(w for w in words[position:end] if w and w not in _GLUE)
                    found = Mention(position, end, code, named)
                    break
            if found is None and tokens[position].text in joinable:
                found = self._joined_at(tokens, position)
            if found is None:
                position += 1
                continue
            mentions.append(found)
            position = found.end
        return mentions

    def _joined_at(self, tokens: Sequence[Token], start: int) -> Mention | None:
        """ "sour dough" for "sourdough": two words written apart that the catalogue joins."""
        if (
            start + 1 >= len(tokens)
            or tokens[start].kind != "word"
            or tokens[start + 1].kind != "word"
        ):
            return None
        joined = stem(tokens[start].text + tokens[start + 1].text)  # exact only: no fuzzy here
        for key, code in self._keys.get(joined, ()):
            if key == (joined,):
                return Mention(start, start + 2, code, (joined,))
        return None

    def sized_sibling(
        self, code: str, named: Sequence[str], dimension: str, amount: Decimal
    ) -> tuple[str, Decimal] | None:
        """ "1kg forge espresso" when the espresso comes in 250 g and in 1 kg bags.

        Among the available products of the same family (the same name but for the
        pack) whose names hold every word that named ``code``, the one with the largest
        pack that ``amount`` fills exactly, with how many packs; None when that is
        ``code`` itself.
        """
        family = self._family.get(code)
        if not named or not family or amount <= 0:
            return None
        best: tuple[Decimal, str] | None = None
        for other, info in self.products.items():
            pack = info.pack
            if pack is None or pack.dimension != dimension or info.unit != "pack":
                continue
            if pack.amount <= 0 or not info.available:
                continue
            if other != code and (
                self._family.get(other) != family
                or not self._words.get(other, frozenset()).issuperset(named)
            ):
                continue
            if amount % pack.amount == 0 and (best is None or pack.amount > best[0]):
                best = (pack.amount, other)
        if best is None or best[1] == code:
            return None
        return best[1], (amount / best[0]).normalize()

    def packed_in(
        self, code: str, amount: Decimal, dimension: str = "piece", written: Sequence[str] = ()
    ) -> str | None:
        """The product of ``code``'s family (itself included) sold in packs of ``amount``
        ("boîte de 12", "(sac 1 kg)"), or whose name holds the size as ``written``
        ("Pain complet 1 kg")."""
        found = [
            other
            for other, info in self._same_family(code)
            if (
                (info.pack.dimension, info.pack.amount) == (dimension, amount)
                if info.pack is not None
                else bool(written) and self._words[other].issuperset(written)
            )
        ]
        return found[0] if len(found) == 1 else None

    def whole_pack(self, code: str, value: Decimal) -> tuple[str, Decimal] | None:
        """ "1/2 douzaine d'œufs", "half a dozen eggs" of the box of 12: the box of 6.

        A part of a pack is a whole number of the family's smaller pack (the same name
        but for the pack) when one holds exactly that share; None otherwise.
        """
        mine = self.products[code].pack
        if mine is None or value <= 0 or value == value.to_integral_value():
            return None
        wanted = value * mine.amount
        for other, info in self._same_family(code):
            pack = info.pack
            if (
                other != code
                and info.unit == "pack"
                and pack is not None
                and pack.dimension == mine.dimension
                and pack.amount > 0
                and wanted % pack.amount == 0
            ):
                return other, (wanted / pack.amount).normalize()
        return None

    def _same_family(self, code: str) -> list[tuple[str, ProductInfo]]:
        """The available products with ``code``'s name but for the pack, itself included."""
        family = self._family.get(code)
        if not family:
            return []
        return [
            (other, info)
            for other, info in self.products.items()
            if info.available and self._family.get(other) == family
        ]

    def repacked(self, code: str, value: Decimal, other: str) -> Decimal | None:
        """ "une douzaine d'œufs en boîtes de 6": ``value`` of ``code`` as packs of ``other``.

        Only between two products of one family (the same name but for the pack) whose
        packs hold the same kind of thing, and only when the packs come out whole.
        """
        mine, theirs = self.products[code], self.products.get(other)
        if theirs is None or other == code or mine.pack is None or theirs.pack is None:
            return None
        if mine.pack.dimension != theirs.pack.dimension or theirs.pack.amount <= 0:
            return None
        family = self._family.get(code)
        if not family or self._family.get(other) != family:
            return None
        packs = value * mine.pack.amount / theirs.pack.amount
        return packs.normalize() if packs > 0 and packs == packs.to_integral_value() else None

    def saying(self, word: str) -> tuple[str, ...]:
        """The products whose name or aliases hold ``word``."""
        if not self._saying:
            for code, words in self._words.items():
                for w in words:
                    self._saying.setdefault(w, []).append(code)
        return tuple(self._saying.get(stem(word), ()))

    def says(self, code: str, word: str) -> bool:
        """Whether a product's name or aliases hold ``word`` ("case" in "case of 12 tins")."""
        return stem(word) in self._words.get(code, frozenset())

    def related(self, code: str, other: str) -> bool:
        """Whether two products' names share a word that is not a unit ("noix de Saint-Jacques"
        and "coquilles Saint-Jacques")."""
        shared = self._words.get(code, frozenset()) & self._words.get(other, frozenset())
        return any(
            w not in UNIT_WORDS and w not in _SIZES and not w[0].isdigit() and len(w) > 2
            for w in shared
        )

    def siblings(self, code: str) -> tuple[str, ...]:
        """The products of the same family or kind as ``code`` ("miel 250 g", "miel 500 g"),
        itself included."""
        head = self._family.get(code, ("",))[:1]
        same = {c for c, family in self._family.items() if head and family[:1] == head}
        same.update(self.kinds_with(code))
        same.add(code)
        return tuple(c for c in self.products if c in same)

    def elided(
        self, word: str, before: str | None, dimension: str | None, size: Decimal | None = None
    ) -> str | None:
        """ "2 yaourts aux fruits + 2 nature", "1 campagne, 1 seigle": the product a word
        names when the rest of its name was left out.

        Among the available products whose names hold the word, a sibling of the product
        named before it (same first word) if there is one, else the one whose unit fits
        the amount (a weight is the flour, a count the bread); None unless exactly one,
        and None for a word that tells a product from no other.
        """
        word = _SYNONYMS.get(word, stem(word))
        if len(word) < (2 if word.isdigit() else 3) or word in UNIT_WORDS or word in _NOT_ELIDED:
            return None
        found = [
            code
            for code, words in self._words.items()
            if word in words and self.products[code].available
        ]
        if len(found) == 1 and not any(
            self.related(found[0], other) for other in self.products if other != found[0]
        ):
            # "1 kg de bouchots" of "Moules de bouchot", the only mussels: no sibling to
            # tell apart, so the word alone is no name.
            return None
        if len(found) > 1 and before is not None and self._family.get(before):
            head = self._family[before][0]
            found = [c for c in found if self._family.get(c, ("",))[0] == head] or found
        if len(found) > 1:
            units = _UNITS_FOR.get(dimension or "", ())
            found = [c for c in found if self.products[c].unit in units] or found
        if len(found) > 1 and size is not None:
            # "un sac d'1 kg de T80" with T80 in 1 kg and 5 kg bags: the bag of that size.
            found = [
                c
                for c in found
                if (pack := self.products[c].pack) is not None
                and (pack.dimension, pack.amount) == (dimension, size)
            ] or found
        return found[0] if len(found) == 1 else None

    def resembles(self, word: str) -> bool:
        """Whether a word is close to one of the catalogue's words (a typo, a variant)."""
        stemmed = stem(word)
        if stemmed in self._keys or len(stemmed) < 5:
            return stemmed in self._keys
        return bool(process.extractOne(stemmed, self._vocab, scorer=fuzz.ratio, score_cutoff=75))

    def _canonical(self, word: str) -> str:
        """The key word a message's word stands for: itself, its singular, or a near match."""
        found = self._canon.get(word)
        if found is None:
            found = self._canon[word] = self._canonical_uncached(word)
            if len(self._canon) > 50_000:  # words are a small vocabulary; bound it anyway
                self._canon.clear()
        return found

    def _canonical_uncached(self, word: str) -> str:
        if word in _GLUE:
            return word
        stemmed = _SYNONYMS.get(word, stem(word))
        if (
            stemmed in self._keys
            or len(stemmed) < 5
            or word in STOPWORDS
            or word in UNIT_WORDS
            or word in GRAMMAR_WORDS
        ):
            return stemmed
        return _fuzzy(stemmed, self._vocab) or stemmed


def _base_name(name: str) -> str:
    """A catalogue name without its parentheses: "Beurre doux (plaque de 250 g)"."""
    return re.sub(r"\s*\(.*?\)", "", name)


def _keep(
    ranked: dict[tuple[str, ...], tuple[int, str]], words: tuple[str, ...], rank: int, code: str
) -> None:
    if words and (words not in ranked or ranked[words][0] > rank):
        ranked[words] = (rank, code)


def _match_key(words: list[str], start: int, key: tuple[str, ...]) -> int | None:
    position, matched = start, 0
    while matched < len(key):
        if position >= len(words):
            return None
        if words[position] == key[matched]:
            matched += 1
        elif not (matched and words[position] in _GLUE):
            return None
        position += 1
    return position


@lru_cache(maxsize=1)
def _translations() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """The lexicon's French-English grocery words, both ways, as match keys."""
    pairs: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for french, english in TRANSLATIONS.items():
        fr, en = key_words(french), key_words(english)
        pairs.setdefault(fr, []).append(en)
        pairs.setdefault(en, []).append(fr)
    return pairs


@lru_cache(maxsize=20000)
def _fuzzy(word: str, vocab: tuple[str, ...]) -> str | None:
    candidates = [v for v in vocab if v[0] == word[0] and abs(len(v) - len(word)) <= 2]
    best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=85)
    if best:
        return best[0]
    if len(word) >= 6:
        # Two neighbouring letters swapped in a long word ("sencah"): one slip, not two.
        # Same letters, one edit apart: only an adjacent swap can be both.
        letters = sorted(word)
        for candidate in candidates:
            if sorted(candidate) == letters and OSA.distance(word, candidate) == 1:
                return candidate
    return None
