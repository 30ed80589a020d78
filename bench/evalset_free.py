"""Two more labelled sets, written from their own name lists and wordings (not the lexicons').

``generate_free``: Malian nominations in free wording. One person is written with several
orthographies (Traoré/Tarawélé, Coulibaly/Kulibali, Diarra/Jara), diminutives (Mamadou/Madou,
Fatoumata/Fatim), sometimes only a title and the family name; posts and institutions in free words
("Institutrice"/"Maîtresse d'école", "GS Kati"/"Groupe scolaire de Kati"); the region given as a
cercle or a town. Traps: namesakes elsewhere, relatives (same family name, same town).

``generate_ng``: Nigerian nominations with the noise of today's set (typos, case, order, titles,
abbreviations), from Hausa, Yoruba and Igbo names.
"""

from __future__ import annotations

import random
import unicodedata

from bench.evalset import _typo, pairwise_scores  # noqa: F401 (re-exported for the harness)

# name -> the spellings nominators use for it (the first is the civil-status spelling)
ML_FAMILY = {
    "Traoré": ["Traoré", "Traore", "Tarawelé", "Tarawele", "TRAORE"],
    "Coulibaly": ["Coulibaly", "Kulibali", "Koulibaly", "Coulibali"],
    "Diarra": ["Diarra", "Jara", "Diara", "Djarra"],
    "Keïta": ["Keïta", "Keita", "Kéita", "Keyita"],
    "Koné": ["Koné", "Kone"],
    "Diallo": ["Diallo", "Jallo", "Dialo"],
    "Diakité": ["Diakité", "Jakité", "Diakite", "Djakite"],
    "Sangaré": ["Sangaré", "Sangare"],
    "Dembélé": ["Dembélé", "Dembele", "Danbele"],
    "Doumbia": ["Doumbia", "Dumbia", "Dounbia"],
    "Camara": ["Camara", "Kamara"],
    "Maïga": ["Maïga", "Maiga", "Mayga"],
    "Ouattara": ["Ouattara", "Wattara", "Watara"],
    "Sanogo": ["Sanogo", "Sanogho"],
    "Touré": ["Touré", "Toure", "Turé"],
    "Samaké": ["Samaké", "Samake"],
    "Konaté": ["Konaté", "Konate"],
    "Fofana": ["Fofana", "Fofanah"],
    "Sidibé": ["Sidibé", "Sidibe"],
    "Bagayoko": ["Bagayoko", "Bagayogo"],
    "Kouyaté": ["Kouyaté", "Kuyate", "Kouyate"],
    "Dolo": ["Dolo"],
    "Guindo": ["Guindo", "Guindou"],
    "Togola": ["Togola", "Togora"],
    "Berthé": ["Berthé", "Berthe", "Berté"],
}
ML_MALE = {
    "Mamadou": ["Mamadou", "Madou", "Mamadu"],
    "Ibrahim": ["Ibrahim", "Ibrahima", "Brahima"],
    "Moussa": ["Moussa", "Musa"],
    "Sékou": ["Sékou", "Sekou", "Seku"],
    "Oumar": ["Oumar", "Umar", "Omar"],
    "Yacouba": ["Yacouba", "Yakouba", "Yakuba"],
    "Souleymane": ["Souleymane", "Souleimane"],
    "Abdoulaye": ["Abdoulaye", "Ablaye"],
    "Lassana": ["Lassana", "Lassina"],
    "Seydou": ["Seydou", "Seidou"],
    "Bakary": ["Bakary", "Bakari"],
    "Drissa": ["Drissa", "Idrissa"],
    "Adama": ["Adama"],
    "Modibo": ["Modibo"],
    "Siaka": ["Siaka", "Syaka"],
    "Tiémoko": ["Tiémoko", "Tiemogo"],
    "Boubacar": ["Boubacar", "Boubakar"],
}
ML_FEMALE = {
    "Fatoumata": ["Fatoumata", "Fatim", "Fatouma"],
    "Djénéba": ["Djénéba", "Jeneba", "Dieneba", "Djeneba"],
    "Aminata": ["Aminata", "Aminatou"],
    "Mariam": ["Mariam", "Mariama"],
    "Kadiatou": ["Kadiatou", "Kadidiatou"],
    "Aïssata": ["Aïssata", "Aissata", "Aichata"],
    "Oumou": ["Oumou", "Umu"],
    "Rokia": ["Rokia", "Rokiatou"],
    "Awa": ["Awa"],
    "Hawa": ["Hawa"],
    "Bintou": ["Bintou", "Bintu"],
    "Assétou": ["Assétou", "Assetou", "Asseta"],
    "Salimata": ["Salimata", "Salymata"],
    "Korotoumou": ["Korotoumou", "Korotumu"],
    "Nana": ["Nana"],
    "Ramata": ["Ramata", "Ramatou"],
}
# region -> (its towns and cercles, as nominators also name the region)
ML_PLACES = {
    "Koulikoro": ["Kati", "Kangaba", "Kolokani", "Siby", "Koulikoro"],
    "Sikasso": ["Sikasso", "Kadiolo", "Zégoua", "Niéna"],
    "Ségou": ["Ségou", "Markala", "Niono", "Bla"],
    "Mopti": ["Mopti", "Sévaré", "Djenné", "Konna"],
    "Kayes": ["Kayes", "Diamou", "Bafoulabé", "Yélimané"],
    "District de Bamako": ["Banconi", "Lafiabougou", "Niamakoro", "Hamdallaye", "Sogoniko"],
}
# kind -> (ways of writing the workplace, {post: [wordings (masc, fem) or plain]})
ML_WORK = {
    "school": (
        ["GS {p}", "Groupe scolaire de {p}", "École fondamentale de {p}", "Ecole de {p}",
         "EF {p}", "École {p}"],
        {"teacher": [("Instituteur", "Institutrice"), ("Maître d'école", "Maîtresse d'école"),
                     ("Enseignant", "Enseignante"), "Maître"],
         "head": [("Directeur d'école", "Directrice d'école"), ("Directeur", "Directrice"),
                  ("Dir. de l'école", "Dir. de l'école")]},
    ),
    "health": (
        ["CSCOM {p}", "Centre de santé communautaire de {p}", "CS Com de {p}", "CSCom de {p}"],
        {"nurse": [("Infirmier", "Infirmière"), ("Infirmier d'État", "Infirmière d'État")],
         "doctor": ["Médecin chef", "Médecin-chef du CSCOM", "DTC", "Médecin"],
         "midwife": ["Sage-femme", "Sage femme", "Matrone"]},
    ),
    "town": (
        ["Mairie de {p}", "Hôtel de ville de {p}", "Mairie {p}", "Commune de {p}"],
        {"registrar": ["Agent d'état civil", "Officier d'état civil", "État civil"],
         "secretary": [("Secrétaire général", "Secrétaire générale"), "SG de la mairie", "SG"]},
    ),
    "police": (
        ["Commissariat de {p}", "Commissariat de police de {p}", "Police de {p}"],
        {"chief": ["Commissaire", "Commissaire de police"],
         "officer": ["Officier de police", "OPJ", "Policier"]},
    ),
}  # fmt: skip
ML_TITLES = {"M": ["M.", "Monsieur", "El Hadj", "Mr"], "F": ["Mme", "Madame", "Mlle", "Hadja"]}


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _count(rng: random.Random) -> int:
    return rng.choices([1, 2, 3, 4, 5, 7, 12], [30, 23, 16, 11, 10, 7, 3])[0]


