"""Nominees: which nominations name the same person.

``dedup.group_nominations`` decides (pure); this module keeps the Nominee rows in step with it:
a new nomination attaches at once by the same decision over its region block (its region's
nominations and those without a region: grouping never joins two regions); a full regroup re-runs
dedup over the campaign. Both respect the pairs managers marked as different people. A
manager's merge or split pins the nominations it touches, and regrouping never moves a pinned
nomination: the manager's decision survives.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from campaign import audit, db
from campaign.errors import Invalid, NotFound
from campaign.i18n import N_
from campaign.models import Campaign
from nominations.dedup import group_nominations
from nominations.lexicon import Lexicon, lexicon
from nominations.models import DistinctPair, Nomination, Nominee
from nominations.normalise import name_tokens, region_key


def _row(n: Nomination) -> dict:
    return {
        "id": n.id,
        "nominee_name": n.nominee_name,
        "position": n.nominee_position,
        "institution": n.nominee_institution,
        "region": n.nominee_region,
    }


def grouped_rows(s: Session, campaign_id: int, *where) -> tuple[list[dict], dict[int, int]]:
    """Dedup's rows for the campaign's nominations that already have a nominee (and meet
    ``where``), and the nominee of each."""
    found = s.exec(
        select(
            Nomination.id,
            Nomination.nominee_name,
            Nomination.nominee_position,
            Nomination.nominee_institution,
            Nomination.nominee_region,
            Nomination.nominee_id,
        ).where(
            Nomination.campaign_id == campaign_id, col(Nomination.nominee_id).is_not(None), *where
        )
    ).all()
    rows = [
        {"id": i, "nominee_name": name, "position": post, "institution": inst, "region": r}
        for i, name, post, inst, r, _ in found
    ]
    return rows, {row[0]: row[5] for row in found}


def edition(s: Session, campaign_id: int) -> dict:
    """What grouping needs to know of the edition: its country (the lexicon) and its regions."""
    campaign = s.get(Campaign, campaign_id)
    if campaign is None:
        return {"country": "", "regions": ()}
    return {"country": campaign.country, "regions": tuple(campaign.regions or ())}


def distinct_pairs(s: Session, campaign_id: int) -> list[tuple[int, int]]:
    """Pairs of nomination ids managers said belong to two people."""
    pairs = []
    for left, right in s.exec(
        select(DistinctPair.left, DistinctPair.right).where(DistinctPair.campaign_id == campaign_id)
    ):
        pairs.extend((a, b) for a in left for b in right)
    return pairs


def set_keys(n: Nomination, lex: Lexicon | None = None) -> None:
    n.region_key = region_key(n.nominee_region, lex)[:100]
    # Padded with spaces so that a word is matched whole: LIKE '% traore %'.
    n.name_words = f" {' '.join(name_tokens(n.nominee_name, lex))} "[:300]


def attach(s: Session, n: Nomination) -> Nominee:
    """Give a new nomination its nominee: the same decision as a regroup, over its region block
    (the nominations of its region and those without one), since grouping never joins two
    regions."""
    country = edition(s, n.campaign_id)
    set_keys(n, lexicon(**country))
    block = Nomination.region_key.in_([n.region_key, ""]) if n.region_key else True
    found, nominee_of = grouped_rows(s, n.campaign_id, Nomination.id != n.id, block)
    rows = [_row(n), *found]
    group = next(
        g
        for g in group_nominations(rows, **country, distinct=distinct_pairs(s, n.campaign_id))
        if n.id in g
    )
    nominee_ids = Counter(nominee_of[i] for i in group if i != n.id)
    if nominee_ids:
        nominee = s.get(Nominee, min(nominee_ids, key=lambda k: (-nominee_ids[k], k)))
    else:
        nominee = Nominee(campaign_id=n.campaign_id, name=n.nominee_name)
        s.add(nominee)
        s.flush()
    n.nominee_id = nominee.id
    s.flush()
    refresh(s, [nominee.id])
    return nominee


def attach_many(s: Session, campaign_id: int, new: list[Nomination]) -> None:
    """What ``grouping.attach`` does form by form, for the whole file in one pass: attach's few
    queries per form add up to minutes for thousands of forms, one dedup run takes a second.
    Existing nominations stay where they are; a new one joins the nominee most of its group
    already has, or a new nominee with the rest of its group."""
    rows, nominee_of = grouped_rows(s, campaign_id)
    fresh = {n.id: n for n in new}
    rows += [_row(n) for n in new]
    touched, alone = set(), []
    country = edition(s, campaign_id)
    for group in group_nominations(rows, **country, distinct=distinct_pairs(s, campaign_id)):
        members = [fresh[i] for i in group if i in fresh]
        counts = Counter(nominee_of[i] for i in group if i in nominee_of)
        if members and counts:
            target = min(counts, key=lambda k: (-counts[k], k))
            for member in members:
                member.nominee_id = target
            touched.add(target)
        elif members:
            alone.append(members)
    nominees = [Nominee(campaign_id=campaign_id, name=m[0].nominee_name) for m in alone]
    s.add_all(nominees)
    s.flush()
    for members, nominee in zip(alone, nominees, strict=True):
        for member in members:
            member.nominee_id = nominee.id
        touched.add(nominee.id)
    s.flush()
    ids = sorted(touched)
    for i in range(0, len(ids), 500):
        # Loaded first, so that refresh finds them in the session instead of one query each.
        s.exec(select(Nominee).where(col(Nominee.id).in_(ids[i : i + 500]))).all()
        refresh(s, ids[i : i + 500])


def _most_common(values: list[str]) -> str:
    counts = Counter(v for v in values if v)
    return min(counts, key=lambda v: (-counts[v], v)) if counts else ""


def refresh(s: Session, nominee_ids: list[int]) -> None:
    """Recompute each nominee's shown fields from its nominations; drop nominees left empty."""
    if not nominee_ids:
        return
    rows = s.exec(select(Nomination).where(col(Nomination.nominee_id).in_(nominee_ids))).all()
    # One query, not one per nominee: a full regroup refreshes every nominee of the campaign.
    nominees = {n.id: n for n in s.exec(select(Nominee).where(col(Nominee.id).in_(nominee_ids)))}
    by_nominee: dict[int, list[Nomination]] = {i: [] for i in nominee_ids}
    for n in rows:
        by_nominee[n.nominee_id].append(n)
    for nominee_id, members in by_nominee.items():
        nominee = nominees.get(nominee_id)
        if nominee is None:
            continue
        if not members:
            s.delete(nominee)
            continue
        nominee.name = _most_common([m.nominee_name for m in members])
        genders = [m.nominee_gender for m in members if m.nominee_gender != "unknown"]
        nominee.gender = _most_common(genders) or "unknown"
        nominee.position = _most_common([m.nominee_position for m in members])
        nominee.institution = _most_common([m.nominee_institution for m in members])
        nominee.region = _most_common([m.nominee_region for m in members])
        nominee.nomination_count = len(members)
    s.flush()


