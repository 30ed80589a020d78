"""Ranking the jury's readings: hand-computed boards, the documented rules, and the invariances
(shifting or scaling one juror, input order) as properties."""

from __future__ import annotations

import math
import statistics
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shortlist.ranking import Balance, Criterion, Member, RankedNominee, Reading, balance, rank

A_B = [Criterion("a", 2), Criterion("b", 1)]
ONE = [Criterion("a", 1)]


def reading(nominee_id: int, juror_id: str, submitted: bool = True, **scores: float | None):
    return Reading(nominee_id, juror_id, scores, submitted)


def by_id(board: list[RankedNominee]) -> dict[int, RankedNominee]:
    return {entry.nominee_id: entry for entry in board}


def unscored(nominee_id: int, required: int = 3) -> RankedNominee:
    return RankedNominee(nominee_id, 0, required, False, *[None] * 5, False, {}, None)


# --- hand-computed boards ---------------------------------------------------------------------


def test_rank_two_weighted_criteria_hand_computed():
    # Totals (2a + b) / 3. J1: n1 7, n2 6 (z +1, -1). J2: n1 6, n2 8 (z -1, +1).
    # J3: n1 5, n3 10 (z -1, +1). So mean z: n3 1, n2 0, n1 -1/3.
    readings = [
        reading(1, "J1", a=8, b=5),
        reading(2, "J1", a=5, b=8),
        reading(1, "J2", a=6, b=6),
        reading(2, "J2", a=9, b=6),
        reading(1, "J3", a=4, b=7),
        reading(3, "J3", a=10, b=10),
    ]

    board = rank(A_B, readings, [1, 2, 3, 4], required_readings=3)

    assert [(e.nominee_id, e.rank) for e in board] == [(3, 1), (2, 2), (1, 3), (4, None)]
    assert board[0] == RankedNominee(
        3, 1, 2, False, 10.0, 10.0, 5 + 5 / 3, 1.0, 0.0, False, {"a": 10.0, "b": 10.0}, 1
    )
    assert board[1] == RankedNominee(
        2, 2, 1, False, 7.0, 7.0, 5.0, 0.0, 2.0, False, {"a": 7.0, "b": 7.0}, 2
    )
    n1 = board[2]
    assert (n1.readings, n1.missing, n1.complete) == (3, 0, True)
    assert (n1.weighted_mean, n1.median, n1.spread, n1.disagreement) == (6.0, 6.0, 2.0, False)
    assert n1.mean_z == -1 / 3
    assert n1.normalised == pytest.approx(40 / 9)
    assert n1.per_criterion_mean == {"a": 6.0, "b": 6.0}
    assert board[3] == unscored(4)


def test_rank_lenient_juror_does_not_outrank_harsh_one():
    # The lenient juror's 8 is their weaker nominee; the harsh juror's 4 is their stronger one.
    readings = [
        reading(1, "lenient", a=9),
        reading(2, "lenient", a=8),
        reading(3, "harsh", a=4),
        reading(4, "harsh", a=2),
    ]

    board = rank(ONE, readings, [4, 3, 2, 1], required_readings=1)

    assert [(e.nominee_id, e.rank) for e in board] == [(1, 1), (3, 2), (2, 3), (4, 4)]
    assert [e.normalised for e in board] == [5 + 5 / 3, 5 + 5 / 3, 5 - 5 / 3, 5 - 5 / 3]
    assert [e.weighted_mean for e in board] == [9.0, 4.0, 8.0, 2.0]


def test_rank_tie_on_score_goes_to_more_readings_not_higher_raw_mean():
    # Each juror read one nominee: every z is 0, a tie that raw scores must not break.
    readings = [reading(1, "J1", a=9), reading(2, "J2", a=2), reading(2, "J3", a=3)]

    board = rank(ONE, readings, [1, 2], required_readings=2)

    assert [(e.nominee_id, e.rank, e.normalised) for e in board] == [(2, 1, 5.0), (1, 2, 5.0)]


def test_rank_tie_on_score_and_readings_goes_to_lower_id():
    readings = [reading(5, "J1", a=10), reading(3, "J2", a=1)]

    board = rank(ONE, readings, [5, 3], required_readings=1)

    assert [(e.nominee_id, e.rank) for e in board] == [(3, 1), (5, 2)]


