"""Grouping quality on the three kinds of labelled sets (bench/eval_dedup.py runs 30 seeds).

The guards sit just under the figures these seeds give today (seeds 0 and 1, in the comments), so
that a regression shows; the 30-seed worst cases are in the closing note of issue 14.
"""

from __future__ import annotations

import pytest

from bench.eval_dedup import confirmed, confirmed_static
from bench.evalset import generate, pairwise_scores
from bench.evalset_free import generate_free, generate_ng
from nominations.dedup import group_nominations
from nominations.matches import current_pairs


@pytest.mark.parametrize(
    ("make", "people", "country", "precision", "recall"),
    [
        (generate, 1100, "ML", 0.995, 0.989),  # P 0.9960 0.9960, R 0.9917 0.9898
        (generate_ng, 1100, "NG", 0.995, 0.996),  # P 0.9973 0.9958, R 0.9973 0.9964
        (generate_free, 1500, "ML", 0.975, 0.805),  # P 0.9778 0.9751, R 0.8338 0.8061
    ],
    ids=["today", "nigeria", "free-wording"],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_group_nominations_scores_hold_on_each_kind(make, people, country, precision, recall, seed):
    rows, labels = make(people, seed)

    p, r = pairwise_scores(group_nominations(rows, country=country), labels)

    assert (p >= precision, r >= recall) == (True, True), (p, r)


def test_nigerian_set_without_its_lexicon_groups_worse():
    rows, labels = generate_ng(1100, 0)

    _, with_lexicon = pairwise_scores(group_nominations(rows, country="NG"), labels)
    _, without = pairwise_scores(group_nominations(rows, country="ZZ"), labels)

    assert without < with_lexicon - 0.05


@pytest.mark.parametrize(("seed", "recall"), [(0, 0.916), (1, 0.899)])  # R 0.9169, 0.9000
def test_free_wording_recall_once_the_queue_is_answered_holds(seed, recall):
    rows, labels = generate_free(1500, seed)
    groups = group_nominations(rows, country="ML")

    p, r = pairwise_scores(confirmed(groups, rows, labels, "ML"), labels)

    # P 0.9794, 0.9752
    assert (p >= 0.975, r >= recall) == (True, True), (p, r)


def test_working_the_queue_by_pages_answers_a_tenth_of_the_nominees():
    rows, labels = generate_free(1500, 0)
    groups = group_nominations(rows, country="ML")

    paged = confirmed(groups, rows, labels, "ML")
    static = confirmed_static(groups, rows, labels, "ML")

    # 1830 nominees, 183 answers: 149 merges by pages, 146 of the static list's 183 entries.
    assert (len(groups), len(paged), len(static)) == (1830, 1681, 1684)


def test_queue_page_reads_each_group_as_its_nominee_and_skips_one_nominee():
    probable = [([1, 2, 3], [4], 6), ([5], [6], 5), ([4], [7], 5), ([7], [4], 5), ([8], [9], 4)]
    # 1, 2 and 4 were merged by a manager into nominee 10; 3 is in nominee 11.
    nominee_of = {1: 10, 2: 10, 3: 11, 4: 10, 5: 12, 6: 12, 7: 13, 8: 14, 9: 15}

    page = current_pairs(probable, nominee_of, limit=2)

    assert page == [(5, 10, 13), (4, 14, 15)]
