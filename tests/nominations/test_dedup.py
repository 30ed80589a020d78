"""Grouping nominations by person: variations merge, namesakes stay apart."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.evalset import generate, pairwise_scores
from nominations.dedup import group_nominations
from nominations.lexicon import lexicon
from nominations.normalise import fold, institution_key, name_tokens, position_key, region_key

MALI = lexicon("ML")


def nomination(
    row_id: object,
    name: str | None,
    position: str | None = "Sage-femme",
    institution: str | None = "CSCOM de Banconi",
    region: str | None = "District de Bamako",
) -> dict[str, object]:
    return {
        "id": row_id,
        "nominee_name": name,
        "position": position,
        "institution": institution,
        "region": region,
    }


# --- variations of one person merge -------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "Dr Aminata Goïta",
        "Docteur Aminata Goïta",
        "Dr. Aminata Goïta",
        "Mme Aminata Goïta",
        "Madame Aminata Goïta",
        "Hadja Aminata Goïta",
        "Pr Aminata Goïta",
        "Me Aminata Goïta",
    ],
)
def test_group_nominations_title_merges(variant):
    rows = [nomination(1, "Aminata Goïta"), nomination(2, variant)]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2]]


def test_group_nominations_male_titles_merge():
    rows = [
        nomination(1, "Moussa Traoré", "Commissaire", "Commissariat de Kati", "Koulikoro"),
        nomination(2, "M. Moussa Traoré", "Commissaire", "Commissariat de Kati", "Koulikoro"),
        nomination(3, "Monsieur Moussa Traoré", "Commissaire", "Commissariat de Kati", "Koulikoro"),
        nomination(4, "El Hadj Moussa Traoré", "Commissaire", "Commissariat de Kati", "Koulikoro"),
        nomination(5, "Elhadj Moussa Traoré", "Commissaire", "Commissariat de Kati", "Koulikoro"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2, 3, 4, 5]]


def test_group_nominations_case_merges():
    rows = [
        nomination(1, "Aminata Goïta"),
        nomination(2, "aminata goïta"),
        nomination(3, "AMINATA GOÏTA"),
        nomination(4, "Aminata GOÏTA"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2, 3, 4]]


def test_group_nominations_accents_merge():
    rows = [nomination(1, "Aminata Goïta"), nomination(2, "Aminata Goita")]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2]]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("राम प्रसाद शर्मा", "ram prsad srma"),
        ("ශ්‍රී ලංකා", "sri lmka"),
        ("Kɔnɛ Ɲaarɛ", "kone naare"),
        ("Łukasz Øyen", "lukasz oyen"),
        ("Aminata Goïta 😀 • ✓", "aminata goita"),
        ("٣ ३ 3", "3 3 3"),
    ],
)
def test_fold_romanises_other_scripts_and_drops_symbols(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        # Nepal: the same name twice (web and paper), a namesake's other given name apart.
        (["राम प्रसाद शर्मा", "राम प्रसाद शर्मा", "श्याम प्रसाद शर्मा"], [[1, 2], [3]]),
        (["शर्मा, राम प्रसाद", "राम प्रसाद  शर्मा"], [[1, 2]]),  # order and spacing
        (["عمران خان", "عمران  خان"], [[1, 2]]),  # Urdu
        (["ශ්‍රීමතී පෙරේරා", "ශ්රීමතී පෙරේරා"], [[1, 2]]),  # Sinhala, with and without a joiner
        (["Kɔnɛ Sanogo", "Kone Sanogo"], [[1, 2]]),  # Bambara's own letters
    ],
)
def test_group_nominations_names_in_other_scripts_merge(names, expected):
    # Folded to ASCII by dropping what is not, these names lost their words (or letters).
    rows = [nomination(i, name, region="Bagmati") for i, name in enumerate(names, 1)]
    assert group_nominations(rows) == expected


def test_group_nominations_family_name_first_merges():
    rows = [
        nomination(1, "Aminata Goïta"),
        nomination(2, "Goïta Aminata"),
        nomination(3, "GOITA, Aminata"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2, 3]]


@pytest.mark.parametrize(
    "variant",
    ["Aminata Goyta", "Aminta Goïta", "Amniata Goita", "Aminata Goitaa", "Aminatta Gota"],
)
def test_group_nominations_typo_merges(variant):
    rows = [nomination(1, "Aminata Goïta"), nomination(2, variant)]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2]]


def test_group_nominations_short_name_typo_merges():
    rows = [nomination(1, "Awa Diallo"), nomination(2, "Ava Diallo")]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2]]


def test_group_nominations_double_spaces_and_punctuation_merge():
    rows = [
        nomination(1, "Sidi Mohamed Keïta"),
        nomination(2, "  Sidi  Mohamed   KEITA "),
        nomination(3, "Sidi-Mohamed Keïta"),
        nomination(4, "Keïta, Sidi-Mohamed."),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2, 3, 4]]


def test_group_nominations_lost_space_merges():
    rows = [nomination(1, "Aminata Goïta"), nomination(2, "AminataGoita")]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2]]


def test_group_nominations_name_run_together_with_typo_merges():
    rows = [
        nomination(1, "Seydou Coulibaly"),
        nomination(2, "Seydou Coulibaly"),
        nomination(3, "SeydouCoulibali"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2, 3]]


def test_group_nominations_missing_institution_merges():
    rows = [
        nomination(1, "Aminata Goïta"),
        nomination(2, "Aminata Goïta", institution=""),
        nomination(3, "Aminata Goïta", institution=None),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2, 3]]


def test_group_nominations_missing_region_and_position_merge():
    rows = [
        nomination(1, "Aminata Goïta"),
        nomination(2, "Aminata Goïta", region=None),
        nomination(3, "Aminata Goïta", position=""),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2, 3]]


def test_group_nominations_cscom_variants_merge():
    rows = [
        nomination(1, "Aminata Goïta", institution="CSCOM de Banconi"),
        nomination(2, "Aminata Goïta", institution="Centre de santé communautaire de Banconi"),
        nomination(3, "Aminata Goïta", institution="C.S.Com Banconi"),
        nomination(4, "Aminata Goïta", institution="CSCom de BANCONI"),
        nomination(5, "Aminata Goïta", institution="CSCOM"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2, 3, 4, 5]]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Mairie de Kati", "Hôtel de ville de Kati"),
        ("Tribunal de grande instance de Kati", "TGI de Kati"),
        ("Commissariat de police de Kati", "Commissariat de Kati"),
        ("Ecole fondamentale de Kati", "EF Kati"),
        ("Centre de santé de référence de Kati", "CSRef Kati"),
        ("Trésor public de Kati", "Trésor de Kati"),
        ("Bureau des douanes de Kati", "Douanes de Kati"),
        ("Direction régionale de la santé de Koulikoro", "DR Santé Koulikoro"),
        ("Mairie de la Commune III", "Mairie commune 3"),
        ("Commissariat du 3e arrondissement", "Commissariat de police du 3ème arrondissement"),
    ],
)
def test_group_nominations_institution_wording_merges(first, second):
    rows = [
        nomination(1, "Oumar Coulibaly", "Comptable", first, "Koulikoro"),
        nomination(2, "Oumar Coulibaly", "Comptable", second, "Koulikoro"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2]]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Sage-femme", "sage femme"),
        ("Directeur d'école", "Directeur de l'école"),
        ("Directeur d'école", "Directrice d'école"),
        ("Commissaire", "Commissaire de police"),
        ("Médecin chef", "Médecin-chef du CSCOM"),
        ("Enseignant", "Instituteur"),
        ("Secrétaire général", "SG de la mairie"),
        ("Président du tribunal", "Président du TGI"),
    ],
)
def test_group_nominations_position_wording_merges(first, second):
    rows = [
        nomination(1, "Fanta Sidibé", first, "", "Ségou"),
        nomination(2, "Fanta Sidibé", second, "", "Ségou"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2]]


def test_group_nominations_region_wording_merges():
    rows = [
        nomination(1, "Aminata Goïta", region="Ségou"),
        nomination(2, "Aminata Goïta", region="Région de Segou"),
        nomination(3, "Aminata Goïta", region="SEGOU"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2, 3]]


def test_group_nominations_second_given_name_left_out_merges():
    rows = [
        nomination(1, "Mamadou Lamine Traoré", "Enseignant", "EF de Missira", "Bamako"),
        nomination(2, "Mamadou Traoré", "Enseignant", "EF de Missira", "Bamako"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2]]


# --- namesakes stay apart -------------------------------------------------------------


def test_group_nominations_namesake_in_other_post_not_merged():
    rows = [
        nomination(1, "Moussa Traoré", "Directeur d'école", "EF de Missira", "Bamako"),
        nomination(2, "Moussa Traoré", "Enseignant", "EF de Missira", "Bamako"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1], [2]]


def test_group_nominations_namesake_in_other_institution_not_merged():
    rows = [
        nomination(1, "Moussa Traoré", "Enseignant", "EF de Missira", "Bamako"),
        nomination(2, "Moussa Traoré", "Enseignant", "EF de Banconi", "Bamako"),
        nomination(3, "Moussa Traoré", "Enseignant", "CSCOM de Missira", "Bamako"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1], [2], [3]]


def test_group_nominations_namesake_in_other_region_not_merged():
    rows = [
        nomination(1, "Moussa Traoré", "Maire", "Mairie de Kita", "Kita"),
        nomination(2, "Moussa Traoré", "Maire", "Mairie", "Kayes"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1], [2]]


def test_group_nominations_other_section_or_number_not_merged():
    rows = [
        nomination(1, "Awa Koné", "Enseignante", "EF Banconi A", "Bamako"),
        nomination(2, "Awa Koné", "Enseignante", "EF Banconi B", "Bamako"),
        nomination(3, "Awa Koné", "Greffière", "TGI de la Commune III", "Bamako"),
        nomination(4, "Awa Koné", "Greffière", "TGI de la Commune IV", "Bamako"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1], [2], [3], [4]]


def test_group_nominations_other_directorate_not_merged():
    rows = [
        nomination(1, "Awa Koné", "Comptable", "Direction régionale de la santé de Gao", "Gao"),
        nomination(2, "Awa Koné", "Comptable", "DR Budget Gao", "Gao"),
        nomination(3, "Awa Koné", "Comptable", "DRS Gao", "Gao"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 3], [2]]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Moussa Traoré", "Mamadou Traoré"),
        ("Ali Traoré", "Alou Traoré"),
        ("Awa Traoré", "Hawa Traoré"),
        ("Amadou Traoré", "Mamadou Traoré"),
        ("Oumar Ba", "Oumar Sy"),
    ],
)
def test_group_nominations_different_first_or_family_names_not_merged(first, second):
    rows = [nomination(1, first), nomination(2, second)]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1], [2]]


def test_group_nominations_different_jobs_same_sector_not_merged():
    rows = [
        nomination(1, "Fanta Sidibé", "Agent de santé", None, "Ségou"),
        nomination(2, "Fanta Sidibé", "Agent de police", None, "Ségou"),
        nomination(3, "Fanta Sidibé", "Médecin", "CSRef de Ségou", "Ségou"),
        nomination(4, "Fanta Sidibé", "Médecin chef", "CSRef de Ségou", "Ségou"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1], [2], [3], [4]]


def test_group_nominations_blank_institution_does_not_bridge_namesakes():
    rows = [
        nomination(1, "Moussa Traoré", "Enseignant", "EF de Missira", "Kayes"),
        nomination(2, "Moussa Traoré", "Enseignant", "EF de Missira", "Kayes"),
        nomination(3, "Moussa Traoré", "Enseignant", "EF de Missira", "Kayes"),
        nomination(4, "Moussa Traoré", "Enseignant", "EF de Khasso", "Kayes"),
        nomination(5, "Moussa Traoré", "Enseignant", "", "Kayes"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1, 2, 3, 5], [4]]


def test_group_nominations_blank_institution_evenly_ambiguous_stays_alone():
    rows = [
        nomination(1, "Moussa Traoré", "Enseignant", "EF de Missira", "Kayes"),
        nomination(2, "Moussa Traoré", "Enseignant", "EF de Khasso", "Kayes"),
        nomination(3, "Moussa Traoré", "Enseignant", None, "Kayes"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1], [2], [3]]


# --- shape of the result ----------------------------------------------------------------


def test_group_nominations_empty_input_returns_empty_list():
    groups = group_nominations([])

    assert groups == []


def test_group_nominations_none_fields_tolerated():
    rows = [
        nomination(1, None, None, None, None),
        nomination(2, "Aminata Goïta", None, None, None),
        nomination(3, "Aminata Goïta", None, None, None),
        {"id": 4},
        nomination(5, "Dr", None, None, None),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1], [2, 3], [4], [5]]


def test_group_nominations_ids_keep_type_and_order():
    rows = [
        nomination("b", "Aminata Goïta"),
        nomination("c", "Moussa Traoré"),
        nomination("a", "Aminata Goita"),
    ]

    groups = group_nominations(rows, country="ML")

    assert groups == [["a", "b"], ["c"]]


def test_group_nominations_repeated_id_counted_once():
    rows = [nomination(1, "Aminata Goïta"), nomination(1, "Aminata Goïta")]

    groups = group_nominations(rows, country="ML")

    assert groups == [[1]]


def test_group_nominations_same_result_whatever_the_row_order():
    rows, _ = generate(150, seed=11)
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)

    first, again, reordered = (
        group_nominations(rows, country="ML"),
        group_nominations(rows, country="ML"),
        group_nominations(shuffled, country="ML"),
    )

    assert first == again == reordered


_NAME_PARTS = st.sampled_from(["Awa", "Ava", "Hawa", "Moussa", "Traoré", "TRAORE", "Dr", ""])
_FIELD = st.one_of(st.none(), st.sampled_from(["", "EF Banconi", "CSCOM", "Enseignant", "Kayes"]))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(_NAME_PARTS, max_size=3).map(" ".join), _FIELD, _FIELD, _FIELD),
        max_size=25,
    )
)
def test_group_nominations_output_is_sorted_partition_of_ids(specs):
    rows = [nomination(i, *spec) for i, spec in enumerate(specs)]

    groups = group_nominations(rows, country="ML")

    assert sorted(i for g in groups for i in g) == list(range(len(rows)))
    assert all(g == sorted(g) for g in groups)
    assert [g[0] for g in groups] == sorted(g[0] for g in groups)


# --- normalisation ----------------------------------------------------------------------


def test_name_tokens_titles_accents_order_removed():
    tokens = name_tokens("El Hadj  TRAORÉ, Moussa")

    assert tokens == ("moussa", "traore")


def test_name_tokens_hadja_kept_when_it_is_the_given_name():
    tokens = name_tokens("Mme Hadja Sangaré")

    assert tokens == ("hadja", "sangare")


def test_region_key_variants_equal():
    keys = {region_key(r, MALI) for r in ["Ségou", "Région de Segou", "SEGOU", "Segu"]}

    assert keys == {"segou"}


def test_institution_key_abbreviations_equal():
    keys = {
        institution_key(i, MALI)
        for i in ["CSCOM de Banconi", "C.S.Com Banconi", "Centre de santé communautaire Banconi"]
    }

    assert len(keys) == 1


def test_position_key_feminine_and_workplace_words_ignored():
    keys = {position_key(p) for p in ["Directrice de l'école", "Directeur d'école"]}

    assert len(keys) == 1


# --- evaluation set ---------------------------------------------------------------------


def test_pairwise_scores_counts_pairs():
    labels = {1: "a", 2: "a", 3: "a", 4: "b"}

    scores = pairwise_scores([[1, 2], [3, 4]], labels)

    assert scores == (0.5, 1 / 3)


def test_generate_same_seed_same_rows():
    first = generate(50, seed=3)

    again = generate(50, seed=3)

    assert first == again


def test_group_nominations_generated_set_scores_above_target():
    rows, labels = generate(1000, seed=7)

    precision, recall = pairwise_scores(group_nominations(rows, country="ML"), labels)

    assert len(rows) >= 3000
    assert precision >= 0.97
    assert recall >= 0.97


def test_group_nominations_values_that_are_not_text_are_read_as_text():
    # Rows are keyed by their fields as given: unhashable ones (a list, a dict) must still be
    # read, as their text, like a number is.
    rows = [
        {"id": 1, "nominee_name": ["Awa", "Diarra"], "region": {"Kayes": 1}},
        {"id": 2, "nominee_name": "['Awa', 'Diarra']", "region": "{'Kayes': 1}"},
        {"id": 3, "nominee_name": 5},
        {"id": 4, "nominee_name": "5"},
        {"id": 5, "nominee_name": "Moussa Traoré", "institution": 1, "position": ["Enseignant"]},
        {"id": 6, "nominee_name": "Moussa Traore", "institution": "1", "position": "[Enseignant]"},
    ]
    assert group_nominations(rows, country="ML") == [[1, 2], [3, 4], [5, 6]]
    assert group_nominations(rows[::-1], country="ML") == [[1, 2], [3, 4], [5, 6]]


@pytest.mark.parametrize(
    ("written", "region"),
    [("Sai", "san"), ("Nra", "nara"), ("Goa", "gao"), ("Kidla", "kidal"), ("Kital", "kital")],
)
def test_region_key_misspelt_region_is_the_one_closest(written, region):
    # "Kital" is one edit from both Kidal and Kita: left as written.
    assert region_key(written, MALI) == region
