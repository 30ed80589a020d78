"""Figures about the nominations: by region, channel, status, gender and volunteer.

A handful of GROUP BY queries, the same number at 40 or 4,000 nominations. ``by_volunteer`` names
staff (their email): it is for managers; a public page shows the other figures only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import db
from campaign.errors import NotFound
from campaign.i18n import N_
from campaign.models import Campaign, User
from nominations.models import Channel, Gender, Nomination, Nominee, Status


@dataclass(frozen=True)
class Count:
    key: str  # a region as the campaign lists it, a Channel, Status or Gender value, an email
    count: int
    share: int  # percent of the total, rounded


@dataclass(frozen=True)
class RegionCount:
    region: str
    nominations: int
    nominees: int
    share: int  # of nominations


@dataclass(frozen=True)
class Figures:
    nominations: int
    nominees: int
    by_region: list[RegionCount]  # every campaign region in order, then any other region
    by_channel: list[Count]
    by_status: list[Count]
    nominee_gender: list[Count]  # of people
    nomination_gender: list[Count]  # as nominators described them
    by_volunteer: list[Count]  # most first; managers only
    without_volunteer: int  # web and SMS nominations


def _share(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


def _counts(found: dict[str, int], keys: list[str], total: int) -> list[Count]:
    """One row per key, zeros included, so that a channel or region nobody used still shows."""
    return [Count(k, found.get(k, 0), _share(found.get(k, 0), total)) for k in keys]


def figures(engine: Engine, campaign_id: int) -> Figures:
    with db.session(engine) as s:
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(N_("No campaign has been set up yet."))

        def grouped(column, model=Nomination) -> dict[str, int]:
            rows = s.exec(
                select(column, func.count())
                .select_from(model)
                .where(model.campaign_id == campaign_id)
                .group_by(column)
            ).all()
            return {key if key is not None else "": count for key, count in rows}

        regions = grouped(Nomination.nominee_region)
        nominee_regions = grouped(Nominee.region, Nominee)
        channels = grouped(Nomination.channel)
        statuses = grouped(Nomination.status)
        nomination_genders = grouped(Nomination.nominee_gender)
        nominee_genders = grouped(Nominee.gender, Nominee)
        volunteers = s.exec(
            select(func.coalesce(func.nullif(User.email, ""), User.name), func.count())
            .select_from(Nomination)
            .join(User, User.id == Nomination.volunteer_id)
            .where(Nomination.campaign_id == campaign_id)
            .group_by(User.id, User.email, User.name)
            .order_by(func.count().desc(), User.email)
        ).all()
        without_volunteer = s.exec(
            select(func.count())
            .select_from(Nomination)
            .where(Nomination.campaign_id == campaign_id, col(Nomination.volunteer_id).is_(None))
        ).one()
    total = sum(regions.values())
    nominees = sum(nominee_regions.values())
    # Regions since removed from the settings (or a blank one) still count: totals must add up.
    others = (set(regions) | set(nominee_regions)) - set(campaign.regions)
    by_region = [
        RegionCount(
            r, regions.get(r, 0), nominee_regions.get(r, 0), _share(regions.get(r, 0), total)
        )
        for r in [*campaign.regions, *sorted(others)]
    ]
    return Figures(
        nominations=total,
        nominees=nominees,
        by_region=by_region,
        by_channel=_counts(channels, [c.value for c in Channel], total),
        by_status=_counts(statuses, [st.value for st in Status], total),
        nominee_gender=_counts(nominee_genders, [g.value for g in Gender], nominees),
        nomination_gender=_counts(nomination_genders, [g.value for g in Gender], total),
        by_volunteer=[Count(label, count, _share(count, total)) for label, count in volunteers],
        without_volunteer=without_volunteer,
    )


@dataclass(frozen=True)
class PublicFigures:
    """What anyone may see: counts only, no names, no staff."""

    nominations: int
    nominees: int
    volunteers: int  # volunteers who entered at least one paper form
    regions_reached: int  # of the campaign's regions, those with at least one nomination
    regions: int  # the campaign's regions
    by_region: list[RegionCount]
    by_channel: list[Count]
    by_week: list[int]  # nominations per week, week 1 starting when nominations opened


def _weeks(per_day: list[tuple[object, int]], start: date, last: date) -> list[int]:
    """Day counts into weeks from ``start`` to ``last``, longer if later days were found. A
    form dated before the opening (an import) counts in week 1."""
    counts: dict[int, int] = {}
    for day, count in per_day:
        # SQLite gives the day as text, PostgreSQL as a date.
        week = max((date.fromisoformat(str(day)[:10]) - start).days // 7, 0)
        counts[week] = counts.get(week, 0) + count
    length = max((last - start).days // 7 + 1, max(counts, default=-1) + 1, 0)
    return [counts.get(week, 0) for week in range(length)]


def public_figures(engine: Engine, campaign_id: int) -> PublicFigures:
    """The public /stats figures: ``figures`` plus nominations per week (one more query)."""
    full = figures(engine, campaign_id)
    with db.session(engine) as s:
        campaign = s.get(Campaign, campaign_id)
        # Days in UTC, the stored zone: a week's edge may move by the campaign's offset (hours).
        day = func.date(Nomination.created_at)
        per_day = s.exec(
            select(day, func.count())
            .where(Nomination.campaign_id == campaign_id)
            .group_by(day)
            .order_by(day)
        ).all()
    start = campaign.nominations_start.date()
    last = min(campaign.nominations_end, db.utcnow()).date()
    listed = set(campaign.regions)
    return PublicFigures(
        nominations=full.nominations,
        nominees=full.nominees,
        volunteers=len(full.by_volunteer),
        regions_reached=sum(1 for r in full.by_region if r.region in listed and r.nominations),
        regions=len(listed),
        by_region=full.by_region,
        by_channel=full.by_channel,
        by_week=_weeks(per_day, start, last),
    )
