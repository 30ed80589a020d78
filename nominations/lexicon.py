"""Country knowledge for grouping, read from data files.

``lexicons/generic.toml`` holds what any edition can rely on (French and English titles, workplace
and post words); ``lexicons/<country>.toml`` adds a country's names and their spellings, regions
with their cercles and towns, and the abbreviations of its public services. A country without a
file groups with the generic words alone. The edition's own regions are always regions.

The algorithms in ``normalise`` and ``dedup`` are the same for every country: only this data
changes.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA

_DIR = Path(__file__).parent / "lexicons"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# Spelling rules shared by French, English and the Latin orthographies of West African and
# South Asian languages: "Coulibaly"/"Kulibali", "Diarra"/"Jara", "Ouattara"/"Wattara".
_PHONETIC_RULES = [
    (re.compile(r"dj|dy"), "j"),
    (re.compile(r"^di(?=[aeou])"), "j"),
    (re.compile(r"ou|oo|w"), "u"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"(?<=[tdbkg])h"), ""),
    (re.compile(r"ck|qu|q|c(?=[aouklrt]|$)|kh"), "k"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"y"), "i"),
    (re.compile(r"(?<=[aeiou])h$"), ""),
    # Bambara and Mande orthographies hear l and r as one ("Togola"/"Togora", "Tarawele").
    (re.compile(r"l"), "r"),
    (re.compile(r"(.)\1+"), r"\1"),
    (re.compile(r"(?<=...)e$"), ""),
    (re.compile(r"(?<=..)u$"), "o"),  # "Guindou"/"Guindo"
]


@lru_cache(maxsize=1 << 16)
def phonetic(word: str) -> str:
    """A sound-alike key for a folded name word; kept unchanged below three letters."""
    if len(word) < 3:
        return word
    for pattern, repl in _PHONETIC_RULES:
        word = pattern.sub(repl, word)
    return word


def _fold(text: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(_NON_ALNUM.sub(" ", s).split())


def _load(name: str) -> dict:
    path = _DIR / f"{name}.toml"
    if not path.exists():
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


def _get(data: dict, section: str, key: str, default: object) -> object:
    return data.get(section, {}).get(key, default)


class Lexicon:
    """The merged generic and country vocabularies, with the edition's regions."""

    def __init__(self, country: str = "", regions: tuple[str, ...] = ()) -> None:
        self.country = country.lower()
        layers = [_load(self.country), _load("generic")] if self.country else [_load("generic")]
        lists = lambda section, key: [  # noqa: E731
            w for layer in layers for w in _get(layer, section, key, [])
        ]
        maps = lambda section, key: [_get(layer, section, key, {}) for layer in layers]  # noqa: E731

        self.titles = frozenset(lists("names", "titles"))
        self.hadj = frozenset(lists("names", "hadj"))
        self.male = frozenset(lists("names", "male"))
        self.female = frozenset(lists("names", "female"))
        self.distinct = frozenset(lists("names", "distinct"))
        # Every spelling (and its sound-alike key) points at the key of its line's first spelling.
        self._canon: dict[str, str] = {}
        self.variant_of: dict[str, str] = {}
        for line in lists("names", "variants"):
            head = phonetic(line[0])
            for spelling in line:
                self.variant_of.setdefault(phonetic(spelling), head)

        # The titles a misspelt word may stand for (title_of): the generic ones, as words and no
        # name. "Hadja" and its kin, and a country's titles that are names too ("Cheickna"), only
        # as written.
        fuzzy = [
            t
            for t in _get(layers[-1], "names", "titles", [])
            if t.isalpha()
            and t not in self.hadj
            and not t.startswith(("hadj", "haj"))
            and phonetic(t) not in self.variant_of
        ]
        self._long_titles = sorted(t for t in fuzzy if len(t) >= 6)
        self._short_titles = sorted(t for t in fuzzy if 3 <= len(t) < 6)
        self._title_of: dict[str, str] = {}

        # Their keys, where two listed names are never a typo of each other ("Amadou", "Mamadou").
        self.distinct_keys = frozenset(self.canon(n) for n in self.distinct)

        self.region_filler = frozenset(lists("regions", "filler"))
        self.region_aliases: dict[str, str] = {}
        self.towns: set[str] = set()  # aliases that name a place within the region
        regions_found: list[str] = []
        for layer in layers:
            for region, names in _get(layer, "regions", "names", {}).items():
                regions_found.append(region)
                for name in names:
                    self.region_aliases.setdefault(name, region)
            for region, places in _get(layer, "regions", "places", {}).items():
                regions_found.append(region)
                for place in places:
                    self.region_aliases.setdefault(place, region)
                    self.towns.add(place)
        for raw in regions:
            words = [w for w in _fold(raw).split() if w not in self.region_filler]
            key = " ".join(words)
            if key and key not in self.region_aliases:
                regions_found.append(key)
        self.regions = frozenset(regions_found)

        phrases = lists("institutions", "phrases")
        self.institution_re = re.compile(
            "|".join(rf"(?P<k{i}>\b(?:{p})\b)" for i, (p, _) in enumerate(phrases))
        )
        self.institution_repl = {f"k{i}": repl for i, (_, repl) in enumerate(phrases)}
        self.kinds = frozenset(lists("institutions", "kinds"))
        self.generic_kinds: dict[str, frozenset[str]] = {}
        for layer_map in reversed(maps("institutions", "generic_kinds")):
            for word, kinds in layer_map.items():
                self.generic_kinds[word] = self.generic_kinds.get(word, frozenset()) | set(kinds)
        self.stopwords = frozenset(lists("institutions", "stopwords"))
        self.place_filler = self.stopwords | frozenset(lists("institutions", "place_filler"))
        self.domains = frozenset(lists("institutions", "domains"))
        # Misspelt abbreviations ("CCOM", "Impoks") are recognised; short ones ("EF", "TGI") are
        # too easily confused with other words to guess at.
        self.fuzzy_kinds = sorted(k for k in self.kinds if len(k) >= 5 and k.isalpha())

        self.position_words: dict[str, str] = {}
        for layer_map in reversed(maps("positions", "words")):
            self.position_words.update(layer_map)
        self.teacher = frozenset(lists("positions", "teacher"))
        self.ranks = frozenset(lists("positions", "ranks"))
        self.position_context: dict[str, str] = {}
        for layer_map in reversed(maps("positions", "sectors")):
            for sector, words in layer_map.items():
                for word in words:
                    self.position_context[word] = sector
        self.units = frozenset(lists("positions", "units"))

    def title_of(self, word: str) -> str:
        """The title a word stands for: itself, or a title it misspells ("Madaame", "Monsieui",
        "Mlel") and no name of the lexicon does. A title of six letters or more takes one edit;
        a shorter one only two letters swapped ("Mlle" is one letter from "Mlale"); "Hadja" and
        its kin, names too, only as written."""
        found = self._title_of.get(word)
        if found is None:
            found = word if word in self.titles else ""
            if not found and len(word) >= 3 and phonetic(word) not in self.variant_of:
                found = next((t for t in self._long_titles if _one_edit(word, t)), "") or next(
                    (t for t in self._short_titles if _swapped(word, t)), ""
                )
            self._title_of[word] = found
        return found

    def canon(self, token: str) -> str:
        """One key for the spellings of one name: known variants first, sound-alikes otherwise."""
        found = self._canon.get(token)
        if found is None:
            key = phonetic(token)
            found = self._canon[token] = self.variant_of.get(key, key)
        return found


def _one_edit(word: str, title: str) -> bool:
    return abs(len(word) - len(title)) <= 1 and OSA.distance(word, title, score_cutoff=1) <= 1


def _swapped(word: str, title: str) -> bool:
    """Two neighbouring letters swapped ("mlel" for "mlle")."""
    if len(word) != len(title) or word == title:
        return False
    diff = [i for i in range(len(word)) if word[i] != title[i]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and word[diff[0]] == title[diff[1]]
        and word[diff[1]] == title[diff[0]]
    )


@lru_cache(maxsize=64)
def lexicon(country: str = "", regions: tuple[str, ...] = ()) -> Lexicon:
    """The lexicon of a country (ISO 3166 alpha-2, any case) with an edition's regions."""
    return Lexicon(country, tuple(regions))


def available() -> list[str]:
    """Countries with their own lexicon file."""
    return sorted(p.stem.upper() for p in _DIR.glob("*.toml") if p.stem != "generic")
