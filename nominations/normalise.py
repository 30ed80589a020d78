"""Turn the free-text fields of a nomination into keys that can be compared.

Nominators type names, institutions and posts however they like; these functions
strip everything that does not identify a person or a workplace (accents, case,
titles, punctuation, connecting words) and map the usual abbreviations onto one
spelling. They are pure and deterministic; callers memoise them per string
because a campaign repeats the same institution and post strings many times.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from rapidfuzz.distance import OSA

from campaign.text import romanised
from nominations.lexicon import Lexicon, lexicon

_TRANSLATE = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'", "‘": "'", "`": "'", "´": "'"}
)
# One pass over the ASCII bytes lower-cases them and makes every other byte a space (what
# ``lower`` and a substitution of ``[^a-z0-9]+`` did in three, on a str).
_WORDS = bytes(
    ord(chr(c).lower()) if chr(c).isascii() and chr(c).isalnum() else ord(" ") for c in range(256)
)


def fold(text: object, *, join_apostrophes: bool = False) -> str:
    """Lower-case ASCII words separated by single spaces, other scripts romanised
    (``campaign.text.romanised``: "राम प्रसाद शर्मा" is "ram prsad srma", so that such names
    group and are found as Latin ones are).

    ``join_apostrophes`` is for names, where "N'Diaye" must equal "Ndiaye"; in
    institutions an apostrophe separates words ("d'école").
    """
    if text is None:
        return ""
    s = str(text)
    if s.isascii():
        data = s.encode("ascii")
    else:
        s = unicodedata.normalize("NFKD", s.translate(_TRANSLATE))
        data = "".join([c if c.isascii() else romanised(c) for c in s]).encode("ascii", "ignore")
    return b" ".join(data.translate(_WORDS, b"'" if join_apostrophes else b"").split()).decode()


def typo_cap(a: str, b: str) -> int:
    """Edits accepted as a typo between two words: none for two letters (Ba and Ka
    are different families), one for three or four (Awa/Ava, but not Ali/Alou),
    two from five letters on."""
    n = max(len(a), len(b))
    return 0 if n <= 2 else 1 if n <= 4 else 2


# --- names -------------------------------------------------------------------


def name_tokens(raw: object, lex: Lexicon | None = None) -> tuple[str, ...]:
    """Sorted name words without titles, so that word order does not matter.

    "Hadja" is also given as a first name: it is kept when dropping it would leave
    a single word.
    """
    lex = lex or lexicon()
    return _tokens(_titled(fold(raw, join_apostrophes=True).split(), lex), lex)


def read_name(words: list[str], lex: Lexicon) -> tuple[tuple[str, ...], str]:
    """``name_tokens`` and ``name_gender`` of a name already folded (with joined apostrophes)
    into ``words``, its titles read once."""
    titled = _titled(words, lex)
    return _tokens(titled, lex), _gender(titled, lex)


def _tokens(words: list[str], lex: Lexicon) -> tuple[str, ...]:
    kept, hadj = [], []
    for i, word in enumerate(words):
        # "El" alone can start a name (El Mehdi); only "El Hadj" is a title. A letter alone
        # before it is "El" with a letter lost ("l Hadj").
        if (
            (word in ("el", "al") or len(word) == 1)
            and i + 1 < len(words)
            and words[i + 1] in lex.hadj
        ):
            continue
        if word in lex.hadj:
            hadj.append(word)
        elif word not in lex.titles:
            kept.append(word)
    if len(kept) == 1 and hadj:
        kept.append(hadj[0])
    return tuple(sorted(kept))


def _titled(words: list[str], lex: Lexicon) -> list[str]:
    """The words with the misspelt titles that open a name read as those titles ("Madaame
    Konaté"); a name's last word is never one."""
    out = list(words)
    for i, word in enumerate(words[:-1]):
        title = lex.title_of(word)
        if not title:
            break
        out[i] = title
    return out


def name_gender(raw: object, lex: Lexicon | None = None) -> str:
    """ "m" or "f" when the name's titles say so ("M.", "Madame", "El Hadj"), else ""."""
    lex = lex or lexicon()
    return _gender(_titled(fold(raw, join_apostrophes=True).split(), lex), lex)


def _gender(titled: list[str], lex: Lexicon) -> str:
    words = set(titled)
    male, female = bool(words & lex.male), bool(words & lex.female)
    return "m" if male and not female else "f" if female and not male else ""


# --- regions -----------------------------------------------------------------


def region_key(raw: object, lex: Lexicon | None = None) -> str:
    """Canonical region: the lexicon's and the edition's regions absorb typos, and their cercles
    and towns name them; others are kept folded."""
    lex = lex or lexicon()
    folded = fold(raw).split()
    words = [w for w in folded if w not in lex.region_filler]
    if not words:
        # "District" alone means the District de Bamako.
        return lex.region_aliases.get("district", "") if "district" in folded else ""
    key = " ".join(words)
    if key in lex.regions:
        return key
    if key in lex.region_aliases:
        return lex.region_aliases[key]
    # "Bamako Commune IV", "Ségou ville": the region is one of the words.
    named = [w for w in words if w in lex.regions]
    if named:
        return named[0]
    named = [lex.region_aliases[w] for w in words if w in lex.region_aliases]
    if named:
        return named[0]
    # A misspelt region is the one region closest to it within the typo cap ("Kidla" is Kidal
    # before Kita); a three-letter word only one edit from a region, and only written alone
    # ("Sai", "Nra").
    for candidate in (key, *words):
        if len(candidate) < 3 or (len(candidate) == 3 and candidate != key):
            continue
        cap = 1 if len(candidate) == 3 else None
        close = sorted(
            (d, r)
            for r in lex.regions
            if (d := OSA.distance(candidate, r)) <= (cap or typo_cap(candidate, r))
        )
        if len(close) == 1 or (close and close[0][0] < close[1][0]):
            return close[0][1]
    return key


# --- institutions --------------------------------------------------------------

_ORDINAL_WORDS = {
    "premier": "1",
    "premiere": "1",
    "deuxieme": "2",
    "second": "2",
    "seconde": "2",
    "troisieme": "3",
    "quatrieme": "4",
    "cinquieme": "5",
    "sixieme": "6",
    "septieme": "7",
}
_ROMAN = {
    r: str(i)
    for i, r in enumerate(
        ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"), 1
    )
}
_ORDINAL_RE = re.compile(r"^(\d+)(?:e|er|ere|eme|ieme|em)?$")  # after fold: "3ème" is "3eme"


class Institution(NamedTuple):
    kinds: frozenset[str]  # {"cscom"}; several when generic; empty when not recognised
    place: frozenset[str]  # remaining words, mostly the locality
    place_text: str  # the same words in order, for typo-tolerant comparison
    numbers: frozenset[str]  # "Commune III", "3e arrondissement", "Ecole B"
    domain: frozenset[str] = frozenset()  # "Direction régionale de la santé": {"sante"}


def _section_marker(word: str, last: bool) -> str | None:
    if word in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[word]
    if word in _ROMAN:
        return _ROMAN[word]
    match = _ORDINAL_RE.match(word)
    if match:
        return str(int(match.group(1)))
    # A final single letter is a section ("Ecole A", "Ecole B"); elsewhere it is
    # more likely a mangled "à" or "la".
    if len(word) == 1 and last and word not in ("d", "l"):
        return word
    return None


def _fuzzy_kind(word: str, lex: Lexicon) -> str | None:
    if len(word) < 4:
        return None
    close = [k for k in lex.fuzzy_kinds if OSA.distance(word, k) <= typo_cap(word, k)]
    return close[0] if len(close) == 1 else None


def institution_key(raw: object, lex: Lexicon | None = None) -> Institution | None:
    """Kind of workplace, locality words and section numbers; None when blank."""
    lex = lex or lexicon()
    text = lex.institution_re.sub(lambda m: lex.institution_repl[m.lastgroup or ""], fold(raw))
    kinds, place, numbers = set(), [], set()
    words = text.split()
    for i, word in enumerate(words):
        marker = _section_marker(word, last=i == len(words) - 1)
        if marker is not None:
            numbers.add(marker)
        elif word in lex.kinds:
            kinds.add(word)
        elif word in lex.generic_kinds:
            kinds.update(lex.generic_kinds[word])
        elif word not in lex.place_filler and word not in place and len(word) > 1:
            kind = None if kinds else _fuzzy_kind(word, lex)
            if kind:
                kinds.add(kind)
            else:
                place.append(word)
    if not (kinds or place or numbers):
        return None
    domain: set[str] = set()
    if "dr" in kinds:
        # "Direction régionale des douanes" is a directorate, not a customs office.
        domain = (kinds - {"dr"}) | {w for w in place if w in lex.domains}
        kinds = {"dr"}
        place = [w for w in place if w not in lex.domains]
    return Institution(
        frozenset(kinds),
        frozenset(place),
        " ".join(place),
        frozenset(numbers),
        frozenset(domain),
    )


def institutions_compatible(
    a: Institution, b: Institution, *, lenient: bool = False
) -> tuple[bool, bool]:
    """(compatible, vague): vague means one side lacked a part, so the match is a
    guess that may fit several workplaces. ``lenient`` also accepts places sharing
    one word up to a typo: two misspellings of one place may be far from each other."""
    vague = False
    if a.kinds and b.kinds:
        if a.kinds.isdisjoint(b.kinds):
            return False, False
        vague = a.kinds != b.kinds
    else:
        vague = True
    if a.domain and b.domain:
        if a.domain != b.domain:
            return False, False
    elif a.domain or b.domain:
        vague = True
    if a.numbers and b.numbers:
        if a.numbers != b.numbers:
            return False, False
    elif a.numbers or b.numbers:
        vague = True
    if not a.place or not b.place:
        # "Commissariat du 3e arrondissement" is fully identified by its number.
        return True, vague or bool(a.place or b.place) or not a.numbers
    if a.place == b.place:
        return True, vague
    # One side naming the place more fully ("Kalaban" / "Kalaban Coura") is wording,
    # not another workplace.
    if a.place <= b.place or b.place <= a.place:
        return True, True
    sa, sb = a.place_text, b.place_text
    if sa.replace(" ", "") == sb.replace(" ", ""):
        return True, vague
    cap = 1 if max(len(sa), len(sb)) < 8 else 2
    if OSA.distance(sa, sb, score_cutoff=cap) <= cap:
        return True, vague
    ta, tb = " ".join(sorted(a.place)), " ".join(sorted(b.place))
    if OSA.distance(ta, tb, score_cutoff=cap) <= cap:
        return True, vague
    if lenient:
        for x in a.place:
            for y in b.place:
                if min(len(x), len(y)) >= 4 and OSA.distance(x, y) <= typo_cap(x, y):
                    return True, True
    return False, False


# --- positions -----------------------------------------------------------------


class Position(NamedTuple):
    core: str  # what the job is, words sorted: "chef medecin", "bureau chef"
    context: frozenset[str]  # sectors named after it


def position_key(raw: object, lex: Lexicon | None = None) -> Position | None:
    """The post itself and the sectors it names; None when blank."""
    lex = lex or lexicon()
    words: list[str] = []
    for word in fold(raw).split():
        words.extend(lex.position_words.get(word, word).split())
    core: list[str] = []
    context: set[str] = set()
    in_context = False
    for word in words:
        if word in lex.stopwords or word == "a":
            continue
        if word in lex.units and not in_context and core and core[-1] == "chef":
            core.append(word)
        elif word in lex.position_context or word in lex.units:
            in_context = True
            if lex.position_context.get(word):
                context.add(lex.position_context[word])
        elif not in_context:
            core.append(word)
        # Unknown words after the workplace are its name (a locality): ignore them.
    if not core and not context:
        return None
    if len(core) == 1 and core[0] in lex.teacher:
        core = ["enseignant"]
    # "Adjoint au maire" and "Maire adjoint" are one post.
    return Position(" ".join(sorted(core)), frozenset(context))


def positions_compatible(a: Position, b: Position, *, lenient: bool = False) -> bool:
    """Same post in other words. ``lenient`` doubles the typo allowance: it is for
    checking that two nominations already linked through others do not clash."""
    if a.core != b.core:
        if not a.core or not b.core:
            return False
        cap = (1 if max(len(a.core), len(b.core)) < 8 else 2) * (2 if lenient else 1)
        if OSA.distance(a.core, b.core, score_cutoff=cap) > cap:
            return False
    return a.context <= b.context or b.context <= a.context
