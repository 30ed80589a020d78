"""Country lexicons: data files chosen by the edition's country, with a generic fallback."""

from __future__ import annotations

from nominations.dedup import group_nominations
from nominations.lexicon import available, lexicon, phonetic
from nominations.normalise import institution_key, name_gender, name_tokens, region_key


def nomination(row_id, name, position="Sage-femme", institution="CSCOM de Banconi", region="Kati"):
    return {
        "id": row_id,
        "nominee_name": name,
        "position": position,
        "institution": institution,
        "region": region,
    }


def test_available_lists_country_files():
    assert "ML" in available()
    assert "GENERIC" not in available()


def test_region_key_cercle_and_town_name_the_region():
    mali = lexicon("ML")

    keys = [region_key(r, mali) for r in ("Kati", "Cercle de Kati", "Koulikoro", "Sévaré")]

    assert keys == ["koulikoro", "koulikoro", "koulikoro", "mopti"]


def test_region_key_unknown_country_keeps_the_text():
    assert region_key("Cercle de Kati", lexicon("ZZ")) == "kati"


def test_region_key_edition_regions_absorb_typos():
    lex = lexicon("ZZ", ("Province No. 1", "Bagmati Province", "Gandaki Province"))

    assert [region_key(r, lex) for r in ("Bagmatti", "Gandaki")] == ["bagmati", "gandaki"]


def test_institution_key_country_abbreviation_expanded_only_with_its_lexicon():
    mali, generic = lexicon("ML"), lexicon()

    assert institution_key("GS Kati", mali) == institution_key("Groupe scolaire de Kati", mali)
    assert institution_key("CSCOM Kati", generic) != institution_key("CSCOM Kati", mali)


def test_name_tokens_titles_from_the_generic_lexicon():
    assert name_tokens("Engr. Musa Bello", lexicon("ZZ")) == ("bello", "musa")


def test_phonetic_west_african_orthographies_meet():
    pairs = [
        ("coulibaly", "kulibali"),
        ("diarra", "jara"),
        ("djeneba", "jeneba"),
        ("ouattara", "wattara"),
    ]

    assert [phonetic(a) == phonetic(b) for a, b in pairs] == [True, True, True, True]


def test_canon_lexicon_variants_meet():
    mali = lexicon("ML")

    assert mali.canon("tarawele") == mali.canon("traore")
    assert mali.canon("madou") == mali.canon("mamadou")
    assert lexicon().canon("tarawele") != lexicon().canon("traore")


def test_group_nominations_without_lexicon_still_merges_spellings():
    rows = [
        nomination(1, "Aminata Goïta"),
        nomination(2, "GOITA Aminata"),
        nomination(3, "Aminta Goyta"),
        nomination(4, "Aminata Goïta", institution="CSCOM de Kalaban"),
    ]

    assert group_nominations(rows, country="ZZ") == [[1, 2, 3], [4]]


def test_group_nominations_known_names_are_distinct_only_with_their_lexicon():
    rows = [nomination(1, "Awa Diallo"), nomination(2, "Hawa Diallo")]

    assert group_nominations(rows, country="ML") == [[1], [2]]
    assert group_nominations(rows) == [[1, 2]]


def test_misspelt_titles_opening_a_name_are_titles():
    mali = lexicon("ML")
    names = ["Madaame Konaté", "Mlel Touré", "Monsieui Fofana", "l Hadj Konaté", "Hawa Diarra"]

    read = [(name_tokens(n, mali), name_gender(n, mali)) for n in names]

    assert read == [
        (("konate",), "f"),
        (("toure",), "f"),
        (("fofana",), "m"),
        (("hadj", "konate"), "m"),
        (("diarra", "hawa"), ""),
    ]
