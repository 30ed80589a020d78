"""Fraud signals: each rule fires on a constructed example with exact contents and evidence, and not
just below its threshold; honest patterns (a TV surge, an SMS-only round) stay quiet; the output
does not depend on input order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.fraud import Attempt, Cluster, Params, signals

T0 = datetime(2024, 5, 1, 20, 0, tzinfo=UTC)


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def sms(vote_id: int, when: datetime, candidate: int = 1, seq: int | None = None) -> Attempt:
    return Attempt(when, "sms", candidate, f"p{vote_id}", seq, "", "", "vote", vote_id)


def web(
    vote_id: int,
    when: datetime,
    address: str = "",
    browser: str = "",
    phone: str = "",
    candidate: int = 1,
) -> Attempt:
    phone = phone or f"p{vote_id}"
    return Attempt(when, "web", candidate, phone, None, address, browser, "vote", vote_id)


def failed(when: datetime, phone: str = "", address: str = "") -> Attempt:
    return Attempt(when, "web", None, phone, None, address, "", "code_failed", None)


def of_kind(clusters: list[Cluster], kind: str) -> list[Cluster]:
    return [c for c in clusters if c.kind == kind]


# --- burst ------------------------------------------------------------------------------------


def steady_three_candidates() -> list[Attempt]:
    """One SMS vote every five minutes for each of three candidates, 20:00 to 20:57 (ids 1-36):
    candidate c votes at minute 5k + c - 1."""
    return [
        sms(12 * (c - 1) + k + 1, at(5 * k + c - 1), candidate=c)
        for c in (1, 2, 3)
        for k in range(12)
    ]


def bot(count: int, candidate: int = 2, first_id: int = 1000) -> list[Attempt]:
    """``count`` SMS votes one second apart from 20:40:00."""
    return [sms(first_id + k, at(40, k), candidate=candidate) for k in range(count)]


def test_signals_burst_fires_with_exact_evidence():
    attempts = steady_three_candidates() + bot(30)

    clusters = signals(attempts)

    # Candidate 2: one vote per bucket (median 1) plus the bot's 30 in 20:40-20:45. The window
    # from its 20:36 vote holds that vote, the 30 and none more (31); candidates 1 and 3 have 20:40
    # and 20:37 in it (2). Outside it: 11 for candidate 2, 22 for the others. Odds ratio
    # (32 / 3) / (12 / 23) = 20.444. The windows from 20:40:00 (31) and 20:40:01 (30) pass too
    # and merge, reaching candidate 2's 20:41 vote.
    assert clusters == [
        Cluster(
            kind="burst",
            key="candidate 2",
            start=at(36),
            end=at(41),
            vote_ids=(20, 21, *range(1000, 1030)),
            evidence={
                "votes": 32,
                "peak": 31,
                "usual_rate": 1.0,
                "rate_ratio": 31.0,
                "window_share": 0.939,
                "usual_share": 0.333,
                "odds_ratio": 20.444,
                "span_minutes": 5.0,
            },
            score=0.516,  # 1 - 0.5 / (31 / 30): the vote count is the weakest margin
        )
    ]


def test_signals_burst_at_threshold_fires_just_below_does_not():
    # With the 20:36 vote, 29 bot votes make a window of exactly 30; 28 make 29.
    assert [c.evidence["peak"] for c in signals(steady_three_candidates() + bot(29))] == [30]
    assert signals(steady_three_candidates() + bot(28)) == []


def test_signals_burst_below_ten_times_usual_rate_does_not_fire():
    # Four votes per five minutes for candidate 2 (one every 75 s): the median is 4, so a burst
    # needs 40 votes in a window, not 30.
    steady = [sms(k, at(seconds=75 * k), candidate=2) for k in range(48)]
    others = [sms(100 + k, at(seconds=75 * k + 30), candidate=1) for k in range(48)]

    quiet = signals(steady + others + bot(35))
    loud = signals(steady + others + bot(36))

    assert quiet == []
    assert [(c.kind, c.key, c.evidence["usual_rate"], c.evidence["peak"]) for c in loud] == [
        ("burst", "candidate 2", 4.0, 40)
    ]


def tv_evening(surging: tuple[int, ...]) -> list[Attempt]:
    """Four candidates with shares 4:3:2:1 of 10 votes a minute, 20:00 to 21:30; from 21:00 to
    21:10 the ``surging`` candidates get ten times their usual votes."""
    attempts = []
    for minute in range(90):
        for candidate, weight in ((1, 4), (2, 3), (3, 2), (4, 1)):
            n = weight * (10 if candidate in surging and 60 <= minute < 70 else 1)
            for k in range(n):
                vote_id = len(attempts) + 1
                attempts.append(sms(vote_id, at(minute, 60 * k / n), candidate=candidate))
    return attempts


def test_signals_tv_surge_shared_in_proportion_not_a_burst():
    attempts = tv_evening(surging=(1, 2, 3, 4))

    honest = signals(attempts)
    rate_only = signals(attempts, params=Params(burst_odds_factor=1e-9))

    # Every candidate's rate passes ten times its usual one; only its odds stay usual.
    assert honest == []
    assert [c.key for c in rate_only] == [f"candidate {n}" for n in (1, 2, 3, 4)]


def test_signals_surge_for_one_candidate_is_a_burst():
    clusters = signals(tv_evening(surging=(4,)))

    # Median 5 per five minutes, so 50 are needed: 21:00-21:05 and 21:05-21:10 hold 50 each, and
    # so does the window from 21:05:06, which reaches the usual 21:10 vote (49 + 1).
    assert [(c.kind, c.key, c.start, c.end) for c in clusters] == [
        ("burst", "candidate 4", at(60), at(70))
    ]
    assert (clusters[0].evidence["votes"], clusters[0].evidence["usual_rate"]) == (101, 5.0)


# --- shared address and browser ---------------------------------------------------------------


def test_signals_shared_address_fires_with_exact_evidence():
    attempts = [web(k, at(3 * k), address="41.73.0.9") for k in range(1, 21)]
    attempts.append(web(99, at(3), address="10.0.0.1"))  # another address: not in it

    clusters = signals(attempts)

    assert clusters == [
        Cluster(
            kind="shared_address",
            key="41.73.0.9",
            start=at(3),
            end=at(60),
            vote_ids=tuple(range(1, 21)),
            evidence={"phones": 20, "peak_phones": 20, "votes": 20, "span_minutes": 57.0},
            score=0.5,
        )
    ]


@pytest.mark.parametrize(
    "last",
    [
        pytest.param(at(90), id="19-phones"),
        pytest.param(at(60, 0), id="20th-phone-an-hour-after-the-first"),
    ],
)
def test_signals_shared_address_below_threshold_does_not_fire(last):
    attempts = [web(k, at(3 * k), address="41.73.0.9") for k in range(19)]
    attempts.append(web(19, last, address="41.73.0.9"))
    attempts.append(web(20, at(5), address="41.73.0.9", phone="p3"))  # p3 again: one phone

    assert signals(attempts) == []


def test_signals_shared_address_20th_phone_within_the_hour_fires():
    attempts = [web(k, at(3 * k), address="41.73.0.9") for k in range(19)]
    attempts.append(web(19, at(59, 59), address="41.73.0.9"))

    assert [(c.kind, c.evidence["peak_phones"]) for c in signals(attempts)] == [
        ("shared_address", 20)
    ]


def test_signals_sms_only_round_never_shares_an_address():
    # 600 SMS votes in ten minutes, each with a failed code too (address ""): nothing to share.
    attempts = [sms(k, at(seconds=k)) for k in range(600)]
    attempts += [failed(at(seconds=k), phone=f"q{k}") for k in range(600)]

    assert signals(attempts) == []


def test_signals_shared_browser_fires_with_exact_evidence():
    attempts = [web(k, at(40 * k), address=f"10.0.0.{k}", browser="b7") for k in range(1, 6)]
    attempts.append(web(6, at(50), browser="b7", phone="p2"))  # p2 again: still five phones

    clusters = signals(attempts)

    assert clusters == [
        Cluster(
            kind="shared_browser",
            key="b7",
            start=at(40),
            end=at(200),
            vote_ids=(1, 2, 3, 4, 5, 6),
            evidence={"phones": 5, "votes": 6, "span_minutes": 160.0},
            score=0.5,
        )
    ]


def test_signals_shared_browser_four_phones_does_not_fire():
    attempts = [web(k, at(k), browser="b7") for k in range(1, 5)]
    attempts.append(web(5, at(9), browser="b7", phone="p1"))

    assert signals(attempts) == []


# --- consecutive numbers ----------------------------------------------------------------------


def test_signals_consecutive_numbers_fires_with_exact_evidence():
    block = [sms(k, at(10 * k), seq=123_455 + k) for k in range(1, 6)]  # 123456-123460
    others = [sms(6, at(5), seq=123_462), sms(7, at(6), seq=8)]  # 123461 missing: not in it

    clusters = signals(block + others)

    assert clusters == [
        Cluster(
            kind="consecutive_numbers",
            key="123456-123460",
            start=at(10),
            end=at(50),
            vote_ids=(1, 2, 3, 4, 5),
            evidence={
                "numbers": 5,
                "votes": 5,
                "first": 123456,
                "last": 123460,
                "span_minutes": 40.0,
            },
            score=0.5,
        )
    ]


@pytest.mark.parametrize(
    "numbers_and_minutes",
    [
        pytest.param([(1, 0), (2, 1), (3, 2), (4, 3)], id="four-numbers"),
        pytest.param([(1, 0), (2, 1), (3, 2), (4, 3), (5, 60)], id="fifth-an-hour-later"),
        pytest.param([(1, 0), (2, 1), (3, 2), (4, 3), (6, 4)], id="gap"),
    ],
)
def test_signals_consecutive_numbers_below_threshold_does_not_fire(numbers_and_minutes):
    attempts = [sms(n, at(m), seq=500 + n) for n, m in numbers_and_minutes]

    assert signals(attempts) == []


def test_signals_consecutive_numbers_block_voting_for_hours_one_cluster():
    # 18 numbers, one every ten minutes: any five vote within 40 minutes.
    attempts = [sms(k, at(10 * k), seq=42_000 + k) for k in range(18)]

    clusters = signals(attempts)

    assert [(c.key, c.vote_ids, c.evidence["numbers"], c.score) for c in clusters] == [
        ("042000-042017", tuple(range(18)), 18, round(1 - 0.5 / (18 / 5), 3))
    ]


def test_signals_consecutive_numbers_apart_in_time_two_clusters():
    early = [sms(k, at(k), seq=700 + k) for k in range(5)]  # 700-704 at 20:00
    late = [sms(10 + k, at(120 + k), seq=705 + k) for k in range(5)]  # 705-709 at 22:00

    assert [c.key for c in signals(early + late)] == ["000700-000704", "000705-000709"]


# --- failed codes -----------------------------------------------------------------------------


def test_signals_failed_codes_per_address_fires_with_exact_evidence():
    guesses = [failed(at(5 * k), phone=f"g{k % 4}", address="41.73.2.2") for k in range(10)]
    votes = [
        web(1, at(50), address="41.73.2.2"),  # within the hour after the last failure
        web(2, at(45 + 60), address="41.73.2.2"),  # an hour after it: not in it
        web(3, at(50), address="10.0.0.1"),  # another address
    ]

    clusters = signals(guesses + votes)

    assert clusters == [
        Cluster(
            kind="failed_codes",
            key="address 41.73.2.2",
            start=at(0),
            end=at(45),
            vote_ids=(1,),
            evidence={"failures": 10, "peak": 10, "phones": 4, "votes": 1, "span_minutes": 45.0},
            score=0.5,
        )
    ]


def test_signals_failed_codes_per_phone_fires_with_exact_evidence():
    guesses = [failed(at(k), phone="p7", address=f"10.0.0.{k % 2}") for k in range(6)]
    attempts = [*guesses, web(7, at(8), address="10.0.0.1", phone="p7")]

    clusters = signals(attempts)

    assert clusters == [
        Cluster(
            kind="failed_codes",
            key="phone p7",
            start=at(0),
            end=at(5),
            vote_ids=(7,),
            evidence={"failures": 6, "peak": 6, "addresses": 2, "votes": 1, "span_minutes": 5.0},
            score=round(1 - 0.5 / (6 / 5), 3),
        )
    ]


def test_signals_failed_codes_below_thresholds_do_not_fire():
    by_address = [failed(at(6 * k), phone=f"g{k}", address="41.73.2.2") for k in range(9)]
    by_phone = [failed(at(k), phone="p7", address=f"10.0.0.{k}") for k in range(4)]
    spread = [failed(at(15 * k), phone="p8") for k in range(5)]  # the fifth an hour after

    assert signals(by_address + by_phone + spread) == []


# --- order, now, validation -------------------------------------------------------------------


def mixed_round() -> list[Attempt]:
    return [
        *steady_three_candidates(),
        *bot(30),
        *[web(200 + k, at(2 * k), address="41.73.0.9", browser=f"b{k % 3}") for k in range(25)],
        *[sms(300 + k, at(k, 30), seq=9_000 + k) for k in range(7)],
        *[failed(at(k), phone="p9") for k in range(5)],
    ]


def test_signals_order_by_score_then_kind_then_key():
    clusters = signals(mixed_round())

    assert [(c.score, c.kind, c.key) for c in clusters] == [
        (round(1 - 0.5 / (9 / 5), 3), "shared_browser", "b0"),
        (round(1 - 0.5 / (8 / 5), 3), "shared_browser", "b1"),
        (round(1 - 0.5 / (8 / 5), 3), "shared_browser", "b2"),
        (round(1 - 0.5 / (7 / 5), 3), "consecutive_numbers", "009000-009006"),
        (round(1 - 0.5 / (25 / 20), 3), "shared_address", "41.73.0.9"),
        (0.516, "burst", "candidate 2"),
        (0.5, "failed_codes", "phone p9"),
    ]


def test_signals_shuffled_input_same_output():
    attempts = mixed_round()
    shuffled = random.Random(3).sample(attempts, len(attempts))

    assert signals(shuffled) == signals(attempts)


SMALL = Params(
    burst_min_votes=3,
    burst_rate_factor=2,
    burst_odds_factor=1.5,
    address_min_phones=3,
    browser_min_phones=2,
    run_min_numbers=3,
    failed_per_address=3,
    failed_per_phone=2,
)

attempt_strategy = st.builds(
    Attempt,
    at=st.integers(0, 40).map(lambda m: at(m)),  # few instants: many ties
    channel=st.sampled_from(["web", "sms"]),
    candidate=st.sampled_from([1, 2, None]),
    phone_hash=st.sampled_from(["", "a", "b", "c", "d", "e"]),
    phone_seq=st.sampled_from([None, 1, 2, 3, 4, 5, 7]),
    address=st.sampled_from(["", "x", "y"]),
    browser=st.sampled_from(["", "u", "v"]),
    kind=st.sampled_from(["vote", "code_failed", "code_sent"]),
    vote_id=st.integers(1, 30),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(attempt_strategy, max_size=60), st.randoms(use_true_random=False))
def test_signals_any_input_order_same_output(attempts, rng):
    shuffled = list(attempts)
    rng.shuffle(shuffled)

    assert signals(shuffled, params=SMALL) == signals(attempts, params=SMALL)


@settings(max_examples=200, deadline=None)
@given(st.lists(attempt_strategy, max_size=60))
def test_signals_sms_only_never_flags_an_address(attempts):
    sms_only = [
        Attempt(a.at, "sms", a.candidate, a.phone_hash, a.phone_seq, "", "", a.kind, a.vote_id)
        for a in attempts
    ]

    clusters = signals(sms_only, params=SMALL)

    by_address = [c for c in clusters if c.kind == "shared_address" or c.key.startswith("address")]
    assert by_address == []
    assert of_kind(clusters, "shared_browser") == []


def test_signals_now_leaves_out_later_attempts():
    attempts = [web(k, at(3 * k), address="41.73.0.9") for k in range(1, 21)]

    assert signals(attempts, now=at(59)) == []
    assert [c.kind for c in signals(attempts, now=at(60))] == ["shared_address"]


def test_signals_no_attempts_no_clusters():
    assert signals([]) == []


@pytest.mark.parametrize(
    ("attempt", "message"),
    [
        (Attempt(T0, "web", 1, "p", None, "", "", "vote", None), "vote_id"),
        (Attempt(T0, "web", 1, "p", None, "", "", "ballot", 1), "unknown kind"),
        (Attempt(T0, "ussd", 1, "p", None, "", "", "vote", 1), "unknown kind or channel"),
    ],
)
def test_signals_invalid_attempt_raises(attempt, message):
    with pytest.raises(ValueError, match=message):
        signals([attempt])


@pytest.mark.parametrize(
    "bad", [{"burst_min_votes": 0}, {"burst_window": timedelta(0)}, {"browser_min_phones": -1}]
)
def test_params_not_above_zero_raises(bad):
    with pytest.raises(ValueError, match="must be above zero"):
        Params(**bad)
