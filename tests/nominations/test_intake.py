from datetime import timedelta

import pytest
from sqlmodel import select

from campaign import db
from campaign.errors import Invalid, PhaseClosed
from nominations import intake
from nominations.models import Nomination, Nominee
from tests.factories import make_campaign, make_nomination, make_user, nomination_form

KEY = "k" * 40


def _count(engine, model=Nomination) -> int:
    with db.session(engine) as s:
        return len(s.exec(select(model.id)).all())


def test_submit_web_records_normalised_values_and_a_tracking_code(engine, campaign):
    receipt = intake.submit_web(engine, KEY, nomination_form(), "10.0.0.1", "form-1")
    with db.session(engine) as s:
        n = s.exec(select(Nomination)).one()
    assert (receipt.created, len(receipt.tracking_code)) == (True, 8)
    assert set(receipt.tracking_code) <= set(intake.CODE_ALPHABET)
    assert (n.channel, n.status, n.nominator_phone) == ("web", "received", "+22366123456")
    assert n.referees == [
        {"name": "Oumou Diarra", "phone": "+22376112233", "email": ""},
        {"name": "Bakary Koné", "phone": "", "email": "bakary.kone@example.org"},
    ]
    assert (n.region_key, n.name_words) == ("koulikoro", " aminata goita ")
    assert _count(engine, Nominee) == 1


def test_submit_web_replayed_post_returns_the_first_receipt(engine, campaign):
    first = intake.submit_web(engine, KEY, nomination_form(), "10.0.0.1", "form-1")
    again = intake.submit_web(engine, KEY, nomination_form(), "10.0.0.1", "form-1")
    assert (again.tracking_code, again.created) == (first.tracking_code, False)
    assert _count(engine) == 1


def test_submit_web_every_field_error_at_once_and_nothing_saved(engine, campaign):
    form = nomination_form(
        nominee_name="",
        nominee_gender="",
        nominee_region="Atlantis",
        story="Trop court.",
        referee2_name="",
        referee2_email="",
        nominator_phone="12",
        consent="",
        eligibility_elected="yes",
    )
    with pytest.raises(Invalid) as caught:
        intake.submit_web(engine, KEY, form, "10.0.0.1", "form-1")
    assert caught.value.errors == {
        "nominee_name": "This field is required.",
        "nominee_gender": "Choose one.",
        "nominee_region": "Choose a region from the list.",
        "story": "Tell us a little more: at least 80 characters.",
        "nominator_phone": "This phone number is not valid.",
        "referee2_name": "Give at least two referees.",
        "eligibility_elected": "ineligible",
        "consent": "Consent is needed to record the nomination.",
    }
    assert _count(engine) == 0


def test_submit_web_length_limits(engine, campaign):
    form = nomination_form(nominee_name="A" * 201, story="x" * 4001, nominator_relation="r" * 201)
    with pytest.raises(Invalid) as caught:
        intake.submit_web(engine, KEY, form, "10.0.0.1", "")
    assert caught.value.errors == {
        "nominee_name": "This is too long.",
        "story": "At most 4,000 characters.",
        "nominator_relation": "This is too long.",
    }


def test_submit_web_names_in_any_script_and_html_kept_as_text(engine, campaign):
    form = nomination_form(nominee_name="ߊߡߌߣߊߕߊ ߜߏߦߌߕߊ", story="<script>alert(1)</script> " * 5)
    intake.submit_web(engine, KEY, form, "10.0.0.1", "")
    with db.session(engine) as s:
        n = s.exec(select(Nomination)).one()
    assert n.nominee_name == "ߊߡߌߣߊߕߊ ߜߏߦߌߕߊ"
    assert n.story.startswith("<script>alert(1)</script>")


def test_submit_web_honeypot_filled_is_refused(engine, campaign):
    with pytest.raises(Invalid) as caught:
        intake.submit_web(engine, KEY, nomination_form(hp_extra="http://spam"), "10.0.0.1", "")
    assert caught.value.errors == {"hp_extra": "Leave the last field empty."}
    assert _count(engine) == 0


def test_submit_web_after_the_phase_closed_is_refused(engine):
    make_campaign(engine, "review")
    with pytest.raises(PhaseClosed):
        intake.submit_web(engine, KEY, nomination_form(), "10.0.0.1", "")
    assert _count(engine) == 0


def test_submit_web_limits_per_phone_but_not_a_busy_cybercafe(engine, campaign):
    for i in range(intake.PHONE_LIMIT):
        intake.submit_web(engine, KEY, nomination_form(), "10.0.0.1", f"f{i}")
    with pytest.raises(intake.RateLimited):
        intake.submit_web(engine, KEY, nomination_form(), "10.0.0.1", "again")
    other = nomination_form(nominator_phone="+223 76 00 00 01")
    assert intake.submit_web(engine, KEY, other, "10.0.0.1", "other").created is True
    assert _count(engine) == intake.PHONE_LIMIT + 1


def test_submit_web_limits_per_address(engine, campaign):
    from campaign import ratelimit

    with db.session(engine) as s, s.begin():
        for _ in range(intake.ADDRESS_LIMIT):
            ratelimit.record(s, "nominate-address:10.0.0.9", db.utcnow())
    with pytest.raises(intake.RateLimited) as caught:
        intake.submit_web(engine, KEY, nomination_form(), "10.0.0.9", "")
    assert caught.value.until > db.utcnow() + timedelta(minutes=59)
    assert _count(engine) == 0


def test_submit_paper_same_serial_twice_returns_the_first(engine, campaign):
    volunteer = make_user(engine, "volunteer")
    first = make_nomination(engine, volunteer.id, paper_serial="ml-0001")
    again = make_nomination(engine, volunteer.id, paper_serial="ML-0001", nominee_name="Autre")
    assert (again.id, again.paper_serial, again.channel) == (first.id, "ML-0001", "paper")
    assert _count(engine) == 1


def test_submit_paper_allows_unknown_gender_but_needs_a_serial(engine, campaign):
    volunteer = make_user(engine, "volunteer")
    n = make_nomination(engine, volunteer.id, nominee_gender="")
    with pytest.raises(Invalid) as caught:
        intake.submit_paper(engine, volunteer.id, nomination_form(paper_serial=""))
    assert n.nominee_gender == "unknown"
    assert caught.value.errors == {"paper_serial": "Write the number printed on the form."}


def test_tracking_code_cleaning_accepts_what_people_type():
    assert intake.clean_code(" acdE-fgh3 ") == "ACDEFGH3"
    assert intake.clean_code("k7qm 4xpa") == ""  # Q is not in the alphabet
    assert intake.clean_code("mnpr-tuvw") == "MNPRTUVW"
    assert intake.clean_code("MNPR.TUVW") == "MNPRTUVW"
    assert intake.clean_code("MNPRTUV") == ""
    assert intake.format_code("MNPRTUVW") == "MNPR-TUVW"
