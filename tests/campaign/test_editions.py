"""Setting up editions from presets, and the next year's from this year's."""

from datetime import timedelta

import pytest
from sqlmodel import select

from campaign import campaigns, db, editions
from campaign.errors import Archived, Invalid, PhaseClosed
from campaign.models import AuditEvent, Campaign, StaffRole
from nominations.models import Nomination
from shortlist import criteria
from shortlist.models import Criterion, ReviewConfig
from tests.factories import make_campaign, make_nomination, make_user
from voting.models import Round


def _count(engine, model) -> int:
    with db.session(engine) as s:
        return len(s.exec(select(model)).all())


def test_create_takes_the_countrys_presets(engine):
    campaign = editions.create(engine, None, "np", "2027", reader="en")
    assert (campaign.country, campaign.phone_country, campaign.year) == ("NP", "NP", 2027)
    assert campaign.title == "Integrity Icon Nepal 2027"
    assert campaign.timezone == "Asia/Kathmandu"
    assert campaign.regions[:2] == ["Bagmati", "Gandaki"] and len(campaign.regions) == 7
    assert campaign.languages[0] == {"code": "ne", "name": "Nepali"}
    assert campaign.interface_languages == ["ne", "en"]
    assert [q["key"] for q in campaign.eligibility] == ["serving", "elected"]
    assert campaign.nominations_start.astimezone(campaign.nominations_start.tzinfo).month == 3
    assert campaign.archived_at is None


def test_create_refuses_an_unknown_country_and_changes_nothing(engine):
    with pytest.raises(Invalid) as exc:
        editions.create(engine, None, "XX", 2027)
    assert exc.value.errors == {
        "country": "Unknown country code: use the two letters of ISO 3166 (NP, ML, ...)."
    }
    assert _count(engine, Campaign) == 0


@pytest.mark.parametrize("year", ["", "27", "1999", "2101", "two"])
def test_create_refuses_a_bad_year(engine, year):
    with pytest.raises(Invalid) as exc:
        editions.create(engine, None, "NP", year)
    assert exc.value.errors == {"year": editions.YEAR_INVALID}
    assert _count(engine, Campaign) == 0


def test_create_refuses_a_year_already_used_for_the_country(engine):
    editions.create(engine, None, "NP", 2027)
    with pytest.raises(Invalid) as exc:
        editions.create(engine, None, "NP", 2027, "Another title")
    assert exc.value.errors == {"year": editions.YEAR_TAKEN}
    assert _count(engine, Campaign) == 1
    # Another country may use the same year.
    assert editions.create(engine, None, "LK", 2027).country == "LK"


def test_a_past_year_lands_in_its_results(engine):
    old = editions.create(engine, None, "ML", 2018)
    assert old.results_at.year == 2018
    assert old.results_at < db.utcnow()


def _mali(engine, phase="results"):
    campaign = make_campaign(engine, phase)
    manager, juror = make_user(engine, "manager"), make_user(engine, "juror")
    with db.session(engine) as s, s.begin():
        criteria.ensure_defaults(s, campaign.id)
        config = s.get(ReviewConfig, campaign.id)
        config.longlist_size, config.finalists = 25, 4
        c = s.exec(select(Criterion).where(Criterion.campaign_id == campaign.id)).first()
        c.weight = 2.5
    return campaign, manager, juror


def test_start_next_copies_the_settings_and_staff_not_the_public(engine):
    campaign, manager, juror = _mali(engine, "nominations")
    make_nomination(engine)
    with db.session(engine) as s, s.begin():
        s.add(StaffRole(campaign_id=campaign.id, user_id=juror.id, role="volunteer"))
    new = editions.start_next(engine, manager.id, campaign.id)
    assert (new.year, new.country, new.title) == (
        campaign.year + 1, "ML", f"Integrity Icon Mali {campaign.year + 1}",
    )  # fmt: skip
    assert new.regions == campaign.regions and new.languages == campaign.languages
    assert new.eligibility == campaign.eligibility
    assert new.nominations_start.year == campaign.nominations_start.year + 1
    with db.session(engine) as s:
        config = s.get(ReviewConfig, new.id)
        weights = [c.weight for c in s.exec(select(Criterion).where(
            Criterion.campaign_id == new.id).order_by(Criterion.position))]  # fmt: skip
        old_weights = [c.weight for c in s.exec(select(Criterion).where(
            Criterion.campaign_id == campaign.id).order_by(Criterion.position))]  # fmt: skip
        roles = {r.user_id: r.role for r in s.exec(
            select(StaffRole).where(StaffRole.campaign_id == new.id))}  # fmt: skip
        nominations = s.exec(select(Nomination.campaign_id)).all()
        old = s.get(Campaign, campaign.id)
        current = campaigns.current_in(s)
    assert (config.longlist_size, config.finalists) == (25, 4)
    assert weights == old_weights and 2.5 in weights
    volunteer_id = [uid for uid, role in roles.items() if uid not in (manager.id, juror.id)][0]
    assert roles == {manager.id: "manager", juror.id: "volunteer", volunteer_id: "volunteer"}
    assert nominations == [campaign.id]  # nothing of the public came along
    assert old.archived_at is not None
    assert current.id == new.id