def test_rank_clamps_normalised_at_ten_but_orders_by_mean_z():
    # J1: 17 readings, one 10 among zeros: z = sqrt(16) = 4. J2: 10 readings: z = sqrt(9) = 3.
    readings = [reading(n, "J1", a=10 if n == 36 else 0) for n in range(20, 37)]
    readings += [reading(n, "J2", a=10 if n == 10 else 0) for n in range(1, 11)]

    board = rank(ONE, readings, [*range(1, 11), *range(20, 37)], required_readings=1)

    assert [(e.nominee_id, e.mean_z, e.normalised) for e in board[:3]] == [
        (36, 4.0, 10.0),
        (10, 3.0, 10.0),
        (20, -0.25, 5 - 5 * 0.25 / 3),
    ]
    assert [e.nominee_id for e in board[3:]] == [*range(21, 36), *range(1, 10)]
    assert board[-1].mean_z == -1 / 3


def test_rank_median_of_even_count_is_mean_of_middle_two():
    readings = [
        reading(1, "J1", a=4),
        reading(1, "J2", a=7.5),
        reading(1, "J3", a=5),
        reading(1, "J4", a=9),
    ]

    (entry,) = rank(ONE, readings, [1], required_readings=3)

    assert (entry.median, entry.weighted_mean, entry.readings, entry.missing) == (6.25, 6.375, 4, 0)
    assert entry.complete is True


def test_rank_spread_at_threshold_is_disagreement():
    readings = [
        reading(1, "J1", a=4),
        reading(1, "J2", a=7),
        reading(2, "J1", a=4.5),
        reading(2, "J2", a=7),
    ]

    board = by_id(rank(ONE, readings, [1, 2], required_readings=2))

    assert (board[1].spread, board[1].disagreement) == (3.0, True)
    assert (board[2].spread, board[2].disagreement) == (2.5, False)


def test_rank_disagreement_threshold_can_be_set():
    readings = [reading(1, "J1", a=4.5), reading(1, "J2", a=7)]

    (entry,) = rank(ONE, readings, [1], required_readings=2, disagreement_threshold=2.5)

    assert (entry.spread, entry.disagreement) == (2.5, True)


def test_rank_juror_giving_equal_totals_contributes_zero():
    readings = [reading(1, "J1", a=6), reading(2, "J1", a=6), reading(3, "J1", a=6)]

    board = rank(ONE, readings, [1, 2, 3], required_readings=1)

    assert [(e.nominee_id, e.mean_z, e.normalised, e.rank) for e in board] == [
        (1, 0.0, 5.0, 1),
        (2, 0.0, 5.0, 2),
        (3, 0.0, 5.0, 3),
    ]


def test_rank_weights_are_relative():
    readings = [
        reading(1, "J1", a=8, b=5),
        reading(2, "J1", a=5, b=9),
        reading(2, "J2", a=3, b=6),
        reading(3, "J2", a=7, b=2),
    ]
    fractional = [Criterion("a", 0.5), Criterion("b", 0.25)]

    assert rank(fractional, readings, [1, 2, 3], 2) == rank(A_B, readings, [1, 2, 3], 2)


def test_rank_incomplete_nominee_is_ranked_among_complete_ones_and_marked():
    readings = [
        reading(1, "J1", a=3),
        reading(1, "J2", a=4),
        reading(2, "J1", a=7),
        reading(2, "J2", a=8),
        reading(3, "J1", a=9),  # J2 has not read nominee 3 yet
    ]

    board = rank(ONE, readings, [1, 2, 3], required_readings=2)

    assert [(e.nominee_id, e.rank, e.complete, e.missing) for e in board] == [
        (3, 1, False, 1),
        (2, 2, True, 0),
        (1, 3, True, 0),
    ]


# --- partial readings and nominees without readings --------------------------------------------


def test_rank_partial_and_draft_readings_do_not_count():
    readings = [
        reading(1, "J1", a=8, b=8),
        reading(1, "J2", a=2, b=None),  # a criterion left blank
        reading(1, "J3", a=2),  # a criterion absent
        reading(1, "J4", submitted=False, a=2, b=2),  # fully scored, not submitted
        reading(2, "J2", a=1, b=1),
    ]

    board = by_id(rank(A_B, readings, [1, 2], required_readings=3))

    assert (board[1].readings, board[1].missing, board[1].complete) == (1, 2, False)
    assert (board[1].weighted_mean, board[1].spread) == (8.0, 0.0)
    assert board[1].per_criterion_mean == {"a": 8.0, "b": 8.0}
    # J2's blank sheet does not enter J2's statistics either: a single reading, so z = 0.
    assert board[2].mean_z == 0.0


