"""Moderation: the managers' list of nominations and their statuses with reasons (the nominee
page and the nominee search are in nominations.nominees).

Every function returns finished dataclasses built from a fixed number of queries, however many
rows there are: the list must stay fast at 4,000 nominations and templates never query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, func, or_
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import audit, db
from campaign.errors import Invalid, NotFound
from campaign.i18n import N_
from campaign.models import Campaign, User
from campaign.text import whole
from nominations.intake import clean_code
from nominations.models import Channel, Nomination, Nominee, Status
from nominations.normalise import fold, name_tokens

MODERATION_STATUSES = (Status.eligible, Status.ineligible, Status.spam)
NEEDS_REASON = (Status.ineligible, Status.spam)
REASON_MAX = 500
SEARCH_MAX = 100


@dataclass(frozen=True)
class Filters:
    region: str = ""
    status: str = ""
    channel: str = ""
    since: date | None = None  # days in the campaign's time zone, both ends included
    until: date | None = None
    volunteer: int | None = None
    q: str = ""

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        """From a query string. A malformed value is dropped rather than refused: a bookmarked or
        hand-edited URL should still show a list."""
        status = params.get("status", "")
        channel = params.get("channel", "")
        volunteer = params.get("volunteer", "")
        return cls(
            region=params.get("region", "").strip()[:100],
            status=status if status in {s.value for s in Status} else "",
            channel=channel if channel in {c.value for c in Channel} else "",
            since=_date(params.get("since", "")),
            until=_date(params.get("until", "")),
            volunteer=whole(volunteer),
            q=" ".join(params.get("q", "").split())[:SEARCH_MAX],
        )

    def values(self) -> dict[str, str]:
        """Every filter as the text a form field holds."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = "" if value is None else str(value)
        return out

    def query(self) -> str:
        """The set filters as a query string, for pager links and redirects."""
        return urlencode({k: v for k, v in self.values().items() if v})


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def parse_ids(values: Iterable[object], missing: str = N_("No such nomination.")) -> list[int]:
    """Ids posted by a form, in order, without repeats. Anything but a number is an id that does
    not exist (NotFound with ``missing``): refusing the whole request is safer than acting on
    the rest."""
    ids = []
    for value in values:
        found = whole(value, 0, 2**63 - 1)
        if found is None:
            raise NotFound(missing)
        ids.append(found)
    return list(dict.fromkeys(ids))


def copy_fields(cls, obj, **extra):
    """A ``cls`` dataclass from the same-named attributes of a row, plus ``extra``."""
    names = [f.name for f in fields(cls) if f.name not in extra]
    return cls(**{name: getattr(obj, name) for name in names}, **extra)


@dataclass(frozen=True)
class NominationRow:
    id: int
    tracking_code: str
    created_at: datetime
    channel: str
    status: str
    status_reason: str
    nominee_name: str  # as this nomination spells it
    nominee_position: str
    nominee_institution: str
    nominee_region: str
    pinned: bool
    nominee_id: int | None
    volunteer: str  # the volunteer's email; "" for web and SMS
    nominee_count: int  # nominations of that nominee


@dataclass(frozen=True)
class VolunteerOption:
    id: int
    label: str


@dataclass(frozen=True)
class Page:
    rows: list[NominationRow]
    total: int
    page: int
    pages: int
    per_page: int
    volunteers: list[VolunteerOption]


def _conditions(campaign: Campaign, f: Filters) -> list:
    conditions = [Nomination.campaign_id == campaign.id]
    if f.region:
        conditions.append(Nomination.nominee_region == f.region)
    if f.status:
        conditions.append(Nomination.status == f.status)
    if f.channel:
        conditions.append(Nomination.channel == f.channel)
    if f.volunteer is not None:
        conditions.append(Nomination.volunteer_id == f.volunteer)
    tz = ZoneInfo(campaign.timezone)
    if f.since is not None:
        conditions.append(Nomination.created_at >= datetime.combine(f.since, time(), tz))
    if f.until is not None:
        end = datetime.combine(f.until + timedelta(days=1), time(), tz)
        conditions.append(Nomination.created_at < end)
    if f.q:
        conditions.append(name_search(f.q))
    return conditions


def name_search(q: str):
    """Nominations whose name has a word starting with each word typed, ignoring accents, case,
    titles and order ("goita" finds "Dr Aminata GOÏTA"); a tracking code finds its nomination."""
    words = name_tokens(q) or tuple(fold(q, join_apostrophes=True).split())
    # name_words is folded and padded with spaces: " x" matches the start of a whole word.
    by_name = and_(*[col(Nomination.name_words).contains(f" {w}") for w in words[:8]])
    match = by_name if words else false()
    code = clean_code(q)
    return or_(match, Nomination.tracking_code == code) if code else match


def list_nominations(
    engine: Engine, campaign_id: int, filters: Filters, page: int = 1, per_page: int = 50
) -> Page:
    """Newest first. Four queries whatever the number of rows: campaign, count, rows (volunteer
    and nominee joined), volunteers."""
    with db.session(engine) as s:
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(N_("No campaign has been set up yet."))
        conditions = _conditions(campaign, filters)
        total = s.exec(select(func.count()).select_from(Nomination).where(*conditions)).one()
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        result = s.exec(
            select(Nomination, User.email, Nominee.nomination_count)
            .join(User, User.id == Nomination.volunteer_id, isouter=True)
            .join(Nominee, Nominee.id == Nomination.nominee_id, isouter=True)
            .where(*conditions)
            .order_by(col(Nomination.created_at).desc(), col(Nomination.id).desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        volunteers = s.exec(
            select(User.id, User.email)
            .where(
                col(User.id).in_(
                    select(Nomination.volunteer_id).where(Nomination.campaign_id == campaign_id)
                )
            )
            .order_by(User.email)
        ).all()
    return Page(
        rows=[
            copy_fields(NominationRow, n, volunteer=email or "", nominee_count=count or 0)
            for n, email, count in result
        ],
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
        volunteers=[VolunteerOption(i, email) for i, email in volunteers],
    )


def set_status(
    engine: Engine, actor_id: int, nomination_ids: list[int], status: str, reason: str
) -> int:
    """Give the nominations ``status``; ineligible and spam need a reason, so that a refusal can
    be explained when a nominator asks. All or nothing; one audit event per nomination that
    changed, so each nomination's history reads alone. Returns how many changed."""
    reason = " ".join(str(reason).split())[:REASON_MAX]
    ids = list(dict.fromkeys(nomination_ids))
    errors = {}
    if status not in MODERATION_STATUSES:
        errors["status"] = N_("Choose a status.")
    elif status in NEEDS_REASON and not reason:
        errors["reason"] = N_("Say why.")
    if not ids:
        errors["nominations"] = N_("Choose at least one nomination.")
    if errors:
        raise Invalid(errors)
    with db.session(engine) as s, s.begin():
        rows = s.exec(select(Nomination).where(col(Nomination.id).in_(ids))).all()
        if len(rows) != len(ids):
            raise NotFound(N_("No such nomination."))
        changed = 0
        for n in rows:
            if (n.status, n.status_reason) == (status, reason):
                continue
            audit.record(
                s,
                actor_id,
                "nomination.status",
                "nomination",
                n.id,
                status=status,
                previous=n.status,
                reason=reason,
            )
            n.status, n.status_reason = status, reason
            changed += 1
    return changed