def regroup(engine: Engine, campaign_id: int, actor_id: int | None = None) -> dict:
    """Re-run dedup over the whole campaign; pinned nominations stay where managers put them."""
    with db.session(engine) as s, s.begin():
        nominations = s.exec(
            select(Nomination).where(Nomination.campaign_id == campaign_id).order_by(Nomination.id)
        ).all()
        by_id = {n.id: n for n in nominations}
        country = edition(s, campaign_id)
        lex = lexicon(**country)
        for n in nominations:
            set_keys(n, lex)
        # A nominee holding a manager's nominations belongs to them: a free group may not claim
        # it first, or the outcome would depend on the order dedup lists the groups in.
        claimed = {n.nominee_id for n in nominations if n.pinned}
        moved = 0
        unplaced: list[list[Nomination]] = []
        rows = [_row(n) for n in nominations]
        for group in group_nominations(rows, **country, distinct=distinct_pairs(s, campaign_id)):
            members = [by_id[i] for i in group]
            pinned = Counter(m.nominee_id for m in members if m.pinned)
            free = [m for m in members if not m.pinned]
            if pinned:
                target = min(pinned, key=lambda k: (-pinned[k], k))
            else:
                previous = Counter(m.nominee_id for m in free if m.nominee_id not in claimed)
                previous.pop(None, None)
                target = min(previous, key=lambda k: (-previous[k], k)) if previous else None
            if target is None:
                unplaced.append(free)
                continue
            claimed.add(target)
            for m in free:
                if m.nominee_id != target:
                    m.nominee_id, moved = target, moved + 1
        # New people get their nominee rows in one flush, not one round trip each.
        fresh = [Nominee(campaign_id=campaign_id, name=g[0].nominee_name) for g in unplaced]
        s.add_all(fresh)
        s.flush()
        for nominee, members in zip(fresh, unplaced, strict=True):
            for m in members:
                m.nominee_id, moved = nominee.id, moved + 1
        s.flush()
        nominee_ids = list(s.exec(select(Nominee.id).where(Nominee.campaign_id == campaign_id)))
        refresh(s, nominee_ids)
        count = len(s.exec(select(Nominee.id).where(Nominee.campaign_id == campaign_id)).all())
        audit.record(s, actor_id, "nominees.regroup", "campaign", campaign_id, moved=moved)
    return {"nominations": len(nominations), "nominees": count, "moved": moved}