def test_rank_nominee_with_only_partial_readings_is_unscored_and_last():
    readings = [reading(1, "J1", a=0, b=0), reading(2, "J1", a=9, b=None)]

    board = rank(A_B, readings, [2, 1], required_readings=3)

    assert board == [
        RankedNominee(1, 1, 2, False, 0.0, 0.0, 5.0, 0.0, 0.0, False, {"a": 0.0, "b": 0.0}, 1),
        unscored(2),
    ]


def test_rank_nominees_without_readings_come_last_by_id():
    board = rank(ONE, [reading(9, "J1", a=1)], [7, 9, 3], required_readings=3)

    assert [(e.nominee_id, e.rank) for e in board] == [(9, 1), (3, None), (7, None)]
    assert board[1:] == [unscored(3), unscored(7)]


def test_rank_with_no_readings_at_all_lists_every_nominee_unscored():
    assert rank(ONE, [], [2, 1], required_readings=2) == [unscored(1, 2), unscored(2, 2)]


def test_rank_readings_of_unlisted_nominees_still_shape_juror_statistics():
    readings = [reading(1, "J1", a=9), reading(2, "J1", a=3)]

    (entry,) = rank(ONE, readings, [1], required_readings=1)

    assert (entry.mean_z, entry.rank) == (1.0, 1)


def test_rank_draft_next_to_submitted_reading_by_same_juror_is_fine():
    readings = [reading(1, "J1", submitted=False, a=1), reading(1, "J1", a=7)]

    (entry,) = rank(ONE, readings, [1], required_readings=1)

    assert (entry.readings, entry.weighted_mean) == (1, 7.0)


def test_rank_ignores_scores_for_unknown_criteria():
    (entry,) = rank(ONE, [reading(1, "J1", a=7, z=0)], [1], required_readings=1)

    assert entry.per_criterion_mean == {"a": 7.0}


# --- refused input -----------------------------------------------------------------------------


def test_rank_two_complete_readings_by_one_juror_raises():
    readings = [reading(1, "J1", a=7), reading(1, "J1", a=8)]

    with pytest.raises(ValueError, match="two complete readings"):
        rank(ONE, readings, [1], required_readings=1)


def test_rank_nominee_listed_twice_raises():
    with pytest.raises(ValueError, match="listed twice"):
        rank(ONE, [], [1, 1], required_readings=1)


def test_rank_criterion_listed_twice_raises():
    with pytest.raises(ValueError, match="listed twice"):
        rank([Criterion("a", 1), Criterion("a", 2)], [], [1], required_readings=1)


def test_rank_without_criteria_raises():
    with pytest.raises(ValueError, match="criterion"):
        rank([], [], [1], required_readings=1)


@pytest.mark.parametrize("weight", [0, -1.0, math.nan, math.inf])
def test_rank_weight_not_positive_raises(weight):
    with pytest.raises(ValueError, match="weight"):
        rank([Criterion("a", weight)], [], [1], required_readings=1)


@pytest.mark.parametrize("score", [math.nan, math.inf, -math.inf])
def test_rank_non_finite_score_raises(score):
    with pytest.raises(ValueError, match="finite"):
        rank(ONE, [reading(1, "J1", a=score)], [1], required_readings=1)


def test_rank_required_readings_below_one_raises():
    with pytest.raises(ValueError, match="required_readings"):
        rank(ONE, [], [1], required_readings=0)


# --- properties ----------------------------------------------------------------------------------

HALF_POINTS = st.integers(0, 20).map(lambda k: k / 2)


@st.composite
def boards(draw):
    """Small boards in whole and half points, with drafts, blanks and unread nominees."""
    weights = draw(st.lists(st.integers(1, 8).map(lambda k: k / 2), min_size=1, max_size=4))
    criteria = [Criterion(f"c{k}", w) for k, w in enumerate(weights)]
    jurors = [f"J{k}" for k in range(draw(st.integers(1, 5)))]
    nominee_ids = list(range(1, draw(st.integers(1, 8)) + 1))
    readings = []
    for nominee_id in nominee_ids:
        for juror_id in draw(st.lists(st.sampled_from(jurors), unique=True)):
            scores = {
                c.id: None if draw(st.integers(0, 19)) == 0 else draw(HALF_POINTS) for c in criteria
            }
            readings.append(Reading(nominee_id, juror_id, scores, draw(st.integers(0, 9)) > 0))
    required = draw(st.integers(1, 4))
    return criteria, readings, nominee_ids, required


