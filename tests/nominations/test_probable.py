"""Evidence between groups: orthographies, diminutives, a title and a family name, free wording."""

from __future__ import annotations

from itertools import combinations

import pytest

from bench.evalset_free import generate_free, generate_ng
from nominations.blocking import evidence_pairs
from nominations.dedup import group_nominations, probable_matches
from nominations.lexicon import lexicon
from nominations.normalise import institution_key, name_tokens, position_key, region_key
from nominations.probable import PROBABLE, Evidence, pair_score


def row(row_id, name, position, institution, region):
    return {
        "id": row_id,
        "nominee_name": name,
        "position": position,
        "institution": institution,
        "region": region,
    }


def test_title_and_family_name_joins_the_one_teacher_of_that_school():
    rows = [
        row(1, "Mme Diarra", "institutrice", "GS Kati", ""),
        row(2, "Djénéba Jara", "maîtresse d'école", "groupe scolaire de Kati", "Koulikoro"),
        row(3, "Awa Diarra", "institutrice", "École de Sanankoroba", "Koulikoro"),
    ]

    assert group_nominations(rows, country="ML") == [[1, 2], [3]]


def test_title_and_family_name_fitting_two_relatives_joins_neither():
    rows = [
        row(1, "Mme Diarra", "institutrice", "GS Kati", "Kati"),
        row(2, "Djénéba Diarra", "institutrice", "GS Kati", "Kati"),
        row(3, "Awa Diarra", "institutrice", "GS Kati", "Kati"),
    ]

    groups = group_nominations(rows, country="ML")
    queue = probable_matches(rows, country="ML")

    assert groups == [[1], [2], [3]]
    assert [(a, b) for a, b, _ in queue] == [([1], [2]), ([1], [3])]


def test_title_and_family_name_groups_join_the_one_full_name_they_fit():
    rows = [
        row(1, "Mme Diarra", "institutrice", "GS Kati", "Kati"),
        row(2, "Mme Jara", "maîtresse d'école", "Groupe scolaire de Kati", "Koulikoro"),
        row(3, "Djénéba Diarra", "institutrice", "GS Kati", "Koulikoro"),
    ]

    assert group_nominations(rows, country="ML") == [[1, 2, 3]]
    assert probable_matches(rows, country="ML") == []


def test_a_man_and_a_woman_of_one_family_name_are_two_people():
    rows = [
        row(1, "M. Diarra", "instituteur", "GS Kati", "Kati"),
        row(2, "Mme Diarra", "institutrice", "GS Kati", "Kati"),
        row(3, "Mme Djénéba Diarra", "institutrice", "GS Kati", "Koulikoro"),
    ]

    assert group_nominations(rows, country="ML") == [[1], [2, 3]]
    assert probable_matches(rows, country="ML") == []


def test_orthographies_and_diminutives_merge_at_one_workplace():
    rows = [
        row(1, "Mamadou Traoré", "Infirmier", "CSCOM de Niono", "Ségou"),
        row(2, "Madou Tarawele", "infirmier", "Centre de santé communautaire de Niono", "Niono"),
        row(3, "Seydou Coulibaly", "Commissaire", "Commissariat de Kati", "Koulikoro"),
        row(4, "Seydou Kulibali", "Commissaire de police", "Police de Kati", "Kati"),
    ]

    assert group_nominations(rows, country="ML") == [[1, 2], [3, 4]]


def test_relatives_sharing_a_family_name_stay_apart():
    rows = [
        row(1, "Awa Diarra", "Sage-femme", "CSCOM de Banconi", "Bamako"),
        row(2, "Djénéba Diarra", "Sage-femme", "CSCOM de Banconi", "Bamako"),
    ]

    assert group_nominations(rows, country="ML") == [[1], [2]]
    assert probable_matches(rows, country="ML") == []


def test_another_post_at_the_same_workplace_is_queued_not_merged():
    rows = [
        row(1, "Moussa Traoré", "Infirmier", "CSCOM de Banconi", "Bamako"),
        row(2, "Moussa Tarawele", "Médecin", "CSCOM de Banconi", "Bamako"),
    ]

    assert group_nominations(rows, country="ML") == [[1], [2]]
    assert probable_matches(rows, country="ML") == [([1], [2], 6)]


