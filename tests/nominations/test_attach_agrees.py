"""A new nomination joins the nominee a full regroup would give it, on generated sets."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlmodel import select

from bench.evalset import generate
from bench.evalset_free import generate_free
from campaign import db
from nominations import grouping, intake
from nominations.models import Nomination

NEW = 10


def _nomination(campaign_id: int, row: dict) -> dict:
    return {
        "campaign_id": campaign_id,
        "tracking_code": intake.new_tracking_code(),
        "channel": "paper",
        "nominee_name": row["nominee_name"] or "",
        "nominee_position": row["position"] or "",
        "nominee_institution": row["institution"] or "",
        "nominee_region": row["region"] or "",
        "story": "",
        "referees": [],
        "eligibility": {},
        "created_at": db.utcnow(),
    }


def _placement(engine, campaign_id: int) -> dict[int, int]:
    with db.session(engine) as s:
        found = s.exec(
            select(Nomination.id, Nomination.nominee_id).where(
                Nomination.campaign_id == campaign_id
            )
        )
        return dict(found.all())


@pytest.mark.parametrize(
    ("make", "seed"),
    [(generate, 1), (generate_free, 1), (generate_free, 2), (generate_free, 3)],
)
def test_attach_places_each_new_nomination_where_a_regroup_keeps_it(engine, campaign, make, seed):
    # Compared at each arrival: a later nomination may bridge two nominees, which a regroup joins
    # and attach, which never moves earlier nominations, leaves apart.
    rows, _ = make(60, seed)
    with db.session(engine) as s, s.begin():
        s.execute(insert(Nomination), [_nomination(campaign.id, r) for r in rows[:-NEW]])
    grouping.regroup(engine, campaign.id)
    attached, regrouped = [], []
    for row in rows[-NEW:]:
        with db.session(engine) as s, s.begin():
            n = Nomination(**_nomination(campaign.id, row))
            s.add(n)
            s.flush()
            grouping.attach(s, n)
            new_id = n.id
        attached.append(_placement(engine, campaign.id)[new_id])

        grouping.regroup(engine, campaign.id)

        regrouped.append(_placement(engine, campaign.id)[new_id])
    assert regrouped == attached
