"""Tallying a round: hand-computed results, the tie-break rule, empty rounds and channels, the live
chart's buckets, and the rules every result keeps (properties)."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.tally import Bucket, Candidate, Result, Row, Vote, Weights, per_minute, tally

T0 = datetime(2024, 5, 1, 20, 0, tzinfo=UTC)
HALF_QUARTER_QUARTER = Weights(jury=50, web=25, sms=25)
THREE = [Candidate(1, 101, "Awa"), Candidate(2, 102, "Bakary"), Candidate(3, 103, "Coumba")]


def votes(candidate: int, channel: str, count: int, void: bool = False) -> list[Vote]:
    return [Vote(candidate, channel, void, T0 + timedelta(seconds=i)) for i in range(count)]


def order(result: Result) -> list[int]:
    return [row.number for row in result.rows]


# --- hand-computed rounds ---------------------------------------------------------------------


def test_tally_weights_50_25_25_hand_computed():
    # Jury 8/6/6 of 20: shares .4 .3 .3. Web 2/6/2 of 10: .2 .6 .2. SMS 10/4/6 of 20: .5 .2 .3.
    # Blended (50/25/25 = .5/.25/.25): Awa .2 + .05 + .125 = .375; Bakary .15 + .15 + .05 = .35;
    # Coumba .15 + .05 + .075 = .275.
    ballot = [
        *votes(1, "web", 2),
        *votes(2, "web", 6),
        *votes(3, "web", 2),
        *votes(1, "sms", 10),
        *votes(2, "sms", 4),
        *votes(3, "sms", 6),
        *votes(2, "sms", 3, void=True),
        *votes(3, "web", 1, void=True),
    ]

    result = tally(THREE, ballot, HALF_QUARTER_QUARTER, {1: 8, 2: 6, 3: 6}, seats=1, alternates=1)

    assert result == Result(
        rows=(
            Row(1, 1, 101, "Awa", 2, 10, 12, 0, 0.2, 0.5, 0.4, 0.375, "seat"),
            Row(2, 2, 102, "Bakary", 6, 4, 10, 3, 0.6, 0.2, 0.3, 0.35, "alternate"),
            Row(3, 3, 103, "Coumba", 2, 6, 8, 1, 0.2, 0.3, 0.3, 0.275, ""),
        ),
        web=10,
        sms=20,
        total=30,
        void=4,
        ties=(),
    )


def test_tally_weights_not_summing_to_one_normalised():
    ballot = [*votes(1, "web", 1), *votes(2, "sms", 3), *votes(3, "sms", 1)]

    a = tally(THREE, ballot, Weights(2, 1, 1), {1: 1, 2: 1, 3: 2}, seats=2, alternates=0)
    b = tally(THREE, ballot, Weights(0.5, 0.25, 0.25), {1: 1, 2: 1, 3: 2}, seats=2, alternates=0)

    # Awa .5 * .25 + .25 * 1 = .375; Bakary .125 + .25 * .75 = .3125; Coumba .25 + .0625 = .3125,
    # a tie on score broken by Bakary's three votes against Coumba's one.
    assert a == b
    assert [(r.number, r.blended, r.outcome) for r in a.rows] == [
        (1, 0.375, "seat"),
        (2, 0.3125, "seat"),
        (3, 0.3125, ""),
    ]
    assert a.ties == ()


def test_tally_channel_without_votes_shares_zero():
    ballot = [*votes(1, "sms", 1), *votes(2, "sms", 3)]

    result = tally(THREE, ballot, Weights(0, 1, 1), {}, seats=1, alternates=1)

    # Web has no votes: everyone's web share is 0, so the blend is sms_share / 2.
    assert [(r.number, r.web_share, r.sms_share, r.blended) for r in result.rows] == [
        (2, 0.0, 0.75, 0.375),
        (1, 0.0, 0.25, 0.125),
        (3, 0.0, 0.0, 0.0),
    ]
    assert (result.web, result.sms, result.total, result.void) == (0, 4, 4, 0)


def test_tally_zero_votes_ordered_by_jury_then_ballot_number():
    result = tally(THREE, [], HALF_QUARTER_QUARTER, {1: 3, 2: 5, 3: 3}, seats=1, alternates=1)

    assert [(r.place, r.number, r.blended, r.outcome) for r in result.rows] == [
        (1, 2, 0.5 * 5 / 11, "seat"),
        (2, 1, 0.5 * 3 / 11, "alternate"),
        (3, 3, 0.5 * 3 / 11, ""),
    ]
    assert result.ties == ((1, 3),)
    assert (result.web, result.sms, result.total, result.void) == (0, 0, 0, 0)


def test_tally_zero_votes_no_jury_falls_to_draw_then_ballot_number():
    result = tally(THREE, [], Weights(0, 1, 1), {}, seats=0, alternates=0, draw=[3])

    assert order(result) == [3, 1, 2]
    assert result.ties == ((3, 1, 2),)
    assert [r.outcome for r in result.rows] == ["", "", ""]


def test_tally_all_zero_jury_scores_share_zero():
    result = tally(THREE, votes(2, "web", 1), Weights(1, 1, 0), {1: 0, 2: 0, 3: 0}, 1, 0)

    assert [(r.number, r.jury_share, r.blended) for r in result.rows] == [
        (2, 0.0, 0.5),
        (1, 0.0, 0.0),
        (3, 0.0, 0.0),
    ]


# --- tie-breaks -------------------------------------------------------------------------------


def test_tally_equal_score_more_votes_first():
    # Only web weighs: 1 and 3 have one web vote of two each (.5), but 3 also has two SMS votes,
    # which count for the total though not for the score.
    ballot = [*votes(1, "web", 1), *votes(3, "web", 1), *votes(3, "sms", 2)]

    result = tally(THREE, ballot, Weights(0, 1, 0), {}, seats=1, alternates=0)

    assert [(r.number, r.blended, r.total) for r in result.rows] == [
        (3, 0.5, 3),
        (1, 0.5, 1),
        (2, 0.0, 0),
    ]
    assert result.ties == ()


def test_tally_equal_score_and_votes_higher_jury_share_first():
    # Weights jury 0: the jury does not score, but its share still breaks a tie. Web 2 of 4 for
    # Awa and SMS 2 of 4 for Bakary: both .5 * .5 = .25 and 2 votes.
    ballot = [
        *votes(1, "web", 2),
        *votes(3, "web", 2),
        *votes(2, "sms", 2),
        *votes(3, "sms", 2),
    ]

    result = tally(THREE, ballot, Weights(0, 1, 1), {1: 4, 2: 6}, seats=1, alternates=0)

    assert [(r.number, r.blended, r.total, r.jury_share) for r in result.rows] == [
        (3, 0.5, 4, 0.0),
        (2, 0.25, 2, 0.6),
        (1, 0.25, 2, 0.4),
    ]
    assert result.ties == ()


def test_tally_tie_on_merit_draw_before_ballot_number():
    ballot = [*votes(1, "web", 2), *votes(2, "web", 2), *votes(3, "web", 2)]

    undrawn = tally(THREE, ballot, Weights(0, 1, 0), {}, seats=1, alternates=1)
    drawn = tally(THREE, ballot, Weights(0, 1, 0), {}, seats=1, alternates=1, draw=[2, 3, 1])

    assert order(undrawn) == [1, 2, 3]
    assert order(drawn) == [2, 3, 1]
    assert (undrawn.ties, drawn.ties) == (((1, 2, 3),), ((2, 3, 1),))
    assert [r.outcome for r in drawn.rows] == ["seat", "alternate", ""]


def test_tally_exactly_equal_scores_tie_despite_float_rounding():
    # .1 + .2 != .3 in floats; exact shares make 1 (web 1/10, SMS 2/10) and 2 (SMS 3/10) equal,
    # so the tie goes to the documented rule (more votes: 3 each, then ballot number).
    ballot = [
        *votes(1, "web", 1),
        *votes(3, "web", 9),
        *votes(1, "sms", 2),
        *votes(2, "sms", 3),
        *votes(3, "sms", 5),
    ]

    result = tally(THREE, ballot, Weights(0, 1, 1), {}, seats=0, alternates=0)

    assert order(result) == [3, 1, 2]
    assert result.ties == ((1, 2),)


# --- outcomes and validation ------------------------------------------------------------------


def test_tally_more_seats_than_candidates_all_seated():
    result = tally(THREE, [], Weights(0, 1, 1), {}, seats=5, alternates=3)

    assert [r.outcome for r in result.rows] == ["seat", "seat", "seat"]


def test_tally_no_candidates_empty_result():
    assert tally([], [], Weights(0, 1, 1), {}, 5, 3) == Result((), 0, 0, 0, 0, ())


@pytest.mark.parametrize(
    ("ballot", "weights", "jury", "seats", "draw", "message"),
    [
        (votes(4, "web", 1), Weights(0, 1, 1), {}, 1, (), "not on the ballot"),
        (votes(4, "web", 1, void=True), Weights(0, 1, 1), {}, 1, (), "not on the ballot"),
        (votes(1, "ussd", 1), Weights(0, 1, 1), {}, 1, (), "unknown channel"),
        ([], Weights(0, 0, 0), {}, 1, (), "at least one weight"),
        ([], Weights(-1, 1, 1), {}, 1, (), "non-negative"),
        ([], Weights(float("nan"), 1, 1), {}, 1, (), "non-negative"),
        ([], Weights(1, 1, 1), {1: 5, 2: 5}, 1, (), "no jury score: [3]"),
        ([], Weights(0, 1, 1), {101: 5}, 1, (), "not on the ballot: [101]"),
        ([], Weights(1, 1, 1), {1: 5, 2: -1, 3: 5}, 1, (), "jury score of candidate 2"),
        ([], Weights(0, 1, 1), {}, -1, (), "must not be negative"),
        ([], Weights(0, 1, 1), {}, 1, (1, 1), "lists a number twice"),
        ([], Weights(0, 1, 1), {}, 1, (9,), "not on the ballot"),
    ],
)
def test_tally_invalid_input_raises(ballot, weights, jury, seats, draw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        tally(THREE, ballot, weights, jury, seats, 0, draw=draw)


def test_tally_repeated_ballot_number_raises():
    with pytest.raises(ValueError, match="listed twice"):
        tally([*THREE, Candidate(1, 104, "Dado")], [], Weights(0, 1, 1), {}, 1, 0)


# --- live chart -------------------------------------------------------------------------------


def test_per_minute_counts_channels_and_lists_empty_minutes():
    start = datetime(2024, 5, 1, 20, 0, 30, tzinfo=UTC)
    at = [(0, 45, "web"), (0, 59, "sms"), (1, 0, "sms"), (3, 10, "web"), (3, 20, "web")]
    ballot = [Vote(1, channel, False, T0 + timedelta(minutes=m, seconds=s)) for m, s, channel in at]
    ballot.append(Vote(2, "web", True, T0 + timedelta(minutes=1)))  # void: not counted
    ballot.append(Vote(2, "web", False, T0 + timedelta(seconds=10)))  # before start
    ballot.append(Vote(2, "web", False, T0 + timedelta(minutes=4)))  # at end: excluded

    chart = per_minute(ballot, start, T0 + timedelta(minutes=4))

    assert chart == [
        Bucket(T0, 1, 1),
        Bucket(T0 + timedelta(minutes=1), 0, 1),
        Bucket(T0 + timedelta(minutes=2), 0, 0),
        Bucket(T0 + timedelta(minutes=3), 2, 0),
    ]


def test_per_minute_full_day_keeps_one_minute_buckets():
    chart = per_minute([], T0, T0 + timedelta(days=1))

    assert len(chart) == 1440
    assert chart[-1] == Bucket(T0 + timedelta(minutes=1439), 0, 0)


def test_per_minute_longer_than_a_day_coarser_aligned_buckets():
    start = datetime(2024, 5, 1, 20, 7, tzinfo=UTC)
    ballot = [Vote(1, "sms", False, start), Vote(1, "web", False, start + timedelta(minutes=3))]

    chart = per_minute(ballot, start, start + timedelta(days=2))

    # 2 days = 2880 minutes: 2-minute buckets from 20:06 need 1441, so 5-minute ones, from 20:05.
    assert len(chart) == 577
    assert chart[:2] == [
        Bucket(T0 + timedelta(minutes=5), 0, 1),
        Bucket(start + timedelta(minutes=3), 1, 0),
    ]
    assert chart[-1].start == datetime(2024, 5, 3, 20, 5, tzinfo=UTC)


def test_per_minute_years_whole_day_buckets():
    start = datetime(2024, 5, 1, 20, 7, tzinfo=UTC)

    chart = per_minute([], start, start + timedelta(days=2000))

    assert chart[0].start == datetime(2024, 5, 1, tzinfo=UTC)
    assert chart[1].start - chart[0].start == timedelta(days=2)
    assert len(chart) == 1001


def test_per_minute_end_not_after_start_empty():
    assert per_minute(votes(1, "web", 3), T0, T0) == []


# --- properties -------------------------------------------------------------------------------

N_MAX = 6


@st.composite
def rounds(draw):
    n = draw(st.integers(1, N_MAX))
    candidates = [Candidate(k, 100 + k, f"C{k}") for k in range(1, n + 1)]
    ballot = draw(
        st.lists(
            st.builds(
                Vote,
                candidate=st.integers(1, n),
                channel=st.sampled_from(["web", "sms"]),
                void=st.booleans(),
                at=st.just(T0),
            ),
            max_size=40,
        )
    )
    weights = draw(
        st.tuples(*[st.sampled_from([0, 0.5, 1, 25, 50, 1 / 3]) for _ in range(3)]).filter(any)
    )
    jury = {c.number: draw(st.sampled_from([0, 1, 2.5, 7, 10])) for c in candidates}
    seats = draw(st.integers(0, n + 1))
    alternates = draw(st.integers(0, n + 1))
    return candidates, ballot, Weights(*weights), jury, seats, alternates


@settings(max_examples=300, deadline=None)
@given(rounds(), st.randoms(use_true_random=False))
def test_tally_permuting_votes_changes_nothing(round_, rng):
    candidates, ballot, *rest = round_
    shuffled = list(ballot)
    rng.shuffle(shuffled)

    assert tally(candidates, shuffled, *rest) == tally(candidates, ballot, *rest)


@settings(max_examples=300, deadline=None)
@given(rounds(), st.data())
def test_tally_voiding_a_vote_never_increases_its_candidate_total(round_, data):
    candidates, ballot, *rest = round_
    counted = [i for i, v in enumerate(ballot) if not v.void]
    if not counted:
        return
    i = data.draw(st.sampled_from(counted))
    voided = [*ballot[:i], replace(ballot[i], void=True), *ballot[i + 1 :]]

    def total_of(result: Result) -> int:
        return next(r.total for r in result.rows if r.number == ballot[i].candidate)

    before = total_of(tally(candidates, ballot, *rest))
    after = total_of(tally(candidates, voided, *rest))

    assert after == before - 1


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_tally_blended_score_in_unit_interval(round_):
    result = tally(*round_)

    assert all(0.0 <= r.blended <= 1.0 for r in result.rows)


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_tally_outcomes_count_seats_and_alternates(round_):
    candidates, *_, seats, alternates = round_
    n = len(candidates)

    result = tally(*round_)

    outcomes = [r.outcome for r in result.rows]
    assert outcomes.count("seat") == min(seats, n)
    assert outcomes.count("alternate") == max(0, min(alternates, n - seats))
    assert [r.place for r in result.rows] == list(range(1, n + 1))


@settings(max_examples=300, deadline=None)
@given(rounds(), st.data())
def test_tally_adding_a_counted_vote_never_lowers_place(round_, data):
    candidates, ballot, *rest = round_
    c = data.draw(st.sampled_from([x.number for x in candidates]))
    channel = data.draw(st.sampled_from(["web", "sms"]))

    def place_of(result: Result) -> int:
        return next(r.place for r in result.rows if r.number == c)

    before = place_of(tally(candidates, ballot, *rest))
    after = place_of(tally(candidates, [*ballot, Vote(c, channel, False, T0)], *rest))

    assert after <= before


def test_tally_large_round_permutation_same_result():
    rng = random.Random(7)
    ballot = [
        Vote(rng.randint(1, 3), rng.choice(["web", "sms"]), rng.random() < 0.05, T0)
        for _ in range(5000)
    ]
    shuffled = rng.sample(ballot, len(ballot))

    assert tally(THREE, shuffled, HALF_QUARTER_QUARTER, {1: 7.5, 2: 8.1, 3: 6.9}, 1, 1) == tally(
        THREE, ballot, HALF_QUARTER_QUARTER, {1: 7.5, 2: 8.1, 3: 6.9}, 1, 1
    )
