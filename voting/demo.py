"""Demo vote: in the voting phase an open round of the demo finalists with some votes (and one
suspicious cluster to review); in the results phase the same round, closed."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import select

from campaign import campaigns, db, phones
from campaign.models import Campaign, Role, User
from campaign.phases import Phase
from nominations.intake import CODE_ALPHABET
from voting import round_changes, round_form
from voting.models import Ballot, Candidate, VoteAttempt

VOTES = 3000
SMS_SHARE = 0.8  # Mali 2020: most votes came by SMS after each TV or radio episode


def seed(engine: Engine, campaign: Campaign, phase: Phase, rng: random.Random) -> None:
    if phase not in (Phase.voting, Phase.results):
        return
    with db.session(engine) as s:
        manager = s.exec(select(User.id).where(User.role == Role.manager)).first()
    tz = campaign.timezone
    form = round_form.RoundIn(
        title="Vote du public : l'Integrity Icon de l'année",
        opens_at=campaigns.local_input(campaign.voting_start, tz),
        closes_at=campaigns.local_input(campaign.voting_end, tz),
        seats="1",
        alternates="0",
        source="finalists",
    )
    r = round_changes.create_round(engine, manager, campaign.id, form)
    with db.session(engine) as s:
        numbers = [c.id for c in s.exec(select(Candidate).where(Candidate.round_id == r.id))]
    now = db.utcnow()
    span = (min(now, campaign.voting_end) - campaign.voting_start).total_seconds()
    popularity = [rng.uniform(0.5, 3) for _ in numbers]
    ballots, attempts = [], []
    for i in range(VOTES):
        at = campaign.voting_start + timedelta(seconds=rng.random() * span)
        candidate = rng.choices(range(len(numbers)), popularity)[0]
        sms = rng.random() < SMS_SHARE
        phone = f"+223{rng.choice('679')}{rng.randrange(1000000, 9999999)}"
        if i < 25:
            # Twenty-five numbers from one address within the hour: a cluster to review.
            sms, at = False, campaign.voting_start + timedelta(minutes=30 + i)
        address = "" if sms else ("41.73.96.12" if i < 25 else f"102.{rng.randrange(256)}.0.1")
        ballots.append(
            {
                "id": i + 1,
                "round_id": r.id,
                "candidate_id": numbers[candidate],
                "channel": "sms" if sms else "web",
                "voter_hash": phones.keyed_hash("demo", phone, "voter"),
                "receipt": "".join(rng.choice(CODE_ALPHABET) for _ in range(10)),
                "at": at,
                "void": False,
                "void_reason": "",
            }
        )
        attempts.append(
            {
                "round_id": r.id,
                "at": at,
                "channel": "sms" if sms else "web",
                "kind": "vote",
                "candidate": None,
                "phone_hash": ballots[-1]["voter_hash"],
                "phone_seq": phones.run_token("demo", phone),
                "address": address,
                "browser": "",
                "ballot_id": i + 1,
            }
        )
    with db.session(engine) as s, s.begin():
        s.execute(insert(Ballot), ballots)
        s.execute(insert(VoteAttempt), attempts)
    db.reset_sequences(engine, "ballot")  # its ids were given: the next vote must not collide
    if phase == Phase.results:
        round_changes.close_round(engine, manager, r.id)