def merge(
    engine: Engine, actor_id: int, target_id: int, other_ids: list[int], reason: str
) -> Nominee:
    """Make ``other_ids`` part of ``target_id``: one person after all."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise Invalid({"reason": N_("Say why.")})
    others = [i for i in dict.fromkeys(other_ids) if i != target_id]
    if not others:
        raise Invalid({"nominees": N_("Choose the nominees to merge.")})
    with db.session(engine) as s, s.begin():
        target = s.get(Nominee, target_id)
        found = s.exec(select(Nominee).where(col(Nominee.id).in_(others))).all()
        if target is None or len(found) != len(others):
            raise NotFound(N_("No such nominee."))
        if any(o.campaign_id != target.campaign_id for o in found):
            raise NotFound(N_("No such nominee."))
        for n in s.exec(
            select(Nomination).where(col(Nomination.nominee_id).in_([target_id, *others]))
        ):
            n.nominee_id, n.pinned = target_id, True
        s.flush()
        s.exec(delete(Nominee).where(col(Nominee.id).in_(others)))
        refresh(s, [target_id])
        audit.record(
            s, actor_id, "nominee.merge", "nominee", target_id, merged=others, reason=reason
        )
    return target


def split(
    engine: Engine, actor_id: int, nominee_id: int, nomination_ids: list[int], reason: str
) -> Nominee:
    """Move ``nomination_ids`` out of ``nominee_id`` into a new nominee: two people, not one."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise Invalid({"reason": N_("Say why.")})
    with db.session(engine) as s, s.begin():
        nominee = s.get(Nominee, nominee_id)
        if nominee is None:
            raise NotFound(N_("No such nominee."))
        members = s.exec(select(Nomination).where(Nomination.nominee_id == nominee_id)).all()
        moving = [m for m in members if m.id in set(nomination_ids)]
        if not moving or len(moving) == len(members):
            raise Invalid({"nominations": N_("Choose some, but not all, of the nominations.")})
        new = Nominee(campaign_id=nominee.campaign_id, name=moving[0].nominee_name)
        s.add(new)
        s.flush()
        for m in members:
            m.pinned = True
            if m in moving:
                m.nominee_id = new.id
        s.flush()
        refresh(s, [nominee_id, new.id])
        audit.record(
            s,
            actor_id,
            "nominee.split",
            "nominee",
            nominee_id,
            new_nominee=new.id,
            nominations=[m.id for m in moving],
            reason=reason,
        )
    return new
