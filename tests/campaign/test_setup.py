"""First run: the one-time setup link creates the first manager and the first edition."""

import time

import pytest
from sqlmodel import select

from campaign import db, people, setup
from campaign.errors import Invalid, InvitationInvalid
from campaign.models import Campaign, User
from tests.conftest import SECRET
from tests.factories import make_user


def _form(**overrides) -> setup.SetupIn:
    values = dict(email="Boss@Example.org", name="Sita Sharma", password="a long password 1",
                  confirm="a long password 1", country="NP", year="2027")  # fmt: skip
    return setup.SetupIn(**(values | overrides))


def _rows(engine):
    with db.session(engine) as s:
        return len(s.exec(select(User)).all()), len(s.exec(select(Campaign)).all())


def test_setup_creates_the_first_manager_and_edition(engine):
    token = setup.issue(engine, SECRET)
    user, campaign = setup.complete(engine, SECRET, token, _form(), reader="en")
    assert (user.email, user.role, user.name) == ("boss@example.org", "manager", "Sita Sharma")
    assert people.authenticate(engine, "boss@example.org", "a long password 1", "x").id == user.id
    assert (campaign.country, campaign.year, campaign.timezone) == ("NP", 2027, "Asia/Kathmandu")
    assert setup.needed(engine) is False
    assert setup.issue(engine, SECRET) is None


def test_a_reused_link_is_dead_and_changes_nothing(engine):
    token = setup.issue(engine, SECRET)
    setup.complete(engine, SECRET, token, _form())
    with pytest.raises(InvitationInvalid) as exc:
        setup.complete(engine, SECRET, token, _form(email="other@example.org", year="2028"))
    assert exc.value.message == setup.DONE
    assert _rows(engine) == (1, 1)


def test_a_link_after_a_manager_exists_is_dead(engine):
    token = setup.issue(engine, SECRET)
    make_user(engine, "manager")
    with pytest.raises(InvitationInvalid) as exc:
        setup.check(engine, SECRET, token)
    assert exc.value.message == "This site is already set up: sign in instead."
    with pytest.raises(InvitationInvalid):
        setup.complete(engine, SECRET, token, _form())
    assert _rows(engine) == (1, 0)


def test_an_expired_link_is_refused(engine, monkeypatch):
    token = setup.issue(engine, SECRET)
    later = time.time() + setup.SETUP_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(InvitationInvalid) as exc:
        setup.complete(engine, SECRET, token, _form())
    assert exc.value.message == (
        "This setup link has expired. Run `icon setup-link` for a new one."
    )
    assert _rows(engine) == (0, 0)
    assert setup.SETUP_MAX_AGE.total_seconds() == 24 * 3600


@pytest.mark.parametrize("token", ["", "nonsense", "a.b.c"])
def test_a_forged_link_is_refused(engine, token):
    with pytest.raises(InvitationInvalid) as exc:
        setup.check(engine, SECRET, token)
    assert exc.value.message == "This setup link is not valid."


def test_bad_fields_are_all_named_and_nothing_is_made(engine):
    token = setup.issue(engine, SECRET)
    with pytest.raises(Invalid) as exc:
        bad = _form(email="nope", confirm="different", country="QQ", year="1900")
        setup.complete(engine, SECRET, token, bad)
    assert exc.value.errors == {
        "email": "Enter a valid email address.",
        "confirm": "The two passwords differ.",
        "country": "Unknown country code: use the two letters of ISO 3166 (NP, ML, ...).",
        "year": "Enter a year between 2000 and 2100.",
    }
    assert _rows(engine) == (0, 0)
    # The link still works once corrected.
    assert setup.complete(engine, SECRET, token, _form())[0].role == "manager"


def test_concurrent_setups_make_one_manager_and_one_edition(engine):
    from concurrent.futures import ThreadPoolExecutor

    token = setup.issue(engine, SECRET)
    people.hash_password("warm")  # argon2 is slow; start all the forms together

    def attempt(i: int) -> str:
        try:
            setup.complete(engine, SECRET, token,
                           _form(email=f"m{i}@example.org", year=str(2027 + i)))  # fmt: skip
        except InvitationInvalid as exc:
            return exc.message
        return "made"

    with ThreadPoolExecutor(6) as pool:
        outcomes = sorted(pool.map(attempt, range(6)))
    assert outcomes == ["This site is already set up: sign in instead."] * 5 + ["made"]
    assert _rows(engine) == (1, 1)
