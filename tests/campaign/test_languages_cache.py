"""The per-page languages answer is cached: at once in the process that changes the edition,
within languages.LANGUAGES_TTL in another."""

from __future__ import annotations

import subprocess
import sys
import time

from campaign import db, languages
from campaign.models import Campaign


def test_languages_are_answered_from_the_cache_after_one_read(engine, campaign):
    assert languages.known_interface_languages(engine) is None
    read = languages.interface_languages(engine)
    assert languages.known_interface_languages(engine) == read == list(campaign.interface_languages)


def test_languages_changed_in_this_process_show_at_once(engine, campaign):
    languages.interface_languages(engine)
    with db.session(engine) as s, s.begin():
        s.get(Campaign, campaign.id).interface_languages = ["ur", "en"]
    assert languages.known_interface_languages(engine) is None
    assert languages.interface_languages(engine) == ["ur", "en"]


def test_languages_changed_by_another_process_show_when_the_copy_is_read_again(
    engine, database_url, campaign, monkeypatch
):
    monkeypatch.setattr(languages, "LANGUAGES_TTL", 600.0)
    with db.session(engine) as s, s.begin():
        s.get(Campaign, campaign.id).interface_languages = ["fr", "en"]
    assert languages.interface_languages(engine) == ["fr", "en"]
    script = (
        "import sys; from sqlalchemy import text; from campaign import db\n"
        "e = db.make_engine(sys.argv[1])\n"
        'with e.begin() as c: c.execute(text("UPDATE campaign SET interface_languages = '
        '\'[\\"ur\\"]\'"))\n'
    )
    subprocess.run([sys.executable, "-c", script, database_url], check=True, timeout=60)
    assert languages.known_interface_languages(engine) == ["fr", "en"]  # within the TTL
    assert languages.interface_languages(engine) == ["ur"]


def test_the_copy_expires_after_the_ttl(engine, campaign, monkeypatch):
    monkeypatch.setattr(languages, "LANGUAGES_TTL", 0.2)
    languages.interface_languages(engine)
    time.sleep(0.3)
    assert languages.known_interface_languages(engine) is None


def test_a_rolled_back_change_keeps_the_copy(engine, campaign):
    read = languages.interface_languages(engine)
    with db.session(engine) as s:
        s.get(Campaign, campaign.id).interface_languages = ["ur"]
        s.flush()
        s.rollback()
    assert languages.known_interface_languages(engine) == read
