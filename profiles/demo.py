"""Demo profiles: in every phase the hall of fame of the campaign's known past Icons; in the
voting phase the finalists on the ballot, in the results phase the same with the winner, each
published with a photo, a bio and a story (their audio spots come after, from audio_spots.demo,
which reads ``finalists`` here: spots belong to profiles, so profiles never imports audio_spots).

Everything goes through the services a manager's pages call (profiles.editing), so the photo
renditions are really made under ICON_MEDIA_DIR.
"""

from __future__ import annotations

import io
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from rapidfuzz import fuzz, process
from sqlalchemy.engine import Engine
from sqlmodel import select

from campaign import db
from campaign.models import Campaign, Role, User
from campaign.phases import Phase
from campaign.settings import load_settings
from nominations import demo_people, jury_view
from profiles import editing
from profiles.forms import PastIn, ProfileIn

TITLES = {"m", "mr", "mme", "mlle", "monsieur", "madame", "dr", "el", "hadj", "elhadj", "hadja"}
FEMALE = {n for n, _ in demo_people.FEMALE_FIRST}
FIRST = [n for n, _ in demo_people.FEMALE_FIRST + demo_people.MALE_FIRST]
FAMILY = [n for n, _ in demo_people.FAMILY]

# Sector -> (words of the post or workplace, bio, story, French spot). {Il}/{il}/{e} agree with
# the person; {where} is "à Bamako" or "dans la région de ...".
SECTORS = {
    "santé": (
        ("sante", "cscom", "csref", "sage", "infirm", "medecin", "pharma", "matrone", "chirurg"),
        "{name} est {pos} {where} depuis quatorze ans. {Il} connaît chaque famille du quartier "
        "et forme les jeunes agents qui arrivent au centre de santé.",
        "Au centre, les soins ont un prix affiché au mur, et {name} veille à ce que personne ne "
        "paie un franc de plus. Quand un commerçant lui a glissé un billet pour passer devant des "
        "mères venues faire vacciner leurs enfants, {il} le lui a rendu devant tout le monde.\n"
        "Pendant la saison des pluies, {il} a tenu un cahier public des médicaments reçus et "
        "distribués : les ruptures de stock ont cessé, et le comité de gestion a adopté le cahier.",
        "{name} soigne chacun au prix affiché, sans cadeau ni passe-droit.",
    ),
    "école": (
        ("ecole", "enseign", "maitre", "instit", "lycee", "profess", "proviseur", "censeur"),
        "{name} est {pos} {where}. {Il} enseigne depuis dix-neuf ans et a fait de son école un "
        "lieu où les notes ne s'achètent pas.",
        "Chaque année, avant les examens, des parents viennent proposer de l'argent pour "
        "« arranger » une note. {name} refuse, explique que la réussite se prépare en classe, et "
        "donne des cours de soutien gratuits le samedi matin.\n"
        "Quand les fournitures de l'académie sont arrivées, {il} en a affiché la liste à l'entrée "
        "et les a distribuées devant le comité des parents d'élèves. Pas un cahier n'a disparu.",
        "{name} refuse l'argent des notes : ses élèves réussissent par le travail.",
    ),
    "douane": (
        ("douan",),
        "{name} est {pos} {where}. À la frontière, {il} applique le tarif officiel à tous, du "
        "petit commerçant au grand transporteur.",
        "Un transporteur lui a proposé une enveloppe pour laisser passer un camion sans "
        "déclaration. {name} a refusé, a fait inventorier la marchandise et a établi la quittance "
        "au montant exact. Le transporteur est revenu la semaine suivante, ses papiers en règle.\n"
        "Au poste, {il} a fait afficher les droits et taxes en français et en bambara, pour que "
        "chacun sache ce qu'il doit vraiment payer.",
        "{name} refuse les enveloppes et applique le même tarif à tous.",
    ),
    "police": (
        ("police", "commissa", "gendarm", "brigade"),
        "{name} est {pos} {where}. Sur la route comme au poste, {il} rappelle que la loi est la "
        "même pour tous.",
        "Aux contrôles routiers, {name} a mis fin aux « petits arrangements » : chaque "
        "infraction donne lieu à un procès-verbal et à une quittance, jamais à un billet glissé "
        "dans la main.\n"
        "Quand le proche d'un notable a voulu faire disparaître une plainte, {il} a transmis le "
        "dossier au procureur comme les autres. La plaignante, une vendeuse de légumes, a obtenu "
        "réparation.",
        "{name} dresse des procès-verbaux, jamais des arrangements.",
    ),
    "justice": (
        ("tribunal", "greff", "juge", "procureur", "tgi"),
        "{name} est {pos} {where}. {Il} traite les dossiers dans l'ordre d'arrivée, qu'ils "
        "viennent d'un notable ou d'un paysan.",
        "Au tribunal, la copie d'un jugement « s'obtenait plus vite » contre quelques billets. "
        "{name} a ouvert un registre où chaque demande est inscrite avec sa date, et affiché les "
        "délais et les frais officiels à l'entrée.\n"
        "Un homme d'affaires lui a proposé une forte somme pour égarer une pièce d'un dossier "
        "foncier. {Il} a refusé et a signalé la tentative par écrit à sa hiérarchie.",
        "{name} traite chaque dossier dans l'ordre, sans passe-droit.",
    ),
    "finances": (
        ("impot", "tresor", "caiss", "comptab", "regisseu"),
        "{name} est {pos} {where}. {Il} tient ses comptes au franc près et reçoit chaque "
        "contribuable avec la même courtoisie.",
        "Des commerçants lui ont proposé de « réduire » leur impôt contre une commission. {name} "
        "a refusé et leur a montré, calcul à l'appui, ce qu'ils devaient réellement : plusieurs "
        "payaient trop auparavant.\n"
        "{Il} remet une quittance pour chaque franc encaissé, et la caisse est désormais comptée "
        "chaque soir devant deux agents.",
        "{name} remet une quittance pour chaque franc encaissé.",
    ),
    "administration": (
        (),  # the rest: town halls, prefectures, regional directorates
        "{name} est {pos} {where}. {Il} a fait de son service un guichet où l'on est reçu sans "
        "recommandation ni « motivation ».",
        "Dans son service, un acte administratif coûtait souvent bien plus que le tarif officiel. "
        "{name} a fait afficher les tarifs, délivre un reçu pour chaque acte et reçoit les usagers "
        "par ordre d'arrivée, les plus pauvres compris.\n"
        "Un promoteur lui a offert une parcelle pour modifier un plan de lotissement. {Il} a "
        "refusé et a transmis le dossier à la commission, qui a rendu les terrains aux familles "
        "qui les occupaient.",
        "{name} sert chaque usager dans l'ordre, sans « motivation ».",
    ),
}
# The campaign's known past Icons, and nothing invented about them: a manager adds posts,
# places and stories from the campaign's archives on /manage/profiles.
HALL_OF_FAME = [
    (
        "2019",
        "Dr Aminata Goïta",
        "winner",
        "",
        "",
        "",
        "Integrity Icon 2019 au Mali, choisie par le public parmi les finalistes de l'année.",
    ),
    (
        "2017",
        "Jacques N'tji Dembélé",
        "winner",
        "",
        "",
        "",
        "Integrity Icon 2017 au Mali, choisi par le public parmi les finalistes de l'année.",
    ),
]
# Portraits: backgrounds, skin tones, clothes (boubous and uniforms).
BACKGROUNDS = ["#d8c9a3", "#a9c6b8", "#c9b3a0", "#b7c4d6", "#e0c68c", "#c2d1a4", "#d6b4a8"]
SKIN = ["#6b4226", "#7a4b2a", "#5a3620", "#8d5a36", "#4b2e1c"]
CLOTHES = ["#0b5d3b", "#1f4e8c", "#8c1f3b", "#b5651d", "#4a4a8c", "#2f6b6b", "#7a2e8c"]


