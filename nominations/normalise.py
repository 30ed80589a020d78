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

_TRANSLATE = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'", "‘": "'", "`": "'", "´": "'"}
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: object, *, join_apostrophes: bool = False) -> str:
    """Lower-case ASCII words separated by single spaces.

    ``join_apostrophes`` is for names, where "N'Diaye" must equal "Ndiaye"; in
    institutions an apostrophe separates words ("d'école").
    """
    if text is None:
        return ""
    s = str(text)
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s.translate(_TRANSLATE))
        s = s.encode("ascii", "ignore").decode("ascii")
    s = s.lower()
    if join_apostrophes:
        s = s.replace("'", "")
    return " ".join(_NON_ALNUM.sub(" ", s).split())


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def typo_cap(a: str, b: str) -> int:
    """Edits accepted as a typo between two words: none for two letters (Ba and Ka
    are different families), one for three or four (Awa/Ava, but not Ali/Alou),
    two from five letters on."""
    n = max(len(a), len(b))
    return 0 if n <= 2 else 1 if n <= 4 else 2


# --- names -------------------------------------------------------------------

TITLES = _words(
    "dr docteur doctor mme madame mlle mademoiselle m mr mrs ms monsieur pr prof professeur "
    "me maitre hon honorable elhadj elhadji alhadji alhaji hadja hadji hadj haja hadjia ing "
    "dre docteure professeure "
    "col cdt capt cne lt sgt imam abbe pere excellence"
)
_HADJ = frozenset({"hadj", "hadji", "hadja", "haj", "hadjia"})


# Common Malian given and family names. Several are one or two letters apart
# ("Awa"/"Hawa", "Koné"/"Kané", "Sékou"/"Seydou"): those are different names, not
# typos. Spelling variants of one name are listed too ("Ibrahim"/"Ibrahima"): a
# nominator writes one person's name the same way each time, give or take a typo.
KNOWN_NAMES = _words(
    # given names
    "abdoulaye aboubacar adama adam alassane ali aliou alou aly amadou ahmadou bakary baba "
    "boubacar boureima brehima cheick daouda drissa idrissa fode fousseyni hama hamadou "
    "hamidou hassane ibrahim ibrahima issa kalifa karim lassana lassina mahamadou mahamane "
    "mamadou modibo moctar mohamed mory moussa nouhoum oumar oumarou ousmane sadio salif "
    "salia sekou seydou siaka sidi sidiki sory souleymane soumaila tiemoko tidiane yacouba "
    "yaya youssouf zoumana adiaratou hadiaratou aicha aissa aissata alimata aminata assa "
    "assetou awa hawa haoua binta bintou coumba dado diahara djeneba fanta fatim fatima "
    "fatoumata habibatou kadi kadia kadiatou kadidia korotoumou lalla mah maimouna mamou "
    "mariam mariama massitan nana nassira niakale oumou ramata rokia rokiatou safiatou sali "
    "salimata sira sitan tenin zeinabou "
    # family names
    "ag ba bah ballo bagayoko berthe camara cisse cissoko coulibaly dao dembele dia diakite "
    "diallo diarra dicko djire dolo doumbia drame fofana goita guindo haidara kampo kane "
    "kante kassogue keita kodio konate kone konte kouyate mariko maiga ndiaye niare ould "
    "ouattara poudiougou samake sangare sanogo sidibe sissoko sow sy tangara tembely "
    "timbine togo toure tounkara traore yattara"
)


def name_tokens(raw: object) -> tuple[str, ...]:
    """Sorted name words without titles, so that word order does not matter.

    "Hadja" is also given as a first name: it is kept when dropping it would leave
    a single word.
    """
    words = fold(raw, join_apostrophes=True).split()
    kept, hadj = [], []
    for i, word in enumerate(words):
        # "El" alone can start a name (El Mehdi); only "El Hadj" is a title.
        if word in ("el", "al") and i + 1 < len(words) and words[i + 1] in _HADJ:
            continue
        if word in _HADJ:
            hadj.append(word)
        elif word not in TITLES:
            kept.append(word)
    if len(kept) == 1 and hadj:
        kept.append(hadj[0])
    return tuple(sorted(kept))


# --- regions -----------------------------------------------------------------

REGIONS = _words(
    "kayes koulikoro sikasso segou mopti tombouctou gao kidal taoudenit menaka bougouni "
    "dioila nioro kita nara san douentza bandiagara koutiala bamako"
)
_REGION_ALIASES = {
    "timbuktu": "tombouctou",
    "tombouktou": "tombouctou",
    "taoudeni": "taoudenit",
    "taoudenni": "taoudenit",
    "nioro sahel": "nioro",
    "bko": "bamako",
    "district": "bamako",
}
_REGION_FILLER = _words("region de du des la le l d district cercle")


def region_key(raw: object) -> str:
    """Canonical region; known Malian regions absorb typos, others are kept folded."""
    folded = fold(raw).split()
    words = [w for w in folded if w not in _REGION_FILLER]
    if not words:
        # "District" alone means the District de Bamako.
        return "bamako" if "district" in folded else ""
    key = " ".join(words)
    if key in REGIONS:
        return key
    if key in _REGION_ALIASES:
        return _REGION_ALIASES[key]
    # "Bamako Commune IV", "Ségou ville": the region is one of the words.
    named = [w for w in words if w in REGIONS]
    if named:
        return named[0]
    for candidate in (key, *words):
        close = [r for r in sorted(REGIONS) if OSA.distance(candidate, r) <= typo_cap(candidate, r)]
        if len(close) == 1 and len(candidate) >= 4:
            return close[0]
    return key


# --- institutions --------------------------------------------------------------

# Matched in one pass over the folded text; where several start at the same word
# the first listed wins, so longer phrases come first ("centre de santé de
# référence" before "centre de santé").
_INSTITUTION_PHRASES = [
    (r"centres? de sante communautaires?|c s com|cs com|c s c o m", "cscom"),
    (r"centres? de sante de reference|cs ref|c s ref|c s r e f", "csref"),
    (r"hotel de ville|mairie", "mairie"),
    (r"tribunal de grande instance|t g i", "tgi"),
    (r"tribunal de premiere instance|t p i", "tpi"),
    (r"tribunal d instance", "ti"),
    (r"cour d appel", "courappel"),
    (r"tribunal administratif", "tribadmin"),
    (r"tribunal de commerce", "tribcommerce"),
    (r"commissariats? de police|commissariats?", "commissariat"),
    (r"postes? de police", "postepolice"),
    (r"ecoles? fondamentales?|ecole fond|ec fond|e f|ecoles? primaires?", "ef"),
    (r"lycees?", "lycee"),
    (r"directions? regionales?|d r", "dr"),
    (r"drs", "dr sante"),
    (r"academies? d enseignement", "ae"),
    (r"centres? d animation pedagogique", "cap"),
    (r"tresor public|tresorerie|tresor", "tresor"),
    (r"bureaux? des douanes|bureaux? de douanes?|postes? de douanes?|douanes?", "douanes"),
    (r"brigade territoriale de gendarmerie|brigade de gendarmerie|gendarmerie", "gendarmerie"),
    (r"sous prefecture", "sousprefecture"),
    (r"prefecture", "prefecture"),
    (r"hopital regional|hopital", "hopital"),
    (r"centres? de sante", "centresante"),
    (r"ecoles?", "ecole"),
    (r"centres? des impots|centres? d impots|impots", "impots"),
    (r"recette perception|perception", "perception"),
]
# One pass: at each position the first listed alternative that matches wins.
_INSTITUTION_RE = re.compile(
    "|".join(rf"(?P<k{i}>\b(?:{p})\b)" for i, (p, _) in enumerate(_INSTITUTION_PHRASES))
)
_INSTITUTION_REPL = {f"k{i}": repl for i, (_, repl) in enumerate(_INSTITUTION_PHRASES)}
INSTITUTION_KINDS = _words(
    "cscom csref mairie tgi tpi ti courappel tribadmin tribcommerce commissariat "
    "postepolice ef lycee college dr ae cap tresor douanes gendarmerie sousprefecture "
    "prefecture hopital impots perception"
)
# A generic word stands for any of several kinds: "Tribunal de Kayes" may be the TGI.
_GENERIC_KINDS = {
    "tribunal": _words("tgi tpi ti tribadmin tribcommerce courappel"),
    "ecole": _words("ef lycee college"),
    "centresante": _words("cscom csref"),
}
STOPWORDS = _words("de du des la le l d et en au aux pour par sur")
_PLACE_FILLER = STOPWORDS | _words(
    "commune urbaine rurale cercle quartier ville public publique centre region regional "
    "regionale district arrondissement police mali"
)
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
_ORDINAL_RE = re.compile(r"^(\d+)(?:e|er|ere|eme|ieme|em|ème)?$")


# What a regional directorate ("DR") is in charge of: part of which workplace it
# is, not of where it is.
_DR_DOMAINS = _words(
    "sante budget education douanes impots tresor developpement social agriculture "
    "elevage peche eaux forets travail emploi jeunesse sports culture commerce industrie "
    "urbanisme habitat domaines cadastre hydraulique energie plan statistique finances "
    "protection civile promotion femme enfant famille solidarite"
)


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


# Misspelt abbreviations ("CCOM", "Impoks") are recognised; short ones ("EF",
# "TGI") are too easily confused with other words to guess at.
_FUZZY_KINDS = sorted(k for k in INSTITUTION_KINDS if len(k) >= 5 and k.isalpha())


def _fuzzy_kind(word: str) -> str | None:
    if len(word) < 4:
        return None
    close = [k for k in _FUZZY_KINDS if OSA.distance(word, k) <= typo_cap(word, k)]
    return close[0] if len(close) == 1 else None


def institution_key(raw: object) -> Institution | None:
    """Kind of workplace, locality words and section numbers; None when blank."""
    text = _INSTITUTION_RE.sub(lambda m: _INSTITUTION_REPL[m.lastgroup or ""], fold(raw))
    kinds, place, numbers = set(), [], set()
    words = text.split()
    for i, word in enumerate(words):
        marker = _section_marker(word, last=i == len(words) - 1)
        if marker is not None:
            numbers.add(marker)
        elif word in INSTITUTION_KINDS:
            kinds.add(word)
        elif word in _GENERIC_KINDS:
            kinds.update(_GENERIC_KINDS[word])
        elif word not in _PLACE_FILLER and word not in place and len(word) > 1:
            kind = None if kinds else _fuzzy_kind(word)
            if kind:
                kinds.add(kind)
            else:
                place.append(word)
    if not (kinds or place or numbers):
        return None
    domain: set[str] = set()
    if "dr" in kinds:
        # "Direction régionale des douanes" is a directorate, not a customs office.
        domain = (kinds - {"dr"}) | {w for w in place if w in _DR_DOMAINS}
        kinds = {"dr"}
        place = [w for w in place if w not in _DR_DOMAINS]
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

_POSITION_WORDS = {
    # Feminine forms are the same post.
    "directrice": "directeur",
    "infirmiere": "infirmier",
    "greffiere": "greffier",
    "caissiere": "caissier",
    "inspectrice": "inspecteur",
    "gerante": "gerant",
    "presidente": "president",
    "conseillere": "conseiller",
    "pharmacienne": "pharmacien",
    "technicienne": "technicien",
    "chirurgienne": "chirurgien",
    "agente": "agent",
    "adjointe": "adjoint",
    "perceptrice": "percepteur",
    "tresoriere": "tresorier",
    "receveuse": "receveur",
    "comptables": "comptable",
    "policiere": "agent police",
    "douaniere": "agent douanes",
    "enseignante": "enseignant",
    "docteur": "medecin",
    "docteure": "medecin",
    # Abbreviations.
    "sg": "secretaire general",
    "dir": "directeur",
    "adj": "adjoint",
    "pdt": "president",
    "resp": "responsable",
    "sagefemme": "sage femme",
    "sages": "sage",
    "femmes": "femme",
    "policier": "agent police",
    "douanier": "agent douanes",
    "medecins": "medecin",
}
# Teachers are called all of these by the public; the school tells them apart. Only
# a post of that one word is a teacher: "Sage-femme maîtresse" is a midwife.
_TEACHER = _words("instituteur institutrice maitre maitresse professeur professeure prof")

# Words that say where the post is rather than what it is: "Commissaire de police"
# is "Commissaire" and "Médecin-chef du CSCOM" is "Médecin-chef". Each maps to the
# sector it names, so that "Agent de santé" and "Agent de police" stay apart while
# "Président du tribunal" and "Président du TGI" agree; "" marks words that
# announce the workplace without naming a sector.
_SECTORS = {
    "sante": "cscom csref centresante sante hopital pharmacie communautaire reference",
    "justice": "tgi tpi ti tribunal courappel tribadmin tribcommerce justice",
    "police": "police commissariat postepolice",
    "douanes": "douane douanes",
    "education": "ecole ef lycee college fondamentale education enseignement ae cap",
    "mairie": "mairie commune",
    "etatcivil": "civil",
    "tresor": "tresor",
    "impots": "impots",
    "gendarmerie": "gendarmerie brigade",
    "prefecture": "prefecture sousprefecture",
    "": "dr regional regionale republique pres etat cercle region district public publique",
}
_POSITION_CONTEXT = {word: sector for sector, words in _SECTORS.items() for word in words.split()}
# "Chef de bureau", "Chef de division": after "chef" these words are the post itself.
_UNITS = _words("bureau centre poste service division section cabinet brigade")


class Position(NamedTuple):
    core: str  # what the job is, words sorted: "chef medecin", "bureau chef"
    context: frozenset[str]  # sectors named after it


def position_key(raw: object) -> Position | None:
    """The post itself and the sectors it names; None when blank."""
    words: list[str] = []
    for word in fold(raw).split():
        words.extend(_POSITION_WORDS.get(word, word).split())
    core: list[str] = []
    context: set[str] = set()
    in_context = False
    for word in words:
        if word in STOPWORDS or word == "a":
            continue
        if word in _UNITS and not in_context and core and core[-1] == "chef":
            core.append(word)
        elif word in _POSITION_CONTEXT or word in _UNITS:
            in_context = True
            if _POSITION_CONTEXT.get(word):
                context.add(_POSITION_CONTEXT[word])
        elif not in_context:
            core.append(word)
        # Unknown words after the workplace are its name (a locality): ignore them.
    if not core and not context:
        return None
    if len(core) == 1 and core[0] in _TEACHER:
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