def transformed(readings: list[Reading], juror_id: str, change) -> list[Reading]:
    def scores(r: Reading):
        return {c: None if s is None else change(s) for c, s in r.scores.items()}

    return [replace(r, scores=scores(r)) if r.juror_id == juror_id else r for r in readings]


def normalised_view(board: list[RankedNominee]):
    return [(e.nominee_id, e.rank, e.mean_z, e.normalised, e.readings, e.complete) for e in board]


@settings(max_examples=200, deadline=None)
@given(boards(), st.integers(0, 4), st.integers(-40, 40).map(lambda k: k / 2))
def test_rank_shifting_one_jurors_scores_keeps_normalised_ranking(board, juror, constant):
    criteria, readings, nominee_ids, required = board
    shifted = transformed(readings, f"J{juror}", lambda s: s + constant)

    before = rank(criteria, readings, nominee_ids, required)
    after = rank(criteria, shifted, nominee_ids, required)

    assert normalised_view(after) == normalised_view(before)


@settings(max_examples=200, deadline=None)
@given(boards(), st.integers(0, 4), st.integers(1, 160).map(lambda k: k / 16))
def test_rank_scaling_one_jurors_scores_keeps_normalised_ranking(board, juror, factor):
    criteria, readings, nominee_ids, required = board
    scaled = transformed(readings, f"J{juror}", lambda s: s * factor)

    before = rank(criteria, readings, nominee_ids, required)
    after = rank(criteria, scaled, nominee_ids, required)

    assert normalised_view(after) == normalised_view(before)


@settings(max_examples=150, deadline=None)
@given(
    # Large enough that scaling by 2 ** -20 stays exact (no subnormal result).
    st.lists(
        st.floats(-1e6, 1e6).filter(lambda x: x == 0 or abs(x) > 1e-300), min_size=6, max_size=6
    ),
    st.integers(-20, 20),
    st.integers(-1000, 1000).map(float),
)
def test_rank_any_floats_shifted_exactly_or_scaled_by_powers_of_two_keep_ranking(
    scores, exponent, shift
):
    # Scores far outside 0-10 are accepted; the property holds whenever the new floats are exactly
    # the scaled or shifted values (checked here, since a shift of an arbitrary float may round).
    criteria = [Criterion("a", 3), Criterion("b", 1)]
    pairs = [(1, "J1"), (2, "J1"), (3, "J1"), (1, "J2"), (2, "J2"), (3, "J3")]
    readings = [
        reading(n, j, a=s, b=scores[(k + 1) % 6])
        for k, ((n, j), s) in enumerate(zip(pairs, scores, strict=True))
    ]
    before = rank(criteria, readings, [1, 2, 3], 2)

    scaled = transformed(readings, "J1", lambda s: math.ldexp(s, exponent))
    assert normalised_view(rank(criteria, scaled, [1, 2, 3], 2)) == normalised_view(before)
    if all(Fraction(s) + Fraction(shift) == Fraction(s + shift) for s in scores):
        shifted = transformed(readings, "J1", lambda s: s + shift)
        assert normalised_view(rank(criteria, shifted, [1, 2, 3], 2)) == normalised_view(before)


@settings(max_examples=100, deadline=None)
@given(boards(), st.randoms(use_true_random=False))
def test_rank_input_order_changes_nothing(board, random):
    criteria, readings, nominee_ids, required = board
    shuffled = [list(criteria), list(readings), list(nominee_ids)]
    for items in shuffled:
        random.shuffle(items)

    assert rank(*shuffled, required) == rank(criteria, readings, nominee_ids, required)


@settings(max_examples=100, deadline=None)
@given(boards())
def test_rank_unread_nominees_are_never_zero_and_come_last(board):
    criteria, readings, nominee_ids, required = board

    result = rank(criteria, readings, nominee_ids, required)

    assert sorted(e.nominee_id for e in result) == nominee_ids
    unread = [e for e in result if e.readings == 0]
    assert result[len(result) - len(unread) :] == unread
    assert unread == [unscored(e.nominee_id, required) for e in unread]
    assert [e.nominee_id for e in unread] == sorted(e.nominee_id for e in unread)


@settings(max_examples=100, deadline=None)
@given(boards())
def test_rank_order_follows_documented_keys(board):
    criteria, readings, nominee_ids, required = board

    result = [e for e in rank(criteria, readings, nominee_ids, required) if e.readings]

    assert [e.rank for e in result] == list(range(1, len(result) + 1))
    keys = [(-e.mean_z, -e.readings, e.nominee_id) for e in result]
    assert keys == sorted(keys)
    for e in result:
        assert e.normalised == min(10.0, max(0.0, 5 + 5 * e.mean_z / 3))
        assert (e.missing, e.complete) == (max(0, required - e.readings), e.readings >= required)


