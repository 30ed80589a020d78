"""Every user-facing string goes through the catalogue, and French has them all."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.factories import make_campaign
from web.i18n import LOCALE_DIR, Catalogue, _accept_language_codes

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [
    ("web/templates/**.html", "jinja2"),
    ("**/tests/**.py", "ignore"),
    ("**/bench/**.py", "ignore"),
    ("**/.venv/**.py", "ignore"),
    ("**.py", "python"),
]
OPTIONS = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True"}}


def _msgids_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, METHOD_MAP, OPTIONS, keywords={"_": None, "N_": None, "ngettext": (1, 2)}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue(code: str) -> dict[str, object]:
    with (LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m.string for m in catalog if m.id}


def test_every_string_in_code_has_a_french_translation():
    french = _catalogue("fr")
    missing = sorted(m for m in _msgids_in_code() if not french.get(m))
    assert missing == [], "run `make messages` and translate these in web/locale/fr"


def _languages() -> list[str]:
    return sorted(po.parent.parent.name for po in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))


def test_every_catalogue_knows_every_string():
    code = _msgids_in_code()
    for lang in _languages():
        assert sorted(code - set(_catalogue(lang))) == [], lang


# Python and str.format placeholders, the %% escape and HTML tags must survive translation.
PLACEHOLDER = re.compile(r"%\(\w+\)\w|%%|\{\w*\}|<[^>]+>")


def _placeholders_lost(lang: str) -> list[tuple[str, str]]:
    lost = []
    for msgid, translation in _catalogue(lang).items():
        for string in translation if isinstance(translation, tuple) else (translation,):
            if string and sorted(PLACEHOLDER.findall(string)) != sorted(PLACEHOLDER.findall(msgid)):
                lost.append((msgid, string))
    return lost


@pytest.mark.parametrize("lang", _languages())
def test_each_catalogue_keeps_the_placeholders_of_each_string(lang):
    assert _placeholders_lost(lang) == []


def test_placeholder_check_catches_a_lost_placeholder(tmp_path, monkeypatch):
    target = tmp_path / "xx" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "messages.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Week %(num)s"\nmsgstr "Hafta"\n\n'
        'msgid "See <a href=\\"/x\\">this</a>"\nmsgstr "Dekhen <a href=\\"/x\\">yeh</a>"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(__name__ + ".LOCALE_DIR", tmp_path)
    assert _placeholders_lost("xx") == [("Week %(num)s", "Hafta")]


def test_urdu_translates_every_string_and_awaits_a_native_reviewer():
    urdu = _catalogue("ur")
    assert sorted(m for m in _msgids_in_code() if not urdu.get(m)) == []
    header = (LOCALE_DIR / "ur" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert "# Awaiting review by a native speaker" in header.split("msgid")[0]


def test_catalogue_takes_a_new_language_from_a_folder(tmp_path):
    for code in ("fr", "en"):
        target = tmp_path / code / "LC_MESSAGES"
        target.mkdir(parents=True)
        (target / "messages.po").write_bytes(
            (LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").read_bytes()
        )
    ne = tmp_path / "ne" / "LC_MESSAGES"
    ne.mkdir(parents=True)
    (ne / "messages.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Sign in"\nmsgstr "साइन इन"\n',
        encoding="utf-8",
    )
    catalogue = Catalogue(tmp_path)
    assert [lang.code for lang in catalogue.languages] == ["fr", "en", "ne"]
    assert catalogue.gettext("ne", "Sign in") == "साइन इन"
    assert catalogue.negotiate(None, "ne-NP,en;q=0.5") == "ne"


def test_accept_language_is_ordered_by_quality():
    assert _accept_language_codes("en;q=0.3, fr-ML;q=0.9, bm") == ["bm", "fr", "en"]
    assert _accept_language_codes("fr;q=0, en") == ["en"]


def test_urdu_pages_are_right_to_left_and_french_left_to_right(client, engine):
    make_campaign(engine, "nominations")
    client.cookies.set("lang", "ur")
    urdu = client.get("/nominate")
    client.cookies.set("lang", "fr")
    french = client.get("/nominate")
    assert '<html lang="ur" dir="rtl">' in urdu.text
    # The phone number reads left to right on a right-to-left page.
    phone = re.search(r'<input id="nominator_phone"[^>]*>', urdu.text).group(0)
    assert 'type="tel"' in phone and 'dir="ltr"' in phone
    assert 'dir="ltr"' not in re.search(r'<input id="nominee_name"[^>]*>', urdu.text).group(0)
    assert urdu.headers["content-language"] == "ur"
    assert '<html lang="fr" dir="ltr">' in french.text


def test_language_direction_comes_from_babel():
    languages = {lang.code: lang for lang in Catalogue().languages}
    assert [(c, lang.name, lang.dir) for c, lang in sorted(languages.items())] == [
        ("en", "English", "ltr"),
        ("fr", "Français", "ltr"),
        ("ur", "اردو", "rtl"),
    ]


@pytest.mark.parametrize("phase", ["nominations", "voting"])
def test_french_pages_put_a_narrow_no_break_space_before_double_punctuation(client, engine, phase):
    # French sets : ; ! ? off by a space that never breaks the line before them. SMS texts keep
    # an ordinary space: GSM 7-bit has no other, and a phone sends them as they are.
    make_campaign(engine, phase)
    client.cookies.set("lang", "fr")
    pages = {url: client.get(url).text for url in ("/", "/nominate", "/vote", "/track")}
    text = {url: re.sub(r"<[^>]+>", "\n", html) for url, html in pages.items()}
    assert {url: re.findall(r"\w [:;!?](?=\s)", t) for url, t in text.items()} == {
        url: [] for url in pages
    }
    if phase == "nominations":
        assert "Comment connaissez-vous cette personne\u202f?" in pages["/nominate"]