def _word(rng: random.Random, wording: object, gender: str) -> str:
    if isinstance(wording, tuple):
        return wording[0] if gender == "M" else wording[1]
    return str(wording)


def _free_people(rng: random.Random, n: int) -> list[dict]:
    people: list[dict] = []
    seen: set[tuple] = set()
    while len(people) < n:
        draw = rng.random()
        if people and draw < 0.12:  # namesake: same name, another workplace or town
            person = dict(rng.choice(people))
            region = rng.choice(list(ML_PLACES))
            person.update(region=region, town=rng.choice(ML_PLACES[region]))
            person["kind"] = rng.choice(list(ML_WORK))
            person["post"] = rng.choice(list(ML_WORK[person["kind"]][1]))
        elif people and draw < 0.2:  # relative or colleague: same family, same town
            person = dict(rng.choice(people))
            person["gender"] = rng.choice("MF")
            first = ML_MALE if person["gender"] == "M" else ML_FEMALE
            person["first"] = rng.choice(list(first))
            person["post"] = rng.choice(list(ML_WORK[person["kind"]][1]))
        else:
            gender = rng.choice("MF")
            region = rng.choice(list(ML_PLACES))
            kind = rng.choice(list(ML_WORK))
            person = {
                "gender": gender,
                "first": rng.choice(list(ML_MALE if gender == "M" else ML_FEMALE)),
                "family": rng.choices(list(ML_FAMILY), [30 - i for i in range(len(ML_FAMILY))])[0],
                "region": region,
                "town": rng.choice(ML_PLACES[region]),
                "kind": kind,
                "post": rng.choice(list(ML_WORK[kind][1])),
            }
        key = tuple(person[k] for k in ("first", "family", "region", "town", "kind", "post"))
        if key not in seen:
            seen.add(key)
            people.append(person)
    return people