def test_distinct_pair_is_neither_merged_nor_queued_even_through_a_third():
    rows = [
        row(1, "Madou Tarawele", "Infirmier", "CSCOM de Niono", "Ségou"),
        row(2, "Mamadou Traore", "Infirmier", "CSCOM de Niono", "Ségou"),
        row(3, "Mamadu Traoré", "Infirmier", "CS Com de Niono", "Niono"),
    ]

    together = group_nominations(rows, country="ML")
    apart = group_nominations(rows, country="ML", distinct=[(1, 2)])

    assert together == [[1, 2, 3]]
    assert 1 not in next(g for g in apart if 2 in g)
    assert all(
        {a[0], b[0]} != {1, 2}
        for a, b, _ in probable_matches(rows, country="ML", distinct=[(1, 2)])
    )


@pytest.mark.parametrize(("make", "country"), [(generate_ng, "NG"), (generate_free, "ML")])
def test_blocking_of_the_second_pass_keeps_every_pair_that_scores(make, country):
    lex = lexicon(country)
    rows, _ = make(120, 2)
    evidence = []
    for r in rows:
        e = Evidence()
        e.add(
            name_tokens(r["nominee_name"], lex),
            region_key(r["region"], lex),
            institution_key(r["institution"], lex),
            position_key(r["position"], lex),
            frozenset(),
            lex,
            1,
        )
        evidence.append(e)
    known = lex.distinct_keys

    def met(a, b):  # a locality word in common, or the whole name in one region
        words = {w for place in a.places for w in place}
        return any(words & place for place in b.places) or (
            a.names.keys() & b.names.keys() and (a.regions or {""}) & (b.regions or {""})
        )

    scoring = {
        (i, j)
        for i, j in combinations(range(len(evidence)), 2)
        if met(evidence[i], evidence[j]) and pair_score(evidence[i], evidence[j], known) >= PROBABLE
    }

    compared = evidence_pairs(evidence, known)

    assert len(scoring) > 50
    assert scoring - compared == set()
    assert len(compared) < len(evidence) * 10


def test_title_and_family_name_joins_the_relative_of_its_sex_learnt_from_the_titles():
    rows = [
        row(1, "Mme Diarra", "institutrice", "GS Kati", "Kati"),
        row(2, "Djénéba Diarra", "institutrice", "GS Kati", "Kati"),
        row(3, "Moussa Diarra", "instituteur", "GS Kati", "Kati"),
        # Elsewhere, "Moussa" is always written with a man's title.
        row(4, "M. Moussa Traoré", "Infirmier", "CSCOM de Banconi", "Bamako"),
        row(5, "Monsieur Moussa Koné", "Commissaire", "Commissariat de Kayes", "Kayes"),
        row(6, "M. Moussa Sidibé", "Maire", "Mairie de Ségou", "Ségou"),
    ]

    assert group_nominations(rows, country="ML") == [[1, 2], [3], [4], [5], [6]]


def test_two_ranks_of_one_service_are_one_post_but_the_chief_is_another():
    rows = [
        row(1, "Aminata Goïta", "Agent d'état civil", "Mairie de Kati", "Koulikoro"),
        row(2, "Aminata Goita", "Officier d'état civil", "Mairie de Kati", "Koulikoro"),
        row(3, "Oumar Sy", "Commissaire", "Commissariat de Kati", "Koulikoro"),
        row(4, "Oumar Sy", "Officier de police", "Commissariat de Kati", "Koulikoro"),
    ]

    assert group_nominations(rows, country="ML") == [[1, 2], [3], [4]]


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        (None, [[1, 2]]),
        # Another Lassana Diakité of the region, secretary general elsewhere: it fits both.
        (row(3, "Lassana Diakité", "Secrétaire général", "Mairie de Sévaré", "Mopti"), None),
    ],
)
def test_whole_name_without_its_workplace_joins_the_one_person_it_fits(other, expected):
    rows = [
        row(1, "Lassana Diakité", "Secrétaire général", "Mairie de Mopti", "Mopti"),
        row(2, "Lassina Jakité", "Secrétaire général", "", "Mopti"),
    ]
    if other is not None:
        rows.append(other)

    groups = group_nominations(rows, country="ML")

    assert groups == (expected or [[1], [2], [3]])


