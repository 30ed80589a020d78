"""People for the demo campaign: Malian names, workplaces and posts, written a little untidily
the way nominators write them (titles, case, accents, family name first, a typo now and then).

This is demo data only. Grouping is measured on the sets in ``bench/`` (their own name lists and
wordings), never on these.
"""

from __future__ import annotations

import random
import unicodedata

MALE_FIRST = [
    ("Mamadou", 10),
    ("Moussa", 9),
    ("Amadou", 6),
    ("Boubacar", 6),
    ("Abdoulaye", 7),
    ("Ibrahim", 4),
    ("Seydou", 6),
    ("Souleymane", 5),
    ("Oumar", 6),
    ("Ousmane", 5),
    ("Bakary", 5),
    ("Modibo", 4),
    ("Sékou", 4),
    ("Drissa", 4),
    ("Adama", 6),
    ("Lassana", 3),
    ("Salif", 3),
    ("Yacouba", 3),
    ("Issa", 4),
    ("Siaka", 3),
    ("Mohamed", 5),
    ("Cheick Oumar", 2),
    ("Daouda", 3),
    ("Youssouf", 3),
    ("Hamidou", 2),
    ("Tiémoko", 2),
    ("Alassane", 2),
]
FEMALE_FIRST = [
    ("Aminata", 10),
    ("Fatoumata", 12),
    ("Awa", 7),
    ("Hawa", 4),
    ("Mariam", 7),
    ("Kadiatou", 6),
    ("Oumou", 5),
    ("Djénéba", 5),
    ("Assétou", 4),
    ("Aïssata", 5),
    ("Rokia", 4),
    ("Salimata", 3),
    ("Ramata", 3),
    ("Bintou", 3),
    ("Nana", 3),
    ("Fanta", 4),
    ("Korotoumou", 2),
    ("Maïmouna", 3),
    ("Coumba", 2),
    ("Sira", 2),
    ("Tenin", 2),
    ("Alimata", 2),
]
FAMILY = [
    ("Traoré", 14),
    ("Coulibaly", 12),
    ("Diarra", 9),
    ("Keïta", 8),
    ("Koné", 8),
    ("Touré", 7),
    ("Diallo", 7),
    ("Sangaré", 5),
    ("Camara", 5),
    ("Sidibé", 5),
    ("Dembélé", 5),
    ("Maïga", 5),
    ("Cissé", 5),
    ("Konaté", 3),
    ("Doumbia", 3),
    ("Sissoko", 3),
    ("Kanté", 2),
    ("Bagayoko", 2),
    ("Samaké", 2),
    ("Diakité", 3),
    ("Fofana", 2),
    ("Guindo", 2),
    ("Dolo", 2),
    ("Goïta", 2),
]
REGIONS = {
    "District de Bamako": ["Banconi", "Hamdallaye", "Lafiabougou", "Kalaban Coura", "Niamakoro"],
    "Kayes": ["Kayes", "Diamou", "Bafoulabé"],
    "Koulikoro": ["Koulikoro", "Kati", "Siby"],
    "Sikasso": ["Sikasso", "Kadiolo", "Zégoua"],
    "Ségou": ["Ségou", "Markala", "Niono"],
    "Mopti": ["Mopti", "Sévaré", "Djenné"],
    "Tombouctou": ["Tombouctou", "Diré"],
    "Gao": ["Gao", "Ansongo"],
}
# Workplace kind -> (ways of writing it, posts as (masculine, feminine) wordings).
WORKPLACES = {
    "cscom": (
        ["CSCOM de {p}", "Centre de santé communautaire de {p}", "CSCom {p}"],
        [
            ("Médecin chef", "Médecin chef"),
            ("Infirmier", "Infirmière"),
            ("Sage-femme", "Sage-femme"),
        ],
    ),
    "ecole": (
        ["École fondamentale de {p}", "EF {p}", "Ecole fondamentale de {p}"],
        [("Directeur d'école", "Directrice d'école"), ("Enseignant", "Enseignante")],
    ),
    "mairie": (
        ["Mairie de {p}", "Hôtel de ville de {p}"],
        [
            ("Secrétaire général", "Secrétaire générale"),
            ("Agent d'état civil", "Agent d'état civil"),
        ],
    ),
    "police": (
        ["Commissariat de police de {p}", "Commissariat de {p}"],
        [("Commissaire", "Commissaire"), ("Officier de police", "Officier de police")],
    ),
    "douanes": (
        ["Bureau des douanes de {p}", "Douanes de {p}"],
        [
            ("Chef de bureau", "Chef de bureau"),
            ("Inspecteur des douanes", "Inspectrice des douanes"),
        ],
    ),
    "tgi": (
        ["Tribunal de grande instance de {p}", "TGI de {p}"],
        [("Greffier en chef", "Greffière en chef"), ("Procureur", "Procureure")],
    ),
}
TITLES = {"M": ["M.", "Monsieur", "El Hadj"], "F": ["Mme", "Madame", "Hadja"]}


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def people(rng: random.Random, count: int) -> list[dict[str, str]]:
    """``count`` distinct people with a name, a region, a workplace and a post."""
    out: list[dict[str, str]] = []
    seen: set[tuple[str, ...]] = set()
    while len(out) < count:
        gender = rng.choice("MF")
        region = rng.choices(list(REGIONS), weights=[6] + [1] * (len(REGIONS) - 1))[0]
        kind = rng.choice(list(WORKPLACES))
        wordings, posts = WORKPLACES[kind]
        post = rng.choice(posts)
        person = {
            "gender": gender,
            "first": _weighted(rng, MALE_FIRST if gender == "M" else FEMALE_FIRST),
            "family": _weighted(rng, FAMILY),
            "region": region,
            "kind": kind,
            "place": rng.choice(REGIONS[region]),
            "role": post[0] if gender == "M" else post[1],
        }
        key = tuple(person.values())
        if key not in seen:
            seen.add(key)
            out.append(person)
    return out


def nomination_count(rng: random.Random) -> int:
    return rng.choices(
        [1, 2, 3, 4, rng.randint(5, 9), rng.randint(10, 30)], [33, 22, 15, 10, 16, 4]
    )[0]


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def render_name(rng: random.Random, person: dict[str, str]) -> str:
    first, family = person["first"], person["family"]
    if rng.random() < 0.25:
        family = family.upper()
    text = f"{family} {first}" if rng.random() < 0.3 else f"{first} {family}"
    if rng.random() < 0.08:
        i = rng.randrange(1, len(text))
        text = text[:i] + text[i + 1 :] if text[i] != " " else text
    if rng.random() < 0.3:
        text = _plain(text)
    if rng.random() < 0.2:
        text = f"{rng.choice(TITLES[person['gender']])} {text}"
    return text


def render_institution(rng: random.Random, person: dict[str, str]) -> str:
    if rng.random() < 0.1:
        return ""
    text = rng.choice(WORKPLACES[person["kind"]][0]).format(p=person["place"])
    return _plain(text) if rng.random() < 0.3 else text


def render_position(rng: random.Random, person: dict[str, str]) -> str:
    if rng.random() < 0.05:
        return ""
    return _plain(person["role"]) if rng.random() < 0.3 else person["role"]