def test_start_next_refused_while_a_round_is_open(engine):
    campaign, manager, _ = _mali(engine, "voting")
    now = db.utcnow()
    with db.session(engine) as s, s.begin():
        s.add(Round(campaign_id=campaign.id, title="Finale", opens_at=now - timedelta(days=1),
                    closes_at=now + timedelta(days=1)))  # fmt: skip
    with pytest.raises(PhaseClosed) as exc:
        editions.start_next(engine, manager.id, campaign.id)
    assert exc.value.message == (
        "A voting round of this edition has not closed yet: close it first."
    )
    assert _count(engine, Campaign) == 1
    assert _count(engine, StaffRole) == 0
    with db.session(engine) as s:
        assert s.get(Campaign, campaign.id).archived_at is None


def test_start_next_refused_from_an_archived_edition(engine):
    campaign, manager, _ = _mali(engine)
    editions.start_next(engine, manager.id, campaign.id)
    with pytest.raises(Archived) as exc:
        editions.start_next(engine, manager.id, campaign.id, campaign.year + 2)
    assert exc.value.params == {"year": campaign.year}
    assert _count(engine, Campaign) == 2


def test_start_next_refuses_a_year_not_after_the_current(engine):
    campaign, manager, _ = _mali(engine)
    with pytest.raises(Invalid) as exc:
        editions.start_next(engine, manager.id, campaign.id, campaign.year)
    assert exc.value.errors == {"year": editions.YEAR_NOT_LATER}
    assert _count(engine, Campaign) == 1


def test_an_archived_editions_settings_are_refused(engine):
    campaign, manager, _ = _mali(engine)
    editions.start_next(engine, manager.id, campaign.id)
    form = campaigns.CampaignSettingsIn("New title", {}, "A", "fr Français")
    with pytest.raises(Archived):
        campaigns.update_settings(engine, manager.id, campaign.id, form)
    with db.session(engine) as s:
        assert s.get(Campaign, campaign.id).title == campaign.title
        actions = s.exec(select(AuditEvent.action)).all()
    assert "campaign.update" not in actions


def test_scoring_and_voting_in_an_archived_edition_are_refused_as_archived(engine):
    from shortlist import scoring
    from shortlist.models import Assignment
    from voting import vote_codes
    from voting.models import Candidate

    campaign, manager, juror = _mali(engine, "review")
    nomination = make_nomination(engine)
    now = db.utcnow()
    with db.session(engine) as s, s.begin():
        a = Assignment(campaign_id=campaign.id, nominee_id=nomination.nominee_id,
                       juror_id=juror.id)  # fmt: skip
        r = Round(campaign_id=campaign.id, title="Finale", opens_at=now - timedelta(days=2),
                  closes_at=now - timedelta(days=1))  # fmt: skip
        s.add_all([a, r])
        s.flush()
        s.add(Candidate(round_id=r.id, number=1, nominee_id=nomination.nominee_id, name="A"))
        criterion_id = s.exec(select(Criterion.id)).first()
    editions.start_next(engine, manager.id, campaign.id)
    with db.session(engine) as s, s.begin():  # as if the round had been reopened afterwards
        s.get(Round, r.id).closes_at = now + timedelta(days=1)
    with pytest.raises(Archived) as exc:
        scoring.save_score(engine, juror.id, a.id, criterion_id, "4", None)
    assert exc.value.message == "The %(year)s edition is archived: it can no longer change."
    assert exc.value.params == {"year": campaign.year}
    with pytest.raises(Archived):
        vote_codes.request_code(engine, "secret-key-for-tests", lambda to, body: None, r.id,
                                "+223 76 12 34 56", "127.0.0.1", "test")  # fmt: skip
    with pytest.raises(Archived):
        vote_codes.cast_web(engine, "secret-key-for-tests", r.id, "+223 76 12 34 56", "123456",
                            1, "127.0.0.1", "test")  # fmt: skip
    with db.session(engine) as s:
        assert s.get(Assignment, a.id).version == a.version


def test_a_role_belongs_to_an_edition(engine):
    from campaign import people

    campaign, manager, juror = _mali(engine)
    new = editions.start_next(engine, manager.id, campaign.id)
    assert people.active_user(engine, juror.id).role == "juror"
    with db.session(engine) as s, s.begin():
        s.get(StaffRole, (new.id, juror.id)).role = "volunteer"
    assert people.active_user(engine, juror.id).role == "volunteer"
    # Inviting again with a role sets it for the current edition.
    people.invite(engine, "k" * 40, manager.id, juror.email, "manager")
    assert people.active_user(engine, juror.id).role == "manager"