def test_nomination_without_a_kind_of_workplace_does_not_bridge_two_services():
    rows = [
        row(1, "Modibo Diarra", "Officier d'état civil", "Mairie de Mopti", "Mopti"),
        row(2, "Modibo Jara", "", "Police de Mopti", "Mopti"),
        row(3, "Modibo Diarra", "Commissaire de police", "Commissariat de Mopti", "Mopti"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2], [3]]


def test_whole_name_at_another_kind_of_workplace_of_the_region_is_not_one_field_short():
    rows = [
        row(1, "Fatoumata Dolo", "Sage-femme", "CSCOM de Korofina", "Bamako"),
        row(2, "Fatoumata Dolo", "Sage-femme", "CSRef de la Commune V", "Bamako"),
    ]

    assert group_nominations(rows, country="ML") == [[1], [2]]


def test_a_repeated_word_is_not_a_given_name_left_out():
    rows = [
        row(n, name, "Secretary", "Ibadan North LGA", "Oyo")
        for n, name in enumerate(["Garba Garba", "Garba Garba", "Bello Garba", "Garba Bello"], 1)
    ]

    assert group_nominations(rows, country="NG") == [[1, 2], [3, 4]]
    assert probable_matches(rows, country="NG") == []


def test_a_two_letter_word_may_be_a_typo_of_a_three_letter_one():
    # "Uwa" reads "ua" once spelt by sound: a typo of "Awa", written twice, not a relative.
    rows = [
        row(1, "Awa Traoré", "Infirmière", "CSCOM de Niono", "Ségou"),
        row(2, "Awa Traoré", "Infirmière", "CSCOM de Niono", "Ségou"),
        row(3, "Uwa Tarawele", "Infirmière", "CSCOM de Niono", "Ségou"),
        row(4, "Tarawele Uwa", "Infirmière", "CSCOM de Niono", "Ségou"),
    ]

    assert group_nominations(rows, country="ML") == [[1, 2, 3, 4]]


def test_a_town_given_as_the_region_does_not_join_two_workplaces_elsewhere_in_it():
    rows = [
        row(1, "Segun Nwosu", "Inspector", "Abaji Police Division", "Abuja"),
        row(2, "Segun Nwosu", "Inspector", "Kuje Police Division", "Abuja"),
        row(3, "Nwosu Segun", "Inspector", "", "Abuja"),
        row(4, "Nwosu Segun", "Inspector", "Kuje Police Division", "FCT"),
    ]

    assert group_nominations(rows, country="NG") == [[1], [2, 3, 4]]


def test_a_post_without_a_workplace_does_not_bridge_a_school_and_a_town_hall():
    rows = [
        row(1, "Mme Aïssata Dembélé", "Directrice", "EF Hamdallaye", "Bamako"),
        row(2, "Aissata Danbele", "Directrice d'école", "Ecole de Hamdallaye", "Bamako"),
        row(3, "Aïssata Dembélé", "État civil", "", "Hamdallaye"),
        row(4, "Mme Aissata Danbele", "Officier d'état civil", "Mairie Hamdallaye", "Bamako"),
        row(5, "Aïssata Dembélé", "Agent d'état civil", "Mairie de Hamdallaye", "Bamako"),
    ]

    assert group_nominations(rows, country="ML") == [[1, 2, 3], [4, 5]]


def test_queue_puts_a_pair_without_rivals_before_a_group_fitting_several_at_one_score():
    rows = [
        row(1, "Mme Diarra", "institutrice", "GS Kati", "Kati"),
        row(2, "Djénéba Diarra", "institutrice", "GS Kati", "Kati"),
        row(3, "Awa Diarra", "institutrice", "GS Kati", "Kati"),
        row(4, "Moussa Traoré", "Infirmier", "CSCOM de Banconi", "Bamako"),
        row(5, "Moussa Tarawele", "Médecin", "CSCOM de Banconi", ""),
    ]

    queue = probable_matches(rows, country="ML")

    assert queue == [([4], [5], 5), ([1], [2], 5), ([1], [3], 5)]
