"""The "possibly the same person" queue: probable matches grouping did not merge on its own, for a
manager to merge with one click or mark as different people. A "different" answer is kept
(DistinctPair) and every later grouping, attach or regroup, respects it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import audit, db
from campaign.errors import Invalid, NotFound
from campaign.i18n import N_
from nominations import grouping
from nominations.dedup import probable_matches
from nominations.models import DistinctPair, Nomination, Nominee

QUEUE_SIZE = 50


@dataclass(frozen=True)
class Match:
    score: int
    left: Nominee
    right: Nominee


def queue(engine: Engine, campaign_id: int, limit: int = QUEUE_SIZE) -> list[Match]:
    """The most probable matches between two current nominees, best first."""
    with db.session(engine) as s:
        country = grouping.edition(s, campaign_id)
        rows, nominee_of = grouping.grouped_rows(s, campaign_id)
        probable = probable_matches(
            rows, **country, distinct=grouping.distinct_pairs(s, campaign_id)
        )
        pairs = current_pairs(probable, nominee_of, limit)
        ids = {i for _, a, b in pairs for i in (a, b)}
        nominees = {n.id: n for n in s.exec(select(Nominee).where(col(Nominee.id).in_(ids)))}
        return [Match(score, nominees[a], nominees[b]) for score, a, b in pairs]


def current_pairs(
    probable: Iterable[tuple[list[Hashable], list[Hashable], int]],
    nominee_of: Mapping[Hashable, Hashable],
    limit: int = QUEUE_SIZE,
) -> list[tuple[int, Hashable, Hashable]]:
    """The queue's page (score, left, right) from grouping's probable matches: each group stands
    for the nominee most of its nominations have; a pair already one nominee is skipped, and two
    nominees are shown once. Pure, so that bench/eval_dedup.py works the queue as the page does."""
    pairs, seen = [], set()
    for a, b, score in probable:
        left, right = _majority(a, nominee_of), _majority(b, nominee_of)
        key = (min(left, right), max(left, right))
        if left != right and key not in seen:
            seen.add(key)
            pairs.append((score, *key))
        if len(pairs) == limit:
            break
    return pairs


def _majority(ids: list[Hashable], nominee_of: Mapping[Hashable, Hashable]) -> Hashable:
    counts = Counter(nominee_of[i] for i in ids)
    return min(counts, key=lambda k: (-counts[k], k))


def mark_distinct(engine: Engine, actor_id: int, left_id: int, right_id: int) -> DistinctPair:
    """Two nominees are two people: remembered, so that grouping never merges them again."""
    if left_id == right_id:
        raise Invalid({"nominees": N_("Choose two different nominees.")})
    with db.session(engine) as s, s.begin():
        nominees = s.exec(select(Nominee).where(col(Nominee.id).in_([left_id, right_id]))).all()
        if len(nominees) != 2 or nominees[0].campaign_id != nominees[1].campaign_id:
            raise NotFound(N_("No such nominee."))
        members = {left_id: [], right_id: []}
        for n in s.exec(
            select(Nomination).where(col(Nomination.nominee_id).in_([left_id, right_id]))
        ):
            members[n.nominee_id].append(n.id)
        pair = DistinctPair(
            campaign_id=nominees[0].campaign_id,
            left=sorted(members[left_id]),
            right=sorted(members[right_id]),
            created_by=actor_id,
        )
        s.add(pair)
        s.flush()
        audit.record(
            s, actor_id, "nominee.distinct", "nominee", left_id, other=right_id, pair=pair.id
        )
    return pair


def confirm_same(engine: Engine, actor_id: int, left_id: int, right_id: int) -> Nominee:
    """A probable match confirmed: one person, merged as a manager's merge (pinned)."""
    return grouping.merge(engine, actor_id, left_id, [right_id], "Probable match confirmed")
