"""A labelled, reproducible set of messy nominations for measuring deduplication ("today's kind").

Evaluation data, kept out of production code: grouping must not be tuned to it.

People are drawn with Malian names (family names heavily skewed towards the
common ones), a region, a workplace and a post; many share a full name with
someone in another post, workplace or region, or a family name with a colleague.
Each nomination of a person is then written the way the public writes: titles,
any case, accents dropped, family name first, typos, stray spaces and commas,
abbreviated or missing institution, reworded or missing post and region.
A few copies drop part of a compound first name, and some vague copies (no
institution, no post) fit two namesakes equally well: perfect scores are not
attainable, by design.

``generate`` returns rows in the ``group_nominations`` format with the true person
of each id; ``pairwise_scores`` compares a grouping with those labels.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping

# --- reference data ------------------------------------------------------------


def _table(text: str) -> list[tuple[str, int]]:
    """ "Name:weight, Other name:weight" -> [(name, weight), ...]"""
    out = []
    for item in text.split(","):
        name, _, weight = item.strip().rpartition(":")
        out.append((name, int(weight)))
    return out


MALE_FIRST = _table(
    "Mamadou:10, Moussa:9, Amadou:6, Boubacar:6, Abdoulaye:7, Ibrahim:4, Ibrahima:4, Seydou:6, "
    "Souleymane:5, Oumar:6, Ousmane:5, Bakary:5, Modibo:4, Sékou:4, Drissa:4, Adama:6, "
    "Lassana:3, Lassina:2, Salif:3, Yacouba:3, Issa:4, Siaka:3, Mahamadou:3, Mohamed:5, "
    "Cheick Oumar:2, Mamadou Lamine:2, Sidi Mohamed:2, Abdoul Karim:2, Cheick:3, Daouda:3, "
    "Aboubacar:3, Boureima:2, Hamidou:2, Fousseyni:2, Bréhima:3, Soumaïla:3, Tiémoko:2, "
    "Yaya:3, Zoumana:2, Nouhoum:2, Alassane:2, Aliou:2, Ali:2, Alou:2, Mory:1, Kalifa:2, "
    "Fodé:1, Sory:1, Hamadou:2, Moctar:2, Youssouf:3, Karim:2, Baba:2, Mahamane:2, Sidi:2, "
    "Tidiane:1, Aly:1, Hama:1, Oumarou:1, Hassane:2, Abdourahamane:1, Idrissa:2, Sadio:1"
)
FEMALE_FIRST = _table(
    "Aminata:10, Fatoumata:12, Awa:7, Hawa:4, Mariam:7, Mariama:2, Kadiatou:6, Kadidia:3, "
    "Oumou:5, Djénéba:5, Assétou:4, Aïssata:5, Aïcha:3, Aïssa:2, Rokia:4, Rokiatou:2, "
    "Salimata:3, Mah:2, Ramata:3, Bintou:3, Binta:2, Nana:3, Fanta:4, Sitan:2, Korotoumou:2, "
    "Safiatou:2, Maïmouna:3, Coumba:2, Assa:2, Fatim:2, Adiaratou:1, Tenin:2, Sali:1, "
    "Sira:2, Habibatou:1, Zeinabou:2, Fatoumata Binta:2, Alimata:2, Lalla:1, Kadi:1, "
    "Niakalé:1, Dado:1, Hadiaratou:1, Diahara:2, Massitan:1, Mamou:1, Haoua:1, Nassira:1"
)
FAMILY = _table(
    "Traoré:14, Coulibaly:12, Diarra:9, Keïta:8, Koné:8, Touré:7, Diallo:7, Sangaré:5, "
    "Camara:5, Sidibé:5, Dembélé:5, Maïga:5, Cissé:5, Konaté:3, Doumbia:3, Sissoko:3, "
    "Kanté:2, Bagayoko:2, Samaké:2, Diakité:3, Kouyaté:2, Fofana:2, Ballo:2, Dicko:2, "
    "Guindo:2, Dolo:2, Togo:1, Sanogo:2, Berthé:2, Kané:1, Konté:1, Sow:1, Ba:1, Sy:1, "
    "Tounkara:1, Tangara:1, Dao:1, Goïta:2, Haïdara:2, Cissoko:1, Niaré:1, Dramé:1, "
    "Mariko:1, Timbiné:1, Poudiougou:1, Ouattara:1, N'Diaye:1, Ag Mohamed:1, Ould Sidi:1, "
    "Kampo:1, Kassogué:1, Djiré:1, Tembely:1, Yattara:1, Dia:1, Bah:1, Kodio:1"
)
REGION_PLACES = {
    "District de Bamako": "Banconi, Djélibougou, Boulkassoumbougou, Korofina, Hippodrome, "
    "Médina Coura, Bagadadji, Niaréla, Missira, Bozola, Quinzambougou, Lafiabougou, "
    "Hamdallaye, Djicoroni Para, Sébénikoro, Badalabougou, Torokorobougou, Kalaban Coura, "
    "Magnambougou, Faladié, Sogoniko, Niamakoro, Sokorodji, Banankabougou, Yirimadio, "
    "Sabalibougou, Daoudabougou, Missabougou, Sénou, Bacodjicoroni, Dianéguéla",
    "Kayes": "Kayes, Kayes N'Di, Khasso, Diamou, Sadiola, Ambidédi, Bafoulabé, Yélimané",
    "Koulikoro": "Koulikoro, Kati, Kalaban Coro, Siby, Kangaba, Banamba, Kolokani, Baguineda",
    "Sikasso": "Sikasso, Kadiolo, Kignan, Zégoua, Niéna, Lobougoula, Danderesso, Kléla",
    "Ségou": "Ségou, Pelengana, Markala, Niono, Barouéli, Macina, Bla, Dioro",
    "Mopti": "Mopti, Sévaré, Djenné, Ténenkou, Youwarou, Konna, Fatoma, Socoura",
    "Tombouctou": "Tombouctou, Diré, Goundam, Niafunké, Gourma-Rharous, Léré, Ber",
    "Gao": "Gao, Ansongo, Bourem, Bamba, Soni Aly Ber, Tessit",
    "Kidal": "Kidal, Tessalit, Abeïbara, Aguelhok, Anéfis",
    "Taoudénit": "Taoudénit, Foum-Elba, Boujbeha, Achourat, Arawane",
    "Ménaka": "Ménaka, Andéramboukane, Inékar, Tidermène",
    "Bougouni": "Bougouni, Yanfolila, Kolondiéba, Garalo, Ouroumpana",
    "Dioïla": "Dioïla, Fana, Massigui, Banco, Béléko",
    "Nioro du Sahel": "Nioro du Sahel, Diéma, Troungoumbé, Gavinané, Sandaré",
    "Kita": "Kita, Sagabari, Sébékoro, Toukoto, Kokofata",
    "Nara": "Nara, Ballé, Dilly, Mourdiah, Guiré",
    "San": "San, Tominian, Kimparana, Djéli, Yangasso",
    "Douentza": "Douentza, Boni, Hombori, Boré, Mondoro",
    "Bandiagara": "Bandiagara, Bankass, Koro, Sangha, Dourou",
    "Koutiala": "Koutiala, Yorosso, M'Pessoba, Molobala, Zangasso",
}
REGION_WEIGHTS = [(r, 18 if r == "District de Bamako" else 4) for r in REGION_PLACES]

# Workplace kinds, how often civil servants nominated work there, the ways the
# public writes them ({p} locality, {c} commune number, {n} arrondissement) and
# their posts. A post lists its wordings; a pair is (masculine, feminine).
KIND_WEIGHTS = _table(
    "ef:22, cscom:15, mairie:9, commissariat:8, lycee:6, tgi:5, csref:5, tresor:4, "
    "douanes:5, gendarmerie:5, dr:4, prefecture:3, impots:4"
)
INSTITUTIONS = {
    "cscom": [
        "CSCOM de {p}",
        "CSCOM {p}",
        "CSCom de {p}",
        "Centre de santé communautaire de {p}",
        "Centre de Santé Communautaire de {p}",
        "C.S.Com de {p}",
        "CSCOM de {p}",
        "CSCOM",
    ],
    "csref": [
        "CSRef de {p}",
        "CSRéf {p}",
        "Centre de santé de référence de {p}",
        "CS Réf de {p}",
        "CSREF de {p}",
    ],
    "mairie": [
        "Mairie de {p}",
        "Mairie de la commune de {p}",
        "Hôtel de ville de {p}",
        "Mairie {p}",
    ],
    "tgi": [
        "Tribunal de grande instance de {p}",
        "TGI de {p}",
        "T.G.I. de {p}",
        "TGI {p}",
        "Tribunal de Grande Instance de {p}",
    ],
    "commissariat": ["Commissariat de police de {p}", "Commissariat de {p}", "Commissariat {p}"],
    "ef": [
        "École fondamentale de {p}",
        "Ecole fondamentale de {p}",
        "EF de {p}",
        "E.F. {p}",
        "École Fondamentale {p}",
        "Ecole fond. de {p}",
        "EF {p}",
    ],
    "lycee": ["Lycée public de {p}", "Lycée de {p}", "Lycée {p}", "Lycée Public de {p}"],
    "tresor": ["Trésor public de {p}", "Trésor de {p}", "Trésorerie de {p}", "Trésor public {p}"],
    "douanes": [
        "Bureau des douanes de {p}",
        "Douanes de {p}",
        "Bureau de douane de {p}",
        "Poste de douane de {p}",
    ],
    "gendarmerie": [
        "Brigade de gendarmerie de {p}",
        "Gendarmerie de {p}",
        "Brigade territoriale de gendarmerie de {p}",
    ],
    "prefecture": ["Préfecture de {p}", "Préfecture du cercle de {p}", "Préfecture {p}"],
    "impots": ["Centre des impôts de {p}", "Centre d'impôts de {p}", "Impôts {p}"],
    "dr santé": [
        "Direction régionale de la santé de {p}",
        "DRS {p}",
        "DRS de {p}",
        "DR Santé {p}",
        "Direction Régionale de la Santé",
        "D.R. de la santé de {p}",
    ],
    "dr budget": [
        "Direction régionale du budget de {p}",
        "DR Budget {p}",
        "DR du budget de {p}",
        "Direction régionale du Budget",
    ],
}
_BAMAKO_COMMUNE = {"csref", "mairie", "tgi", "impots"}
ROLES: dict[str, dict[str, list]] = {
    "cscom": {
        "medecin_chef": ["Médecin chef", "Médecin-chef", "Médecin-chef du CSCOM", "Médecin Chef"],
        "sage_femme": ["Sage-femme", "Sage femme", "sage-femme", "Sage-femme du CSCOM"],
        "infirmier": [("Infirmier", "Infirmière"), ("Infirmier d'État", "Infirmière d'État")],
        "gerant": ["Gérant de la pharmacie", "Gérant pharmacie", ("Gérant", "Gérante")],
        "matrone": ["Matrone", "matrone"],
    },
    "csref": {
        "medecin_chef": ["Médecin chef", "Médecin-chef", "Médecin-chef du CSRef"],
        "medecin": ["Médecin", "médecin"],
        "sage_femme": ["Sage-femme", "Sage femme", "SAGE-FEMME"],
        "chirurgien": [("Chirurgien", "Chirurgienne")],
        "infirmier": [("Infirmier", "Infirmière")],
        "infirmier_major": [("Infirmier major", "Infirmière major")],
    },
    "mairie": {
        "maire": ["Maire", "Maire de la commune", "maire"],
        "sg": ["Secrétaire général", "Secrétaire général de la mairie", "SG de la mairie"],
        "etat_civil": ["Agent d'état civil", "Agent de l'état civil"],
        "regisseur": [("Régisseur", "Régisseuse")],
    },
    "tgi": {
        "president": [("Président du tribunal", "Présidente du tribunal"), "Président du TGI"],
        "procureur": ["Procureur de la République", "Procureur"],
        "juge": ["Juge d'instruction"],
        "greffier_chef": [("Greffier en chef", "Greffière en chef")],
        "greffier": [("Greffier", "Greffière")],
    },
    "commissariat": {
        "commissaire": ["Commissaire", "Commissaire de police"],
        "officier": ["Officier de police", "Officier de police judiciaire"],
        "inspecteur": [("Inspecteur de police", "Inspectrice de police")],
        "agent": ["Agent de police", ("Policier", "Policière")],
    },
    "ef": {
        "directeur": [
            ("Directeur d'école", "Directrice d'école"),
            ("Directeur de l'école", "Directrice de l'école"),
            ("Directeur", "Directrice"),
        ],
        "enseignant": [("Enseignant", "Enseignante"), ("Instituteur", "Institutrice"), "Maître"],
    },
    "lycee": {
        "proviseur": ["Proviseur", "Proviseur du lycée"],
        "censeur": ["Censeur"],
        "professeur": ["Professeur", ("Enseignant", "Enseignante"), "Professeur de lycée"],
    },
    "tresor": {
        "tresorier": ["Trésorier payeur", "Trésorier-payeur"],
        "caissier": [("Caissier", "Caissière")],
        "comptable": ["Comptable"],
    },
    "douanes": {
        "chef_bureau": [
            "Chef de bureau",
            "Chef du bureau des douanes",
            "Chef de bureau des douanes",
        ],
        "inspecteur": [("Inspecteur des douanes", "Inspectrice des douanes")],
        "agent": ["Agent des douanes", ("Douanier", "Douanière"), "Agent de douane"],
    },
    "gendarmerie": {
        "commandant": ["Commandant de brigade", "Commandant de la brigade"],
        "gendarme": ["Gendarme"],
    },
    "prefecture": {"prefet": ["Préfet", "Préfet du cercle"], "sg": ["Secrétaire général", "SG"]},
    "impots": {
        "chef_centre": ["Chef de centre", "Chef du centre des impôts"],
        "inspecteur": [("Inspecteur des impôts", "Inspectrice des impôts")],
    },
    "dr": {
        "directeur": [("Directeur régional", "Directrice régionale")],
        "chef_division": ["Chef de division", "Chef de la division"],
        "comptable": ["Comptable"],
    },
}
_WOMEN_ONLY = {"sage_femme", "matrone"}
_ROMAN = ["", "I", "II", "III", "IV", "V", "VI"]


def workplace(rng: random.Random, kind: str, region: str) -> tuple[str, object]:
    """An identity for one workplace of this kind in this region."""
    localities = [p.strip() for p in REGION_PLACES[region].split(",")]
    bamako = region == "District de Bamako"
    if kind == "dr":
        return rng.choice(("santé", "budget")), "Bamako" if bamako else localities[0]
    if bamako and kind in _BAMAKO_COMMUNE:
        return "commune", rng.randint(1, 6)
    if bamako and kind == "commissariat":
        return "arrondissement", rng.randint(1, 16)
    if kind in ("csref", "tgi", "tresor", "prefecture", "impots"):
        localities = localities[:4]  # only the main towns have one
    section = rng.choice(("", "", "", " A", " B")) if kind == "ef" else ""
    return rng.choice(localities), section


def institution_text(rng: random.Random, kind: str, place: tuple[str, object]) -> str:
    first, second = place
    if kind == "dr":
        return rng.choice(INSTITUTIONS[f"dr {first}"]).format(p=second)
    if first == "arrondissement":
        n = int(second)  # type: ignore[call-overload]
        nth = "1er" if n == 1 else rng.choice((f"{n}e", f"{n}ème", f"{n}eme"))
        return rng.choice(
            (
                f"Commissariat de police du {nth} arrondissement",
                f"Commissariat du {nth} arrondissement",
                f"Commissariat de police du {nth} arrondissement de Bamako",
                f"Commissariat du {nth} Arrondissement",
            )
        )
    if first == "commune":
        n = int(second)  # type: ignore[call-overload]
        template = rng.choice([t for t in INSTITUTIONS[kind] if "commune de" not in t])
        number = rng.choice((_ROMAN[n], str(n)))
        commune = f"la Commune {number}" if "de {p}" in template else f"Commune {number}"
        return template.format(p=commune)
    return rng.choice(INSTITUTIONS[kind]).format(p=f"{first}{second}")


def titles_for(gender: str, role: str) -> list[str]:
    titles = ["M.", "Monsieur", "Mr", "M", "El Hadj", "Elhadj"]
    if gender == "F":
        titles = ["Mme", "Madame", "Mme.", "Hadja", "Mlle"]
    if role in ("medecin_chef", "medecin", "chirurgien"):
        titles += ["Dr", "Dr.", "Docteur"] * 3
    elif role in ("president", "procureur", "juge", "greffier_chef"):
        titles += ["Me", "Maître"] * 2
    elif role == "professeur":
        titles += ["Pr", "Prof", "Professeur"]
    elif role == "maire":
        titles += ["Hon", "Honorable"]
    return titles


# --- generation -----------------------------------------------------------------


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _make_person(rng: random.Random) -> dict[str, object]:
    gender = rng.choice("MF")
    first = _weighted(rng, MALE_FIRST if gender == "M" else FEMALE_FIRST)
    person: dict[str, object] = {
        "gender": gender,
        "first": first,
        "family": _weighted(rng, FAMILY),
    }
    _place_person(rng, person, region=_weighted(rng, REGION_WEIGHTS))
    return person


def _place_person(
    rng: random.Random, person: dict[str, object], region: str, kind: str | None = None
) -> None:
    kind = kind or _weighted(rng, KIND_WEIGHTS)
    if kind == "prefecture" and region == "District de Bamako":
        kind = "mairie"  # the District has no prefecture
    person["region"] = region
    person["kind"] = kind
    person["place"] = workplace(rng, kind, region)
    _pick_role(rng, person)


def _pick_role(rng: random.Random, person: dict[str, object], exclude: object = None) -> None:
    roles = [
        r
        for r in ROLES[str(person["kind"])]
        if r != exclude and not (person["gender"] == "M" and r in _WOMEN_ONLY)
    ]
    if roles:
        person["role"] = rng.choice(roles)


def _people(rng: random.Random, n_people: int) -> list[dict[str, object]]:
    people: list[dict[str, object]] = []
    taken: set[tuple[object, ...]] = set()
    while len(people) < n_people:
        draw = rng.random()
        if people and draw < 0.14:
            # Namesake: same full name, somewhere or something else.
            person = dict(rng.choice(people))
            how = rng.random()
            if how < 0.3 and len(ROLES[str(person["kind"])]) > 2:
                _pick_role(rng, person, exclude=person["role"])
            elif how < 0.7:
                kind = str(person["kind"]) if rng.random() < 0.5 else None
                _place_person(rng, person, str(person["region"]), kind)
            else:
                regions = [r for r, _ in REGION_WEIGHTS if r != person["region"]]
                _place_person(rng, person, rng.choice(regions), str(person["kind"]))
        elif people and draw < 0.19:
            # Colleague sharing the family name: same workplace, another first name.
            person = dict(rng.choice(people))
            person["gender"] = rng.choice("MF")
            names = MALE_FIRST if person["gender"] == "M" else FEMALE_FIRST
            person["first"] = _weighted(rng, names)
            _pick_role(rng, person)
        else:
            person = _make_person(rng)
        # Two people alike in every field could not be told apart by anyone.
        identity = tuple(person[k] for k in ("first", "family", "region", "kind", "place", "role"))
        if identity not in taken:
            taken.add(identity)
            people.append(person)
    return people


def _nomination_count(rng: random.Random) -> int:
    bucket = rng.random()
    if bucket < 0.33:
        return 1
    if bucket < 0.55:
        return 2
    if bucket < 0.70:
        return 3
    if bucket < 0.80:
        return 4
    if bucket < 0.96:
        return rng.randint(5, 9)
    return rng.randint(10, 30)


def _typo(rng: random.Random, text: str) -> str:
    chars = list(text)
    spots = [i for i, c in enumerate(chars) if c.isalpha() or (c == " " and rng.random() < 0.05)]
    if not spots:
        return text
    i = rng.choice(spots)
    op = rng.choice(("sub", "sub", "del", "ins", "swap"))
    letter = rng.choice("aeioubcdfgklmnrstyz")
    if op == "sub":
        chars[i] = letter
    elif op == "del":
        del chars[i]
    elif op == "ins":
        chars.insert(i, rng.choice((letter, chars[i])))
    elif i + 1 < len(chars):
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def _case(rng: random.Random, text: str, weights: tuple[int, int, int]) -> str:
    style = rng.choices(("keep", "upper", "lower"), weights=weights)[0]
    return text.upper() if style == "upper" else text.lower() if style == "lower" else text


def render_name(rng: random.Random, person: Mapping[str, object]) -> str:
    first, family = str(person["first"]), str(person["family"])
    if " " in first and rng.random() < 0.3:
        first = first.replace(" ", "-")
    if " " in first and rng.random() < 0.03:
        first = first.split()[0]  # "Mamadou Lamine" written "Mamadou"
    style = rng.random()
    if style < 0.25:
        family = family.upper()
    elif style < 0.35:
        first, family = first.lower(), family.lower()
    elif style < 0.45:
        first, family = first.upper(), family.upper()
    if rng.random() < 0.35:
        text = f"{family}, {first}" if rng.random() < 0.15 else f"{family} {first}"
    else:
        text = f"{first} {family}"
    if rng.random() < 0.2:
        for _ in range(1 if rng.random() < 0.65 else 2):
            text = _typo(rng, text)
    if rng.random() < 0.4:
        text = _strip_accents(text)
    if rng.random() < 0.25:
        titles = titles_for(str(person["gender"]), str(person["role"]))
        text = f"{rng.choice(titles)} {text}"
    if rng.random() < 0.1:
        text = text.replace(" ", "  ", 1)
    if rng.random() < 0.08:
        text = f" {text} "
    return text


def render_institution(rng: random.Random, person: Mapping[str, object]) -> str | None:
    if rng.random() < 0.12:
        return rng.choice((None, "", " "))
    kind, place = str(person["kind"]), person["place"]
    text = institution_text(rng, kind, place)  # type: ignore[arg-type]
    if rng.random() < 0.03:
        text = _typo(rng, text)
    if rng.random() < 0.4:
        text = _strip_accents(text)
    return _case(rng, text, (70, 15, 15))


def render_position(rng: random.Random, person: Mapping[str, object]) -> str | None:
    if rng.random() < 0.05:
        return rng.choice((None, ""))
    variants = ROLES[str(person["kind"])][str(person["role"])]
    text = rng.choice(variants)
    if isinstance(text, tuple):
        text = text[0] if person["gender"] == "M" else text[1]
    if rng.random() < 0.4:
        text = _strip_accents(text)
    return _case(rng, text, (75, 10, 15))


def render_region(rng: random.Random, person: Mapping[str, object]) -> str | None:
    if rng.random() < 0.04:
        return rng.choice((None, ""))
    region = str(person["region"])
    options = [region, _strip_accents(region), region.upper(), f"Région de {region}"]
    if region == "District de Bamako":
        options = [region, "Bamako", "BAMAKO", "District de Bamako", "bamako"]
    text = rng.choice(options)
    return _typo(rng, text) if rng.random() < 0.02 else text


def generate(n_people: int = 1100, seed: int = 0) -> tuple[list[dict[str, object]], dict[int, int]]:
    """Rows in the ``group_nominations`` format and the true person of every id."""
    rng = random.Random(seed)
    people = _people(rng, n_people)
    drafts = []
    for label, person in enumerate(people):
        for _ in range(_nomination_count(rng)):
            drafts.append(
                (
                    label,
                    {
                        "nominee_name": render_name(rng, person),
                        "position": render_position(rng, person),
                        "institution": render_institution(rng, person),
                        "region": render_region(rng, person),
                    },
                )
            )
    rng.shuffle(drafts)
    rows, labels = [], {}
    for row_id, (label, fields) in enumerate(drafts, start=1):
        rows.append({"id": row_id, **fields})
        labels[row_id] = label
    return rows, labels


def pairwise_scores(
    groups: Iterable[Iterable[Hashable]], labels: Mapping[Hashable, Hashable]
) -> tuple[float, float]:
    """Pairwise precision and recall, counted from group/person overlaps."""

    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    predicted = together = 0
    for group in groups:
        overlap = Counter(labels[i] for i in group)
        predicted += pairs(sum(overlap.values()))
        together += sum(pairs(n) for n in overlap.values())
    actual = sum(pairs(n) for n in Counter(labels.values()).values())
    precision = together / predicted if predicted else 1.0
    recall = together / actual if actual else 1.0
    return precision, recall