def _free_row(rng: random.Random, p: dict) -> dict:
    firsts = (ML_MALE if p["gender"] == "M" else ML_FEMALE)[p["first"]]
    first, family = rng.choice(firsts), rng.choice(ML_FAMILY[p["family"]])
    style = rng.random()
    if style < 0.12:
        name = f"{rng.choice(ML_TITLES[p['gender']])} {family}"
    elif style < 0.45:
        name = f"{family} {first}"
    else:
        name = f"{first} {family}"
    if rng.random() < 0.12:
        name = _typo(rng, name)
    if rng.random() < 0.2 and style >= 0.12:
        name = f"{rng.choice(ML_TITLES[p['gender']])} {name}"
    if rng.random() < 0.3:
        name = rng.choice((name.upper(), name.lower()))
    wordings, posts = ML_WORK[p["kind"]]
    institution = "" if rng.random() < 0.1 else rng.choice(wordings).format(p=p["town"])
    position = "" if rng.random() < 0.06 else _word(rng, rng.choice(posts[p["post"]]), p["gender"])
    where = rng.random()
    if where < 0.45:
        region = p["region"]
    elif where < 0.85:
        region = p["town"]
    elif where < 0.93:
        region = f"Cercle de {p['town']}" if p["region"] != "District de Bamako" else "Bamako"
    else:
        region = ""
    fields = {"nominee_name": name, "position": position, "institution": institution}
    if rng.random() < 0.4:
        fields = {k: _plain(v) for k, v in fields.items()}
    return {**fields, "region": region}


# --- Nigeria ---------------------------------------------------------------------------

NG_FIRST = {
    "M": ["Musa", "Abubakar", "Ibrahim", "Sani", "Aliyu", "Usman", "Yusuf", "Chinedu", "Emeka",
          "Obinna", "Chukwuemeka", "Tunde", "Olumide", "Babatunde", "Adewale", "Segun", "Kayode",
          "Nnamdi", "Ikechukwu", "Suleiman", "Garba", "Bello", "Danjuma", "Femi", "Gbenga"],
    "F": ["Aisha", "Fatima", "Hauwa", "Zainab", "Amina", "Hadiza", "Ngozi", "Chiamaka", "Adaeze",
          "Nneka", "Funmilayo", "Folake", "Yetunde", "Bukola", "Titilayo", "Blessing", "Grace",
          "Halima", "Maryam", "Khadija", "Ifeoma", "Chioma", "Kemi", "Ronke", "Bilkisu"],
}  # fmt: skip
NG_FAMILY = [
    "Abdullahi", "Mohammed", "Bello", "Ibrahim", "Usman", "Okafor", "Okonkwo", "Eze", "Nwosu",
    "Adeyemi", "Ogunleye", "Adebayo", "Olawale", "Balogun", "Yusuf", "Suleiman", "Danladi",
    "Obi", "Chukwu", "Nnaji", "Okoro", "Afolabi", "Oyelaran", "Lawal", "Garba", "Aminu", "Sani",
    "Umar", "Akinola", "Onyekachi", "Ekwueme", "Ojo", "Bakare", "Olatunji", "Ugwu",
]  # fmt: skip
NG_STATES = {
    "Lagos": ["Ikeja", "Surulere", "Epe", "Ikorodu", "Badagry"],
    "Kano": ["Kano Municipal", "Nassarawa", "Fagge", "Dala", "Gwale"],
    "Kaduna": ["Zaria", "Kaduna North", "Kafanchan", "Giwa"],
    "Enugu": ["Nsukka", "Udi", "Enugu East", "Oji River"],
    "Oyo": ["Ibadan North", "Ogbomosho", "Oyo East", "Iseyin"],
    "Federal Capital Territory": ["Gwagwalada", "Kuje", "Bwari", "Abaji"],
    "Rivers": ["Obio-Akpor", "Bonny", "Eleme", "Okrika"],
}
NG_WORK = {
    "phc": (["Primary Health Centre {p}", "PHC {p}", "Primary Health Care Centre, {p}",
             "P.H.C. {p}"],
            {"nurse": ["Nurse", "Nurse, PHC", "nurse"],
             "chew": ["Community Health Extension Worker", "CHEW"],
             "head": ["Officer in Charge", "OIC"]}),
    "school": (["Government Secondary School {p}", "GSS {p}", "Govt. Sec. School {p}",
                "Government Secondary School, {p}"],
               {"principal": ["Principal", "Principal of the school"],
                "teacher": ["Teacher", "teacher", "Teacher (GSS)"]}),
    "lga": (["{p} Local Government Secretariat", "{p} LGA", "{p} Local Government Area",
             "LGA Secretariat {p}"],
            {"secretary": ["Secretary", "Secretary to the Local Government"],
             "treasurer": ["Treasurer", "Treasurer of the LGA"]}),
    "police": (["{p} Police Division", "{p} Divisional Police HQ", "Police Division {p}"],
               {"dpo": ["DPO", "Divisional Police Officer"],
                "inspector": ["Inspector", "Inspector of Police"]}),
}  # fmt: skip
NG_TITLES = {"M": ["Mr", "Mr.", "Alhaji", "Chief", "Engr."], "F": ["Mrs", "Mrs.", "Hajiya", "Ms"]}


