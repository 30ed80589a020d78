"""Voting rounds: making them from the shortlist, bad forms, hidden and live results, closing,
voiding a fraud cluster (never deleting), the live count's queries, and the tally's exports."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from sqlalchemy import event, update
from sqlmodel import select

from campaign import db
from campaign.campaigns import local_input
from campaign.errors import Invalid, PhaseClosed
from campaign.models import AuditEvent
from tests.factories import make_campaign
from tests.shortlist.test_board import add_decision, add_nominee, build_hand_board
from voting import counting, exports, fraud_review, round_changes, round_form, rounds
from voting.models import Ballot, Candidate, Round, VoteAttempt

TZ = "Africa/Bamako"
_SEQ = itertools.count(1)
# One opening for every form of the run, so that an update keeps an open round's opening time.
NOW = db.utcnow()


@pytest.fixture
def voting(engine):
    return make_campaign(engine, "voting")


def shortlist(engine, campaign_id, names) -> list[int]:
    ids = [add_nominee(engine, campaign_id, name) for name in names]
    for i in ids:
        add_decision(engine, campaign_id, i, "longlist")
    for i in ids:
        add_decision(engine, campaign_id, i, "shortlist")
    return ids


def form(**overrides) -> round_form.RoundIn:
    values = dict(
        title="Vote du public",
        opens_at=local_input(NOW - timedelta(hours=1), TZ),
        closes_at=local_input(NOW + timedelta(days=1), TZ),
        seats="1",
        alternates="1",
        channels=("web", "sms"),
        weight_jury="0",
        weight_web="50",
        weight_sms="50",
    )
    return round_form.RoundIn(**(values | overrides))


def add_ballots(engine, round_id, votes, at=None) -> list[int]:
    """Ballots inserted directly: ``votes`` are (ballot number, channel, void)."""
    with db.session(engine) as s, s.begin():
        ids = dict(
            s.exec(
                select(Candidate.number, Candidate.id).where(Candidate.round_id == round_id)
            ).all()
        )
        made = []
        for number, channel, void in votes:
            i = next(_SEQ)
            b = Ballot(round_id=round_id, candidate_id=ids[number], channel=channel,
                       voter_hash=f"h{i}", receipt=f"R{i:09d}", at=at or db.utcnow(),
                       void=void, void_reason="earlier" if void else "")  # fmt: skip
            s.add(b)
            made.append(b)
    return [b.id for b in made]


def snapshot(engine) -> tuple:
    with db.session(engine) as s:
        return (
            [(r.id, r.title, r.closed_at) for r in s.exec(select(Round).order_by(Round.id))],
            s.exec(select(Candidate.round_id, Candidate.number, Candidate.nominee_id)).all(),
            s.exec(select(Ballot.id, Ballot.void, Ballot.void_reason).order_by(Ballot.id)).all(),
            len(s.exec(select(AuditEvent.id)).all()),
        )


def audits(engine, action) -> list[dict]:
    with db.session(engine) as s:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return [e.details for e in s.exec(query)]


@pytest.fixture
def three(engine, voting):
    return shortlist(engine, voting.id, ["Awa Diallo", "Bakary Koné", "Coumba Sow"])


@pytest.fixture
def open_round(engine, voting, manager, three):
    return round_changes.create_round(engine, manager.id, voting.id, form())


# --- making rounds ----------------------------------------------------------------------------


def test_create_round_numbers_the_shortlist_in_stage_order(engine, voting, manager, three):
    r = round_changes.create_round(engine, manager.id, voting.id, form())

    detail = rounds.detail(engine, r.id)
    assert [(c.number, c.nominee_id, c.name, c.jury_score) for c in detail.candidates] == [
        (1, three[0], "Awa Diallo", None),
        (2, three[1], "Bakary Koné", None),
        (3, three[2], "Coumba Sow", None),
    ]
    assert (r.title, r.seats, r.alternates, r.web_enabled, r.sms_enabled, r.results_live) == (
        "Vote du public", 1, 1, True, True, False,
    )  # fmt: skip
    assert (r.weight_jury, r.weight_web, r.weight_sms, detail.state) == (0.0, 50.0, 50.0, "open")
    assert [(d["source"], d["candidates"]) for d in audits(engine, "round.create")] == [
        ("shortlist", three)
    ]


def test_create_round_reads_times_in_the_campaign_timezone(engine, voting, manager, three):
    r = round_changes.create_round(
        engine, manager.id, voting.id,
        form(opens_at="2031-03-01T08:00", closes_at="2031-03-02T20:30"),
    )  # fmt: skip

    assert (r.opens_at.isoformat(), r.closes_at.isoformat()) == (
        "2031-03-01T08:00:00+00:00", "2031-03-02T20:30:00+00:00",
    )  # fmt: skip
    assert rounds.detail(engine, r.id).state == "upcoming"


def test_create_round_takes_the_finalists_not_the_alternates(engine, voting, manager):
    a, b, c, d = (add_nominee(engine, voting.id, n) for n in ("A a", "B b", "C c", "D d"))
    add_decision(engine, voting.id, c, "alternate", position=2)
    add_decision(engine, voting.id, b, "finalist")
    add_decision(engine, voting.id, d, "alternate", position=1)
    add_decision(engine, voting.id, a, "shortlist")

    r = round_changes.create_round(engine, manager.id, voting.id, form(source="finalists"))

    assert [(x.number, x.nominee_id) for x in rounds.detail(engine, r.id).candidates] == [(1, b)]


def test_create_round_with_jury_weight_keeps_normalised_scores(engine, voting, manager):
    a, b, c, d = build_hand_board(engine, voting.id)["ids"]
    for i in (a, b, c):
        add_decision(engine, voting.id, i, "shortlist")

    r = round_changes.create_round(engine, manager.id, voting.id, form(weight_jury="50"))

    scores = [(x.nominee_id, x.jury_score) for x in rounds.detail(engine, r.id).candidates]
    assert scores[0] == (a, 5 + 5 * (2 / 3) / 3)
    assert [n for n, score in scores if score is not None] == [a, b, c]


def test_create_round_refuses_jury_weight_without_scores(engine, voting, manager):
    a, b, c, d = build_hand_board(engine, voting.id)["ids"]
    add_decision(engine, voting.id, d, "shortlist")
    before = snapshot(engine)

    with pytest.raises(Invalid) as caught:
        round_changes.create_round(engine, manager.id, voting.id, form(weight_jury="50"))

    assert caught.value.errors == {
        "weight_jury": "Some candidates have no jury score: set the jury weight to 0."
    }
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"weight_jury": "0", "weight_web": "0", "weight_sms": "0"},
         {"weight_jury": "At least one weight must be above 0."}),
        ({"weight_web": "-1"}, {"weight_web": "A number from 0 to 1,000."}),
        ({"opens_at": "2031-03-02T08:00", "closes_at": "2031-03-01T08:00"},
         {"closes_at": "The round must close after it opens."}),
        ({"closes_at": "tomorrow"}, {"closes_at": "Enter a date and time."}),
        ({"channels": ()}, {"channels": "Choose at least one channel."}),
        ({"seats": "0", "alternates": "x"},
         {"seats": "A whole number from 1 to 100.", "alternates": "From 0 to 100."}),
        ({"title": " a "}, {"title": "Between 3 and 200 characters."}),
        ({"source": "longlist"}, {"source": "Choose where the candidates come from."}),
        ({"source": "round", "previous_round_id": "999"},
         {"previous_round_id": "Choose a round of this campaign."}),
    ],
)  # fmt: skip
def test_create_round_refuses_a_bad_form(engine, voting, manager, three, overrides, errors):
    before = snapshot(engine)

    with pytest.raises(Invalid) as caught:
        round_changes.create_round(engine, manager.id, voting.id, form(**overrides))

    assert caught.value.errors == errors
    assert snapshot(engine) == before


def test_create_round_refuses_without_candidates(engine, voting, manager):
    before = snapshot(engine)

    with pytest.raises(Invalid) as caught:
        round_changes.create_round(engine, manager.id, voting.id, form())

    assert caught.value.errors == {"source": "There are no candidates at this stage yet."}
    assert snapshot(engine) == before


def test_create_round_from_a_previous_round_takes_its_seats_by_place(
    engine, voting, manager, three, open_round
):
    round_changes.update_round(engine, manager.id, open_round.id, form(seats="2", alternates="0"))
    add_ballots(engine, open_round.id, [(3, "web", False)] * 3 + [(1, "web", False)] * 2)
    round_changes.close_round(engine, manager.id, open_round.id)

    r = round_changes.create_round(
        engine, manager.id, voting.id,
        form(title="La finale", source="round", previous_round_id=str(open_round.id)),
    )  # fmt: skip

    assert [(c.number, c.nominee_id) for c in rounds.detail(engine, r.id).candidates] == [
        (1, three[2]), (2, three[0]),
    ]  # fmt: skip
    assert r.previous_round_id == open_round.id


def test_create_round_refuses_a_previous_round_still_open(engine, voting, manager, open_round):
    before = snapshot(engine)

    with pytest.raises(Invalid) as caught:
        round_changes.create_round(
            engine, manager.id, voting.id,
            form(source="round", previous_round_id=str(open_round.id)),
        )  # fmt: skip

    assert caught.value.errors == {"previous_round_id": "That round has not closed yet."}
    assert snapshot(engine) == before


def test_update_round_changes_settings_and_audits(engine, manager, open_round):
    round_changes.update_round(
        engine, manager.id, open_round.id,
        form(title="Vote du public 2", results_live=True, channels=("sms",),
             closes_at=local_input(NOW + timedelta(days=2), TZ)),
    )  # fmt: skip

    r = rounds.detail(engine, open_round.id).round
    assert (r.title, r.results_live, r.web_enabled, r.sms_enabled) == (
        "Vote du public 2", True, False, True,
    )  # fmt: skip
    assert sorted(audits(engine, "round.update")[0]["changed"]) == [
        "closes_at", "results_live", "title", "web_enabled",
    ]  # fmt: skip


def test_update_round_keeps_the_opening_of_an_open_round(engine, manager, open_round):
    later = local_input(NOW - timedelta(minutes=30), TZ)
    before = snapshot(engine)

    with pytest.raises(Invalid) as caught:
        round_changes.update_round(engine, manager.id, open_round.id, form(opens_at=later))

    assert caught.value.errors == {"opens_at": "The round has opened: its opening time stays."}
    assert snapshot(engine) == before


def test_update_round_refuses_a_closed_round(engine, manager, open_round):
    round_changes.close_round(engine, manager.id, open_round.id)
    before = snapshot(engine)

    with pytest.raises(PhaseClosed):
        round_changes.update_round(engine, manager.id, open_round.id, form(title="Autre titre"))

    assert snapshot(engine) == before


# --- results ----------------------------------------------------------------------------------

VOTES = [(1, "web", False)] * 3 + [(1, "sms", False), (2, "web", False)] + [(2, "sms", False)] * 2


def test_results_are_hidden_from_the_public_until_the_close(engine, open_round):
    add_ballots(engine, open_round.id, VOTES)

    assert counting.results(engine, open_round.id) is None
    assert counting.results(engine, open_round.id, manager=True).total == 7


def test_results_are_shown_live_when_the_round_allows(engine, manager, open_round):
    add_ballots(engine, open_round.id, VOTES)
    round_changes.update_round(engine, manager.id, open_round.id, form(results_live=True))

    result = counting.results(engine, open_round.id)

    assert (result.web, result.sms, result.total, result.void) == (4, 3, 7, 0)


def test_close_round_gives_seats_and_alternates(engine, manager, open_round, three):
    add_ballots(engine, open_round.id, [*VOTES, (3, "sms", True)])

    closed = round_changes.close_round(engine, manager.id, open_round.id)
    result = counting.results(engine, open_round.id)

    assert [(r.place, r.number, r.web, r.sms, r.total, r.void, r.outcome) for r in result.rows] == [
        (1, 1, 3, 1, 4, 0, "seat"),
        (2, 2, 1, 2, 3, 0, "alternate"),
        (3, 3, 0, 0, 0, 1, ""),
    ]
    assert [round(r.blended, 4) for r in result.rows] == [0.5417, 0.4583, 0.0]
    assert result.rows[0].nominee_id == three[0]
    assert closed.closed_at is not None


def test_close_round_twice_changes_nothing_the_second_time(engine, manager, open_round):
    first = round_changes.close_round(engine, manager.id, open_round.id).closed_at

    second = round_changes.close_round(engine, manager.id, open_round.id).closed_at

    assert second == first
    assert audits(engine, "round.close") == [{}]


def test_public_results_show_the_latest_round_allowed(engine, voting, manager, open_round):
    add_ballots(engine, open_round.id, VOTES)
    hidden = counting.public_results(engine, voting.id)
    round_changes.close_round(engine, manager.id, open_round.id)

    shown = counting.public_results(engine, voting.id)

    assert (hidden.round.id, hidden.result, hidden.final) == (open_round.id, None, False)
    assert (shown.round.id, shown.result.total, shown.final) == (open_round.id, 7, True)


def test_public_results_without_rounds_are_none(engine, voting):
    assert counting.public_results(engine, voting.id) is None


# --- live count -------------------------------------------------------------------------------


def test_live_count_counts_per_candidate_and_minute(engine, open_round):
    add_ballots(engine, open_round.id, [*VOTES, (3, "web", True)])

    live = counting.live_count(engine, open_round.id)

    assert [(r.number, r.web, r.sms, r.total, r.void) for r in live.rows] == [
        (1, 3, 1, 4, 0), (2, 1, 2, 3, 0), (3, 0, 0, 0, 1),
    ]  # fmt: skip
    assert (live.web, live.sms, live.total, live.void) == (4, 3, 7, 1)
    assert len(live.buckets) == 61
    assert (sum(b.web for b in live.buckets), sum(b.sms for b in live.buckets)) == (4, 3)


@pytest.mark.parametrize("ballots", [1, 30])
def test_live_count_runs_four_queries_however_many_ballots(engine, open_round, ballots):
    add_ballots(engine, open_round.id, [(1 + i % 3, "web", False) for i in range(ballots)])
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        live = counting.live_count(engine, open_round.id)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert live.total == ballots
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 4


# --- fraud review -----------------------------------------------------------------------------


def test_clusters_find_consecutive_numbers_from_the_attempts_log(engine, open_round):
    ids = add_ballots(engine, open_round.id, [(2, "sms", False)] * 5)
    at = db.utcnow() - timedelta(minutes=30)
    with db.session(engine) as s, s.begin():
        for k, ballot_id in enumerate(ids):
            s.add(VoteAttempt(round_id=open_round.id, at=at + timedelta(minutes=k), channel="sms",
                              kind="vote", candidate=2, phone_hash=f"p{k}", phone_seq=123450 + k,
                              ballot_id=ballot_id))  # fmt: skip

    found = fraud_review.clusters(engine, open_round.id)

    assert [(c.kind, c.key, c.vote_ids) for c in found] == [
        ("consecutive_numbers", "123450-123454", tuple(ids))
    ]


def test_void_cluster_marks_ballots_void_and_never_deletes(engine, manager, open_round):
    ids = add_ballots(engine, open_round.id, [(1, "web", False)] * 4 + [(2, "sms", False)])

    voided = fraud_review.void_cluster(
        engine, manager.id, open_round.id, ids[:3], "  Même bloc de SIM ",
        kind="consecutive_numbers", key="123450-123454",
    )  # fmt: skip

    with db.session(engine) as s:
        rows = s.exec(select(Ballot.id, Ballot.void, Ballot.void_reason).order_by(Ballot.id)).all()
    assert voided == 3
    assert [tuple(r) for r in rows] == [
        *((i, True, "Même bloc de SIM") for i in ids[:3]),
        (ids[3], False, ""),
        (ids[4], False, ""),
    ]
    live = counting.live_count(engine, open_round.id)
    assert [(r.number, r.total, r.void) for r in live.rows][:2] == [(1, 1, 3), (2, 1, 0)]
    assert audits(engine, "round.void") == [{
        "kind": "consecutive_numbers", "key": "123450-123454", "reason": "Même bloc de SIM",
        "ballots": ids[:3],
    }]  # fmt: skip


def test_void_cluster_refuses_without_reason(engine, manager, open_round):
    ids = add_ballots(engine, open_round.id, [(1, "web", False)] * 2)
    before = snapshot(engine)

    with pytest.raises(Invalid) as caught:
        fraud_review.void_cluster(engine, manager.id, open_round.id, ids, "   ")

    assert caught.value.errors == {"reason": "Say why."}
    assert snapshot(engine) == before


def test_void_cluster_refuses_ids_of_another_round(engine, voting, manager, open_round):
    other = round_changes.create_round(engine, manager.id, voting.id, form(title="Autre tour"))
    mine = add_ballots(engine, open_round.id, [(1, "web", False)])
    theirs = add_ballots(engine, other.id, [(1, "web", False)])
    before = snapshot(engine)

    for ids in ([*mine, *theirs], [*mine, 99999]):
        with pytest.raises(Invalid) as caught:
            fraud_review.void_cluster(engine, manager.id, open_round.id, ids, "Fraude")
        assert caught.value.errors == {"vote_ids": "Some of these votes are not in this round."}
    assert snapshot(engine) == before


def test_void_cluster_refuses_no_ids_or_only_void_ones(engine, manager, open_round):
    ids = add_ballots(engine, open_round.id, [(1, "web", True)])
    before = snapshot(engine)

    with pytest.raises(Invalid) as empty:
        fraud_review.void_cluster(engine, manager.id, open_round.id, [], "Fraude")
    with pytest.raises(Invalid) as done:
        fraud_review.void_cluster(engine, manager.id, open_round.id, ids, "Fraude")

    assert empty.value.errors == {"vote_ids": "No votes to void."}
    assert done.value.errors == {"vote_ids": "These votes are already void."}
    assert snapshot(engine) == before


# --- exports ----------------------------------------------------------------------------------


def test_tally_json_has_round_and_candidates(engine, voting, manager, open_round):
    add_ballots(engine, open_round.id, [*VOTES, (3, "sms", True)])
    r = rounds.detail(engine, open_round.id).round

    data = exports.tally_json(engine)

    assert json.loads(json.dumps(data)) == {
        "round": {
            "id": r.id, "title": "Vote du public", "opens_at": r.opens_at.isoformat(),
            "closes_at": r.closes_at.isoformat(), "closed_at": None, "state": "open",
        },
        "candidates": [
            {"number": 1, "name": "Awa Diallo", "web": 3, "sms": 1, "total": 4, "void": 0},
            {"number": 2, "name": "Bakary Koné", "web": 1, "sms": 2, "total": 3, "void": 0},
            {"number": 3, "name": "Coumba Sow", "web": 0, "sms": 0, "total": 0, "void": 1},
        ],
    }  # fmt: skip


def test_tally_csv_has_a_bom_and_no_voter_data(engine, manager, open_round):
    add_ballots(engine, open_round.id, VOTES)

    text = "".join(exports.tally_csv(engine, open_round.id, actor_id=manager.id))

    assert text.startswith("\ufeffplace;number;name;web;sms;total;void;")
    assert text.splitlines()[1:] == [
        "1;1;Awa Diallo;3;1;4;0;0.7500;0.3333;0.0000;0.5417;seat",
        "2;2;Bakary Koné;1;2;3;0;0.2500;0.6667;0.0000;0.4583;alternate",
        "3;3;Coumba Sow;0;0;0;0;0.0000;0.0000;0.0000;0.0000;",
    ]
    assert "h1" not in text.split(";") and "R0000" not in text
    assert audits(engine, "round.export") == [{"rows": 3}]


def test_round_listing_counts_candidates_and_votes(engine, voting, manager, open_round):
    add_ballots(engine, open_round.id, [*VOTES, (1, "web", True)])
    with db.session(engine) as s, s.begin():
        s.exec(update(Round).where(Round.id == open_round.id).values(title="Premier tour"))

    lines = rounds.rounds(engine, voting.id)

    assert [(x.round.title, x.state, x.candidates, x.counted) for x in lines] == [
        ("Premier tour", "open", 3, 7)
    ]
