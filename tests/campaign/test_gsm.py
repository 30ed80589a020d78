"""Every SMS text of the catalogue, in every language, within GSM 7-bit and one segment; and the
alphabet, segment and folding rules themselves (3GPP TS 23.038)."""

from __future__ import annotations

import pytest
from babel.core import get_global

from campaign import gsm, sms_commands, sms_inbound
from nominations import callbacks
from nominations import sms as nominations_sms
from voting import sms as voting_sms
from web.i18n import Catalogue
from web.routes import nominate

SMS_TEXTS = sorted(
    {
        *sms_inbound.SMS_TEXTS,
        *nominations_sms.SMS_TEXTS,
        *voting_sms.SMS_TEXTS,
        nominate.SMS_CODE,
        *callbacks.SMS_TEXTS,
    }
)
CATALOGUE = Catalogue()
# Long but real values: a name with only GSM letters (others are folded or sent as UCS-2).
PARAMS = {"code": "K7QM-4XPA", "receipt": "ACDEF-34679", "number": 12, "name": "Aminata Coulibaly",
          "example": 1, "first": 1, "last": 12,
          "url": "https://integrity-icon.ml/track",
          # The edition's SMS words: the usual ones, of the longest (SUIVI, AIDE, ICON, NOM).
          **sms_commands.DEFAULT.params()}  # fmt: skip


def test_the_sms_texts_are_all_collected():
    assert len(SMS_TEXTS) == 25


def _script(lang: str) -> str:
    return get_global("likely_subtags")[lang].split("_")[1]


@pytest.mark.parametrize("lang", sorted(CATALOGUE.translations))
@pytest.mark.parametrize("msgid", SMS_TEXTS)
def test_sms_text_stays_in_gsm7_and_one_segment(lang, msgid):
    """Latin-script languages stay within GSM 7-bit; others (Urdu) go as UCS-2, knowingly, and
    still fit one segment."""
    text = CATALOGUE.gettext(lang, msgid)
    if _script(lang) == "Latn":
        assert gsm.outside(text) == "", f"{lang}: {text!r} needs UCS-2"
    assert gsm.segments(text % PARAMS) == 1, f"{lang}: {text % PARAMS!r} takes two SMS"


def test_languages_are_sorted_by_script():
    assert (_script("fr"), _script("en"), _script("ur")) == ("Latn", "Latn", "Arab")


def test_french_is_a_language_here():
    assert {"fr", "en"} <= set(CATALOGUE.translations)


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # two septets each
        ("€" * 81, 2),
        ("ç" * 70, 1),  # UCS-2
        ("ç" * 71, 2),
        ("🙏" * 35, 1),  # two UTF-16 units each
        ("🙏" * 36, 2),
    ],
)
def test_segments(text, segments):
    assert gsm.segments(text) == segments


def test_gsm_alphabet_has_upper_but_not_lower_c_cedilla():
    assert (
        gsm.is_gsm7("Ç"),
        gsm.is_gsm7("ç"),
        gsm.is_gsm7("éèùìòàÉ"),
        gsm.outside("Reçu œuvre"),
    ) == (
        True,
        False,
        True,
        "çœ",
    )


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("Merci, numéro 3", ("Merci, numéro 3", 0)),
        ("Reçu", ("Reçu", 2)),  # one UCS-2 segment: nothing to save by folding
        ("Vote pour Aminata Goïta compté. " * 3, ("Vote pour Aminata Goita compté. " * 3, 0)),
        ("تصويت " * 20, ("تصويت " * 20, 2)),  # nothing to fold: UCS-2, knowingly
    ],
)
def test_fit_folds_only_to_save_a_segment(text, sent):
    assert gsm.fit(text) == sent
