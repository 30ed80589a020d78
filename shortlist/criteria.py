"""Criteria and review settings. Integrity Icon's published criteria are the defaults; managers
may change them (names, descriptions, weights) until the review opens, never after: scores
already given would change meaning."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from campaign import audit, campaigns, db, phases
from campaign.errors import Invalid, NotFound, PhaseClosed
from campaign.i18n import N_, in_first_language
from campaign.models import Campaign
from shortlist.models import Criterion, ReviewConfig

SCALE_MIN, SCALE_MAX = 0.0, 10.0

DEFAULT_CRITERIA = [
    (
        {"fr": "Importance de l'impact", "en": "Significance of the impact"},
        {
            "fr": "Ce que l'action de la personne a changé pour les usagers et pour le service.",
            "en": "What the person's action changed for the public and for the service.",
        },
    ),
    (
        {
            "fr": "Impact au-delà de la sphère personnelle",
            "en": "Impact beyond the personal sphere",
        },
        {
            "fr": "L'effet dépasse-t-il l'entourage de la personne : collègues, service, région ?",
            "en": "Does the effect reach beyond the person's circle: colleagues, service, region?",
        },
    ),
    (
        {"fr": "Obstacles surmontés", "en": "Challenges overcome"},
        {
            "fr": "Pressions, menaces, manque de moyens : ce qu'il a fallu affronter.",
            "en": "Pressure, threats, lack of means: what the person had to face.",
        },
    ),
    (
        {"fr": "Valeur d'exemple pour le service public", "en": "Benchmark for public service"},
        {
            "fr": "D'autres agents peuvent-ils s'en inspirer et faire de même ?",
            "en": "Can other public servants learn from it and do the same?",
        },
    ),
    (
        {"fr": "Usage de la fonction comme levier", "en": "Use of the position as leverage"},
        {
            "fr": "La personne a-t-elle mis son poste au service de l'intérêt général ?",
            "en": "Did the person use their position for the public good?",
        },
    ),
]


def ensure_defaults(s: Session, campaign_id: int) -> ReviewConfig:
    """The campaign's review settings, creating them and the default criteria on first use."""
    config = s.get(ReviewConfig, campaign_id)
    if config is None:
        config = ReviewConfig(campaign_id=campaign_id)
        s.add(config)
        exists = s.exec(select(Criterion.id).where(Criterion.campaign_id == campaign_id)).first()
        if exists is None:
            for position, (name, description) in enumerate(DEFAULT_CRITERIA, start=1):
                s.add(
                    Criterion(
                        campaign_id=campaign_id,
                        position=position,
                        name=name,
                        description=description,
                        weight=1.0,
                    )
                )
        s.flush()
    return config


def load(engine: Engine, campaign_id: int) -> tuple[ReviewConfig, list[Criterion]]:
    with db.session(engine) as s, s.begin():
        config = ensure_defaults(s, campaign_id)
        criteria = list(
            s.exec(
                select(Criterion)
                .where(Criterion.campaign_id == campaign_id)
                .order_by(Criterion.position, Criterion.id)
            )
        )
    return config, criteria


def label(texts: dict, lang: str) -> str:
    """A campaign text in the reader's language, French when it has no translation."""
    return in_first_language(texts, (lang, "fr"))


def _editable(campaign: Campaign) -> None:
    campaigns.ensure_editable(campaign)
    if db.utcnow() >= campaign.review_start:
        raise PhaseClosed(N_("Criteria cannot change once the review has opened."))


def update(engine: Engine, actor_id: int, campaign_id: int, rows: list[dict]) -> list[Criterion]:
    """Replace the criteria's texts and weights: ``rows`` = [{id, name_fr, name_en,
    description_fr, description_en, weight}], in display order."""
    errors = {}
    with db.session(engine) as s, s.begin():
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(N_("No campaign has been set up yet."))
        _editable(campaign)
        ensure_defaults(s, campaign_id)
        existing = {
            c.id: c for c in s.exec(select(Criterion).where(Criterion.campaign_id == campaign_id))
        }
        for position, row in enumerate(rows, start=1):
            criterion = existing.get(row.get("id"))
            if criterion is None:
                raise NotFound(N_("No such criterion."))
            name_fr = " ".join(str(row.get("name_fr", "")).split())
            if not 2 <= len(name_fr) <= 120:
                errors[f"name_fr_{criterion.id}"] = N_("Between 2 and 120 characters.")
            try:
                weight = float(str(row.get("weight", "")).replace(",", "."))
            except ValueError:
                weight = -1.0
            if not 0 < weight <= 100:
                errors[f"weight_{criterion.id}"] = N_("A number above 0 and at most 100.")
            if errors:
                continue
            criterion.position = position
            criterion.name = {
                "fr": name_fr,
                "en": " ".join(str(row.get("name_en", "")).split())[:120],
            }
            criterion.description = {
                "fr": str(row.get("description_fr", "")).strip()[:1000],
                "en": str(row.get("description_en", "")).strip()[:1000],
            }
            criterion.weight = weight
        if errors:
            raise Invalid(errors)
        weights = [{"id": c.id, "weight": c.weight} for c in existing.values()]
        audit.record(s, actor_id, "criteria.update", "campaign", campaign_id, criteria=weights)
    return sorted(existing.values(), key=lambda c: c.position)


def review_open(campaign: Campaign) -> bool:
    return phases.is_open(campaign, phases.Phase.review, db.utcnow())
