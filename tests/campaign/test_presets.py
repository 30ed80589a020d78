"""Each campaign country's preset, checked against the libraries it comes from."""

import zoneinfo

import phonenumbers
import pycountry
import pytest
from babel import Locale

from campaign import presets
from campaign.errors import Invalid

# country: (first-level subdivisions in pycountry, calling code, zone, first spot language)
EXPECTED = {
    "ML": (11, 223, "Africa/Bamako", "bm"),
    "NE": (8, 227, "Africa/Niamey", "ha"),
    "NG": (37, 234, "Africa/Lagos", "en"),
    "LR": (15, 231, "Africa/Monrovia", "en"),
    "NP": (7, 977, "Asia/Kathmandu", "ne"),
    "PK": (7, 92, "Asia/Karachi", "ur"),
    "LK": (9, 94, "Asia/Colombo", "si"),
    "ZA": (9, 27, "Africa/Johannesburg", "zu"),
    "MX": (32, 52, "America/Mexico_City", "es"),
    "US": (57, 1, "America/New_York", "en"),
}


def test_the_data_file_refines_the_ten_campaign_countries():
    assert presets.refined() == sorted(EXPECTED)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_preset_matches_the_libraries(code):
    subdivisions, calling_code, zone, first_language = EXPECTED[code]
    p = presets.preset(code, reader="en")
    library_regions = sorted(
        s.name for s in pycountry.subdivisions.get(country_code=code) if s.parent_code is None
    )
    assert len(library_regions) == subdivisions
    if code == "ML":
        # The campaign's 20 regions: the 10 of ISO 3166-2 plus the 2023 ones, Bamako as district.
        assert len(p.regions) == 20
        assert set(library_regions) - set(p.regions) == {"Bamako"}
        assert "District de Bamako" in p.regions
    else:
        assert sorted(p.regions) == library_regions
    assert phonenumbers.country_code_for_region(p.phone_country) == calling_code
    assert p.phone_country == code
    assert p.timezone == zone
    assert zone in zoneinfo.available_timezones()
    assert zone in presets.zone_table()[code]
    assert p.languages[0]["code"] == first_language
    english = Locale("en").languages
    for lang in p.languages:
        iso = pycountry.languages.get(
            **{"alpha_2" if len(lang["code"]) == 2 else "alpha_3": lang["code"]}
        )
        assert iso is not None, lang
        expected = english.get(lang["code"]) or iso.name
        assert lang["name"] == expected[:1].upper() + expected[1:]
    assert p.name == Locale("en").territories[code]
    assert p.interface_languages[-1] in ("en", "es")


def test_nepal_preset_offers_its_seven_provinces_in_english():
    p = presets.preset("np", reader="en")
    assert p.regions == [
        "Bagmati", "Gandaki", "Karnali", "Koshi", "Lumbini", "Madhesh", "Sudurpashchim",
    ]  # fmt: skip
    assert p.languages == [
        {"code": "ne", "name": "Nepali"},
        {"code": "mai", "name": "Maithili"},
        {"code": "bho", "name": "Bhojpuri"},
        {"code": "new", "name": "Newari"},
    ]
    assert p.interface_languages == ["ne", "en"]


def test_language_names_follow_the_reader():
    assert presets.preset("ML", reader="fr").languages[0] == {"code": "bm", "name": "Bambara"}
    assert presets.preset("ML").languages[4] == {"code": "tmh", "name": "Tamacheq"}
    assert presets.preset("LR").languages[2] == {"code": "bsq", "name": "Bassa"}


def test_a_country_outside_the_file_gets_the_libraries_preset():
    p = presets.preset("SN", reader="fr")
    assert p.timezone == "Africa/Dakar"
    assert p.phone_country == "SN"
    assert p.languages == [{"code": "wo", "name": "Wolof"}, {"code": "fr", "name": "Français"}]
    assert p.interface_languages == ["wo", "fr", "en"]
    assert p.name == "Sénégal"
    assert "Dakar" in p.regions and len(p.regions) == 14


@pytest.mark.parametrize("raw", ["XX", "NPL", "N1", "ÑP"])
def test_unknown_country_code_is_refused(raw):
    with pytest.raises(Invalid) as exc:
        presets.preset(raw)
    assert exc.value.errors == {"country": presets.UNKNOWN_COUNTRY}


@pytest.mark.parametrize("raw", ["", "  ", None])
def test_missing_country_asks_for_one(raw):
    with pytest.raises(Invalid) as exc:
        presets.preset(raw)
    assert exc.value.errors == {"country": "Choose the country."}
