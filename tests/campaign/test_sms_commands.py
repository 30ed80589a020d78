"""The one SMS command parser: built-in words, the edition's own, digits of every script."""

from __future__ import annotations

import pytest

from campaign import sms_commands
from campaign.sms_commands import Command, Keywords, parse

OWN = Keywords(vote="VOTEZ", nominate="PROPOSE", track="STATUT", help="INFO")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ICON 3", Command("vote", "ICON", "3", 3)),
        ("  vote:  12 ", Command("vote", "VOTE", "12", 12)),
        ("Icon3", Command("vote", "ICON", "3", 3)),
        ("3", Command("vote", "", "3", 3)),
        ("7.", Command("vote", "", "7", 7)),
        ("ICON ٣", Command("vote", "ICON", "3", 3)),  # Arabic-Indic
        ("ICON ३", Command("vote", "ICON", "3", 3)),  # Devanagari
        ("ICON ３", Command("vote", "ICON", "3", 3)),  # full-width
        ("۱۲", Command("vote", "", "12", 12)),  # extended Arabic-Indic, a lone number
        ("ICON trois", Command("vote", "ICON", "trois", None)),
        ("ICON 1234567", Command("vote", "ICON", "1234567", None)),
        ("NOM Awa Traoré, Kati", Command("nominate", "NOM", "Awa Traoré, Kati")),
        ("nom: Awa", Command("nominate", "NOM", "Awa")),
        ("SUIVI ab12-cd34", Command("track", "SUIVI", "ab12-cd34")),
        ("Track: AB12", Command("track", "TRACK", "AB12")),
        ("AIDE", Command("help", "AIDE", "")),
        ("help!", Command("help", "HELP", "!")),
        ("?", Command("help", "?", "")),
    ],
)  # fmt: skip
def test_built_in_words(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "Bonjour", "ICONIC 3", "NOMINATE x", "3 4", "3 fois"])
def test_texts_that_are_no_command(text):
    assert parse(text) is None


def test_the_editions_own_words_and_the_built_in_ones_side_by_side():
    assert parse("votez ٣", OWN) == Command("vote", "VOTEZ", "3", 3)
    assert parse("PROPOSE Awa", OWN) == Command("nominate", "PROPOSE", "Awa")
    assert parse("statut AB12", OWN) == Command("track", "STATUT", "AB12")
    assert parse("INFO", OWN) == Command("help", "INFO", "")
    assert parse("ICON 3", OWN) == Command("vote", "ICON", "3", 3)
    assert parse("SUIVI AB12", OWN) == Command("track", "SUIVI", "AB12")
    assert parse("VOTEZ 3") is None  # another edition's word means nothing here
    assert sms_commands.vote_number("votez 12", OWN) == 12


def test_keywords_from_the_stored_column_fall_back_per_word():
    assert Keywords.of(None) == sms_commands.DEFAULT
    assert Keywords.of({"vote": " votez ", "help": "two words", "track": "123"}) == Keywords(
        vote="VOTEZ", nominate="NOM", track="SUIVI", help="AIDE"
    )
    assert OWN.params() == {"vote_word": "VOTEZ", "nominate_word": "PROPOSE",
                            "track_word": "STATUT", "help_word": "INFO"}  # fmt: skip


def test_check_accepts_distinct_single_words():
    form = {"kw_vote": "votez", "kw_nominate": "PROPOSE", "kw_track": "Statut", "kw_help": "INFO"}
    assert sms_commands.check(form) == (OWN, {})


def test_check_names_every_bad_word():
    form = {"kw_vote": "vote ici", "kw_nominate": "123", "kw_track": "AIDE", "kw_help": "ÉCOUTE"}
    keywords, errors = sms_commands.check(form)
    assert keywords == sms_commands.DEFAULT
    assert errors == {
        "kw_vote": sms_commands.KEYWORD_INVALID,
        "kw_nominate": sms_commands.KEYWORD_NUMBER,
        "kw_track": sms_commands.KEYWORD_CLASH,  # the help command's built-in word
        "kw_help": sms_commands.KEYWORD_INVALID,
    }


def test_check_refuses_two_commands_sharing_a_word():
    form = {"kw_vote": "GO", "kw_nominate": "GO", "kw_track": "SUIVI", "kw_help": "AIDE"}
    assert sms_commands.check(form)[1] == {
        "kw_vote": sms_commands.KEYWORD_CLASH,
        "kw_nominate": sms_commands.KEYWORD_CLASH,
    }