@dataclass(frozen=True)
class Person:
    name: str
    female: bool
    position: str
    institution: str
    region: str


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


PLAIN_FIRST, PLAIN_FAMILY = [_plain(n) for n in FIRST], [_plain(n) for n in FAMILY]


def _name(variants: list[str]) -> tuple[str, bool] | None:
    """The name as nominators most often meant it, spelled as in the name lists, and whether
    it is a woman's: what a manager corrects before publishing ("DIARRA Boubaca")."""
    votes: Counter = Counter()
    for variant in variants:
        words = [
            w
            for w in _plain(variant).replace(",", " ").replace(".", " ").split()
            if w not in TITLES
        ]
        best = (0.0, "", "")
        for k in range(1, len(words)):
            for first, family in ((words[:k], words[k:]), (words[k:], words[:k])):
                f = process.extractOne(" ".join(first), PLAIN_FIRST, scorer=fuzz.ratio)
                n = process.extractOne(" ".join(family), PLAIN_FAMILY, scorer=fuzz.ratio)
                if min(f[1], n[1]) > best[0]:
                    best = (min(f[1], n[1]), FIRST[f[2]], FAMILY[n[2]])
        if best[0] >= 80:
            votes[best[1:]] += 1
    if not votes:
        return None
    first, family = votes.most_common(1)[0][0]
    return f"{first} {family}", first in FEMALE


def _field(values: list[str]) -> str:
    """The most careful of the ways a field was written: mixed case, accented, most common."""
    counts = Counter(v for v in values if v.strip())
    if not counts:
        return ""

    def care(v: str) -> tuple:
        return (not v.isupper() and not v.islower(), any(ord(c) > 127 for c in v), counts[v])

    best = max(counts, key=care)
    return best.capitalize() if best.isupper() else best


