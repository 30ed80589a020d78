"""The fast check of a country's numbers answers as phonenumbers does, for every spelling."""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign import phone_fast, phones

COUNTRIES = ("ML", "NP", "NG", "PK", "LK", "FR")
# Zero of ASCII, Arabic-Indic, Extended Arabic-Indic (Urdu), Devanagari (Nepali), Bengali,
# Sinhala Lith and full-width digits.
ZEROS = ("0", "\u0660", "\u06f0", "\u0966", "\u09e6", "\u0de6", "\uff10")
TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE,
         phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.VOIP)  # fmt: skip


def _example(country: str, kind) -> str | None:
    number = phonenumbers.example_number_for_type(country, kind)
    return None if number is None else phonenumbers.national_significant_number(number)


@st.composite
def spellings(draw):
    """A number near one of the country's examples (often valid, sometimes not), spelt in one
    of the ways people and gateways write it."""
    country = draw(st.sampled_from(COUNTRIES))
    examples = [e for kind in TYPES if (e := _example(country, kind))]
    base = draw(st.sampled_from(examples))
    kept = draw(st.integers(max(0, len(base) - 4), len(base)) | st.integers(0, len(base)))
    size = len(base) - kept + draw(st.sampled_from((0, 0, 0, 0, 1, -1)))
    digits = base[:kept] + draw(st.text("0123456789", min_size=max(0, size), max_size=max(0, size)))
    code = str(phonenumbers.country_code_for_region(country))
    form = draw(st.sampled_from(("national", "prefix", "plus", "00", "gateway", "plus", "other")))
    if form == "prefix":
        digits = "0" + digits
    elif form in ("plus", "00", "gateway"):
        digits = code + draw(st.sampled_from(("", "0"))) + digits
    elif form == "other":
        digits = draw(st.sampled_from(("00", "+", "0", ""))) + str(draw(st.integers(1, 999)))
        digits += base[kept:]
    out, i = [], 0
    while i < len(digits):  # groups of digits with separators between them
        size = draw(st.integers(1, 4))
        out.append(digits[i : i + size])
        i += size
        if i < len(digits):
            out.append(draw(st.sampled_from(("", " ", "-", ".", "  ", " - ", "(", "/"))))
    text = "".join(out)
    zero = ord(draw(st.sampled_from(ZEROS)))
    if draw(st.booleans()):
        text = "".join(chr(zero + int(c)) if c.isdigit() else c for c in text)
    lead = {"plus": "+", "00": "00", "other": ""}.get(form, "")
    pad = draw(st.sampled_from(("", " ", "\t")))
    return country, pad + lead + draw(st.sampled_from(("", " "))) * (lead == "+") + text + pad


@settings(max_examples=3000, deadline=None)
@given(spellings())
def test_fast_path_answers_as_phonenumbers(case):
    country, raw = case
    fast = phones._fast(raw, country)
    if fast is not None:
        assert fast == phones._national_parsed(raw, country)
        assert fast == phones.normalise(raw, country)
    assert phones.national(raw, country) == phones._national_parsed(raw, country)


@pytest.mark.parametrize("country", COUNTRIES)
def test_fast_path_takes_the_common_spellings(country):
    national = _example(country, phonenumbers.PhoneNumberType.MOBILE)
    code = str(phonenumbers.country_code_for_region(country))
    prefix = "0" if phone_fast.country(country).prefix else ""
    grouped = " ".join(national[i : i + 2] for i in range(0, len(national), 2))
    spellings = [national, prefix + grouped, f"+{code} {grouped}", f"00{code}{national}",
                 f"+{code}-{national[:3]}.{national[3:]}",
                 "".join(chr(0x660 + int(c)) for c in prefix + national)]  # fmt: skip
    found = {raw: phones._fast(raw, country) for raw in spellings}
    assert found == dict.fromkeys(spellings, f"+{code}{national}")
    assert phones._national_parsed(spellings[0], country) == f"+{code}{national}"


def test_shared_calling_codes_are_left_to_phonenumbers():
    # +1 (the US and Canada) and +44 (the UK, Jersey, Guernsey): the region needs the patterns
    # of every region of the code, so only phonenumbers answers.
    assert [phone_fast.country(c) for c in ("US", "CA", "GB")] == [None, None, None]
    assert phones.national("+44 20 7946 0958", "GB") == "+442079460958"