@settings(max_examples=100, deadline=None)
@given(boards())
def test_rank_values_agree_with_a_plain_computation(board):
    criteria, readings, nominee_ids, required = board

    result = rank(criteria, readings, nominee_ids, required)

    expected = plain_statistics(criteria, readings)
    for e in result:
        if e.readings == 0:
            assert e.nominee_id not in expected
            continue
        mean, median, spread, mean_z, per_criterion = expected[e.nominee_id]
        assert e.weighted_mean == pytest.approx(mean)
        assert e.median == pytest.approx(median)
        assert e.spread == pytest.approx(spread)
        # The plain sum is in floats (2.9999999999999996 where rank's exact rationals give
        # 3.0): at the threshold itself, only the exact spread can decide.
        assert e.disagreement == (e.spread >= 3 if math.isclose(spread, 3) else spread >= 3)
        assert e.mean_z == pytest.approx(mean_z, abs=1e-12)
        assert e.per_criterion_mean == pytest.approx(per_criterion)


@settings(max_examples=100, deadline=None)
@given(boards(), st.data())
def test_rank_of_a_subset_gives_the_same_scores(board, data):
    criteria, readings, nominee_ids, required = board
    subset = data.draw(st.lists(st.sampled_from(nominee_ids), unique=True))

    full = by_id(rank(criteria, readings, nominee_ids, required))
    part = rank(criteria, readings, subset, required)

    assert [e._replace(rank=None) for e in part] == [
        full[e.nominee_id]._replace(rank=None) for e in part
    ]


def plain_statistics(criteria, readings):
    """The module docstring's rules, written the obvious way (exact totals, float statistics)."""
    ids = [c.id for c in criteria]
    complete = [
        r for r in readings if r.submitted and all(r.scores.get(c) is not None for c in ids)
    ]
    weight = sum(Fraction(c.weight) for c in criteria)
    total = {
        id(r): sum(Fraction(c.weight) * Fraction(r.scores[c.id]) for c in criteria) / weight
        for r in complete
    }
    z = {}
    for juror_id in {r.juror_id for r in complete}:
        mine = [r for r in complete if r.juror_id == juror_id]
        mean = sum(total[id(r)] for r in mine) / len(mine)
        variance = sum((total[id(r)] - mean) ** 2 for r in mine) / len(mine)
        for r in mine:
            z[id(r)] = float(total[id(r)] - mean) / math.sqrt(variance) if variance else 0.0
    out = {}
    for nominee_id in {r.nominee_id for r in complete}:
        mine = [r for r in complete if r.nominee_id == nominee_id]
        totals = [float(total[id(r)]) for r in mine]
        out[nominee_id] = (
            statistics.fmean(totals),
            statistics.median(totals),
            max(totals) - min(totals),
            statistics.fmean(z[id(r)] for r in mine),
            {c: statistics.fmean(r.scores[c] for r in mine) for c in ids},
        )
    return out


# --- balance of a selection ----------------------------------------------------------------------


def test_balance_counts_genders_and_regions_in_campaign_order():
    selection = [
        Member("female", "Sikasso"),
        Member("male", "Kayes"),
        ("Female ", " Kayes"),
        (None, ""),
        ("unknown", "Tombouctou"),
        ("x", None),
    ]

    summary = balance(selection, campaign_regions=["Kayes", "Koulikoro", "Sikasso"])

    assert summary == Balance(
        total=6,
        women=2,
        men=1,
        unknown=3,
        regions=("Kayes", "Sikasso", "Tombouctou"),
        region_counts={"Kayes": 2, "Sikasso": 1, "Tombouctou": 1},
        no_region=2,
        uncovered=("Koulikoro",),
    )


def test_balance_without_campaign_regions_sorts_regions():
    summary = balance([("male", "Ségou"), ("female", "Mopti"), ("female", "Ségou")])

    assert (summary.women, summary.men, summary.unknown) == (2, 1, 0)
    assert summary.regions == ("Mopti", "Ségou")
    assert summary.uncovered == ()


def test_balance_of_empty_selection_is_all_zero():
    assert balance([], ["Kayes"]) == Balance(0, 0, 0, 0, (), {}, 0, ("Kayes",))