def _person(engine: Engine, candidate: editing.Candidate) -> Person:
    with db.session(engine) as s:
        dossier = jury_view.dossier(s, candidate.nominee_id, blind=True)
    position = _field([n.position for n in dossier]) or candidate.position
    found = _name([n.nominee_name for n in dossier])
    name, female = found or (candidate.name, position.lower().endswith(("e", "ière", "trice")))
    institution = _field([n.institution for n in dossier]) or candidate.institution
    return Person(name, female, position, institution, candidate.region)


def _sector(person: Person) -> tuple:
    words = _plain(f"{person.position} {person.institution}")
    return next(v for v in SECTORS.values() if not v[0] or any(w in words for w in v[0]))


def in_sentence(post: str) -> str:
    """A post inside a sentence: "Sage-femme" -> "sage-femme", but "SG de la mairie" stays."""
    return post[:1].lower() + post[1:] if post[1:2].islower() else post


def _texts(person: Person) -> tuple[str, str, str]:
    _, bio, story, line = _sector(person)
    pos = in_sentence(person.position)
    bamako = person.region == "District de Bamako"
    where = "à Bamako" if bamako else f"dans la région de {person.region}"
    words = {
        "name": person.name,
        "pos": pos,
        "where": where,
        "Il": "Elle" if person.female else "Il",
        "il": "elle" if person.female else "il",
    }
    return bio.format(**words), story.format(**words), line.format(**words)


def portrait(name: str, rng: random.Random) -> bytes:
    """A placeholder portrait: a head and shoulders on a plain background, the initials on the
    chest. Square, so that every rendition's crop (square, 4:5, the wide link preview) keeps the
    head; drawn at twice the size and scaled down, so the edges are smooth."""
    side = 1600
    image = Image.new("RGB", (side, side), rng.choice(BACKGROUNDS))
    draw = ImageDraw.Draw(image)
    skin, cloth = rng.choice(SKIN), rng.choice(CLOTHES)
    draw.ellipse((180, 930, 1420, 2300), fill=cloth)  # shoulders
    draw.rectangle((690, 800, 910, 960), fill=skin)  # neck
    draw.ellipse((600, 340, 1000, 860), fill=skin)  # head
    initials = "".join(word[0] for word in name.split()[-2:]).upper()
    font = ImageFont.load_default(size=180)
    draw.text((side / 2, 1230), initials, fill="#ffffff", font=font, anchor="mm")
    out = io.BytesIO()
    image.resize((side // 2, side // 2), Image.Resampling.LANCZOS).save(out, "PNG")
    return out.getvalue()


def _publish(engine: Engine, media_dir: Path, actor: int, profile, fields: dict, rng) -> None:
    values = {k: getattr(profile, k) for k in ProfileIn.__dataclass_fields__} | fields
    editing.update(engine, actor, profile.id, ProfileIn(**values))
    editing.set_photo(
        engine, actor, profile.id, media_dir, io.BytesIO(portrait(values["name"], rng))
    )
    editing.set_status(engine, actor, profile.id, "published")


def seed(engine: Engine, campaign: Campaign, phase: Phase, rng: random.Random) -> None:
    media_dir = load_settings().media_dir
    with db.session(engine) as s:
        manager = s.exec(select(User.id).where(User.role == Role.manager)).first()
    # The hall of fame is history: there in every phase, added as a manager adds past Icons.
    for year, name, distinction, position, institution, region, bio in HALL_OF_FAME:
        form = PastIn(year, name, distinction, position, institution, region)
        profile = editing.add_past(engine, manager, campaign.id, form)
        _publish(engine, media_dir, manager, profile, {"bio": bio}, rng)
    if phase not in (Phase.voting, Phase.results):
        return
    for candidate in editing.candidates(engine, campaign.id):
        person = _person(engine, candidate)
        bio, story, _line = _texts(person)
        profile = editing.create_from_nominee(engine, manager, campaign.id, candidate.nominee_id)
        fields = {
            "name": person.name,
            "position": person.position,
            "bio": bio,
            "story": story,
            "institution": person.institution,
        }
        _publish(engine, media_dir, manager, profile, fields, rng)


@dataclass(frozen=True)
class Finalist:
    profile_id: int
    person: Person
    line: str  # what the French spot says of them


def finalists(engine: Engine, campaign_id: int) -> list[Finalist]:
    """The finalists' profiles as ``seed`` made them, and the line of their spot: the same
    person read again from the same nominations, so it is the one ``seed`` published."""
    made = []
    for candidate in editing.candidates(engine, campaign_id):
        if candidate.profile_id is not None:
            person = _person(engine, candidate)
            made.append(Finalist(candidate.profile_id, person, _texts(person)[2]))
    return made