def _ng_people(rng: random.Random, n: int) -> list[dict]:
    people: list[dict] = []
    seen: set[tuple] = set()
    while len(people) < n:
        if people and rng.random() < 0.12:  # namesake elsewhere
            person = dict(rng.choice(people))
            person["state"] = rng.choice(list(NG_STATES))
            person["town"] = rng.choice(NG_STATES[person["state"]])
        else:
            gender = rng.choice("MF")
            state = rng.choice(list(NG_STATES))
            kind = rng.choice(list(NG_WORK))
            person = {
                "gender": gender,
                "first": rng.choice(NG_FIRST[gender]),
                "family": rng.choice(NG_FAMILY),
                "state": state,
                "town": rng.choice(NG_STATES[state]),
                "kind": kind,
                "post": rng.choice(list(NG_WORK[kind][1])),
            }
        key = tuple(person[k] for k in ("first", "family", "state", "town", "kind", "post"))
        if key not in seen:
            seen.add(key)
            people.append(person)
    return people


def _ng_row(rng: random.Random, p: dict) -> dict:
    name = f"{p['family']} {p['first']}" if rng.random() < 0.35 else f"{p['first']} {p['family']}"
    if rng.random() < 0.15:
        name = _typo(rng, name)
    if rng.random() < 0.2:
        name = f"{rng.choice(NG_TITLES[p['gender']])} {name}"
    if rng.random() < 0.25:
        name = name.upper()
    wordings, posts = NG_WORK[p["kind"]]
    institution = "" if rng.random() < 0.1 else rng.choice(wordings).format(p=p["town"])
    position = "" if rng.random() < 0.05 else rng.choice(posts[p["post"]])
    state = p["state"]
    region = rng.choice([state, f"{state} State", state.upper()]) if rng.random() > 0.05 else ""
    if state == "Federal Capital Territory" and rng.random() < 0.5:
        region = rng.choice(["FCT", "Abuja", "FCT Abuja"])
    return {
        "nominee_name": name,
        "position": position,
        "institution": institution,
        "region": region,
    }


def _assemble(rng: random.Random, people: list[dict], row) -> tuple[list[dict], dict[int, int]]:  # type: ignore[no-untyped-def]
    drafts = [(label, row(rng, p)) for label, p in enumerate(people) for _ in range(_count(rng))]
    rng.shuffle(drafts)
    rows, labels = [], {}
    for row_id, (label, fields) in enumerate(drafts, start=1):
        rows.append({"id": row_id, **fields})
        labels[row_id] = label
    return rows, labels


def generate_free(n_people: int = 1500, seed: int = 0) -> tuple[list[dict], dict[int, int]]:
    rng = random.Random(seed)
    return _assemble(rng, _free_people(rng, n_people), _free_row)


def generate_ng(n_people: int = 1100, seed: int = 0) -> tuple[list[dict], dict[int, int]]:
    rng = random.Random(seed)
    return _assemble(rng, _ng_people(rng, n_people), _ng_row)
