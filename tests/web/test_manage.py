from datetime import UTC, datetime

from sqlmodel import select

from campaign import campaigns, db
from campaign.models import AuditEvent, Campaign
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_user

VALID = {
    "title": "Integrity Icon Mali 2026",
    "nominations_start": "2026-11-01T08:00",
    "nominations_end": "2026-12-15T18:00",
    "review_start": "2026-12-16T08:00",
    "review_end": "2027-01-20T18:00",
    "voting_start": "2027-02-01T08:00",
    "voting_end": "2027-02-21T20:00",
    "results_at": "2027-02-22T10:00",
    "regions": "District de Bamako\nKayes\n  Sikasso  \n\n",
    "languages": "bm Bamanankan\nfr Français",
}


def _as_manager(client, engine):
    user = make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    return user


def test_settings_saved_in_campaign_timezone_and_audited(client, engine, campaign):
    manager = _as_manager(client, engine)
    response = post(client, "/manage/campaign", VALID, follow_redirects=False)
    saved = campaigns.current(engine)
    assert (response.status_code, response.headers["location"]) == (303, "/manage/campaign?saved=1")
    # Bamako is UTC+0 all year; the stored instant is the same.
    assert saved.nominations_end == datetime(2026, 12, 15, 18, 0, tzinfo=UTC)
    assert saved.regions == ["District de Bamako", "Kayes", "Sikasso"]
    assert saved.languages == [
        {"code": "bm", "name": "Bamanankan"},
        {"code": "fr", "name": "Français"},
    ]
    with db.session(engine) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "campaign.update")).one()
    assert event.actor_id == manager.id
    assert event.details["changed"]["regions"][1] == ["District de Bamako", "Kayes", "Sikasso"]
    assert "Enregistré." in text_of(client.get("/manage/campaign?saved=1").text)


def test_settings_in_another_timezone_are_converted(client, engine):
    from tests.factories import make_campaign

    make_campaign(engine, timezone="Asia/Kathmandu")
    _as_manager(client, engine)
    post(client, "/manage/campaign", VALID)
    saved = campaigns.current(engine)
    assert saved.nominations_start == datetime(2026, 11, 1, 2, 15, tzinfo=UTC)
    assert campaigns.local_input(saved.nominations_start, saved.timezone) == "2026-11-01T08:00"


def test_settings_with_dates_out_of_order_are_refused_and_change_nothing(client, engine, campaign):
    _as_manager(client, engine)
    out_of_order = post(client, "/manage/campaign", VALID | {"review_start": "2026-12-01T08:00"})
    not_a_date = post(client, "/manage/campaign", VALID | {"results_at": "not a date"})
    assert (out_of_order.status_code, not_a_date.status_code) == (422, 422)
    assert 'id="review_start-error">Cette date doit suivre la précédente.' in out_of_order.text
    assert 'id="results_at-error">Indiquez une date et une heure.' in not_a_date.text
    assert campaigns.current(engine).nominations_end == campaign.nominations_end
    with db.session(engine) as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "campaign.update")).all() == []


def test_settings_refuse_bad_regions_languages_and_title(client, engine, campaign):
    _as_manager(client, engine)
    bad = VALID | {"title": "x", "regions": "Kayes\nkayes", "languages": "Bambara"}
    response = post(client, "/manage/campaign", bad, headers={"Accept-Language": "en"})
    page = text_of(response.text)
    assert response.status_code == 422
    assert "Between 3 and 200 characters." in page
    assert "A region is listed twice." in page
    assert "One language per line: its code, a space, then its name." in page
    assert campaigns.current(engine).title == campaign.title


def test_settings_form_error_returns_only_the_form_to_htmx(client, engine, campaign):
    _as_manager(client, engine)
    response = post(
        client, "/manage/campaign", VALID | {"title": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form method="post" action="/manage/campaign"')
    assert "<html" not in response.text
    assert response.headers["vary"].startswith("HX-Request")


def test_settings_success_redirects_htmx_with_hx_redirect(client, engine, campaign):
    _as_manager(client, engine)
    response = post(client, "/manage/campaign", VALID, headers={"HX-Request": "true"})
    assert (response.status_code, response.headers["hx-redirect"]) == (
        204,
        "/manage/campaign?saved=1",
    )


def test_deactivate_and_reactivate_are_audited(client, engine, campaign):
    _as_manager(client, engine)
    juror = make_user(engine, "juror", "j@example.org")
    post(client, f"/manage/people/{juror.id}/deactivate")
    page = text_of(client.get("/manage/people").text)
    post(client, f"/manage/people/{juror.id}/activate")
    assert "j@example.org Juror 2 Juré Désactivé Réactiver" in page
    with db.session(engine) as s:
        actions = s.exec(select(AuditEvent.action).where(AuditEvent.target_id == str(juror.id)))
        assert list(actions) == ["user.deactivate", "user.activate"]


def test_manager_cannot_deactivate_themselves(client, engine, campaign):
    manager = _as_manager(client, engine)
    response = post(client, f"/manage/people/{manager.id}/deactivate")
    assert response.status_code == 403
    assert "Vous ne pouvez pas désactiver votre propre compte." in text_of(response.text)
    assert client.get("/manage/people").status_code == 200


def test_set_active_unknown_person_or_action_is_404(client, engine, campaign):
    _as_manager(client, engine)
    assert post(client, "/manage/people/999/deactivate").status_code == 404
    assert post(client, "/manage/people/1/promote").status_code == 404


def test_audit_log_filters_by_actor_action_and_date(client, engine, campaign):
    manager = _as_manager(client, engine)
    other = make_user(engine, "manager", "other@example.org")
    post(client, "/manage/campaign", VALID)
    everything = text_of(client.get("/manage/audit").text)
    by_action = text_of(client.get("/manage/audit?action=campaign.update").text)
    by_other = text_of(client.get(f"/manage/audit?actor={other.id}").text)
    future = text_of(client.get("/manage/audit?since=2999-01-01").text)
    assert "2 événements" in everything
    assert "1 événement " in by_action and "boss@example.org campaign.update campaign" in by_action
    assert "0 événement" in by_other
    assert "0 événement" in future
    assert manager.id == 1


def test_audit_log_htmx_filter_returns_the_results_block(client, engine, campaign):
    _as_manager(client, engine)
    response = client.get("/manage/audit?action=user.login", headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="results">')
    assert "1 événement" in text_of(response.text)


def test_audit_log_ignores_malformed_filters(client, engine, campaign):
    _as_manager(client, engine)
    response = client.get("/manage/audit?actor=abc&since=yesterday&page=-3")
    assert response.status_code == 200
    assert "1 événement" in text_of(response.text)


def test_juror_cannot_change_settings(client, engine, campaign):
    make_user(engine, "juror", "j@example.org")
    login(client, "j@example.org", PASSWORD)
    response = post(client, "/manage/campaign", VALID)
    assert response.status_code == 403
    with db.session(engine) as s:
        assert s.exec(select(Campaign.title)).one() == campaign.title


QUESTION = {
    "key_0": "serving",
    "expected_0": "yes",
    "text_fr_0": "Cette personne est-elle agent public en activité ?",
    "text_en_0": "Is this person a serving public servant?",
    "refusal_fr_0": "Seuls les agents en activité peuvent être nominés.",
    "refusal_en_0": "Only serving public servants can be nominated.",
}


def test_eligibility_questions_replaced_before_nominations_open(client, engine):
    from tests.factories import make_campaign

    make_campaign(engine, "upcoming")
    _as_manager(client, engine)
    response = post(client, "/manage/campaign/eligibility", QUESTION, follow_redirects=False)
    saved = campaigns.current(engine).eligibility
    assert response.headers["location"] == "/manage/campaign?saved=1#eligibility"
    assert saved == [
        {
            "key": "serving",
            "expected": True,
            "text": {"fr": QUESTION["text_fr_0"], "en": QUESTION["text_en_0"]},
            "refusal": {"fr": QUESTION["refusal_fr_0"], "en": QUESTION["refusal_en_0"]},
        }
    ]
    from nominations import intake

    current = campaigns.current(engine)
    assert intake.eligibility_problems(current, {"serving": "no"}) == {"serving": "ineligible"}
    assert intake.eligibility_problems(current, {"serving": "yes"}) == {}


def test_eligibility_questions_with_errors_change_nothing(client, engine):
    from tests.factories import make_campaign

    campaign = make_campaign(engine, "upcoming")
    _as_manager(client, engine)
    bad = QUESTION | {"key_0": "Not A Key", "expected_0": "", "refusal_fr_0": ""}
    response = post(client, "/manage/campaign/eligibility", bad, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert 'id="key_0-error">A short unique code: lowercase letters, digits and _.' in response.text
    assert 'id="expected_0-error">Choose the answer that makes a person eligible.' in response.text
    assert 'id="refusal_fr_0-error">Between 3 and 300 characters.' in response.text
    assert campaigns.current(engine).eligibility == campaign.eligibility


def test_eligibility_questions_locked_once_nominations_open(client, engine, campaign):
    _as_manager(client, engine)
    response = post(client, "/manage/campaign/eligibility", QUESTION)
    page = text_of(client.get("/manage/campaign", headers={"Accept-Language": "en"}).text)
    assert response.status_code == 409
    assert campaigns.current(engine).eligibility == campaign.eligibility
    assert "the eligibility questions can no longer change" in page


def test_eligibility_questions_are_managers_only(client, engine):
    from tests.factories import make_campaign

    campaign = make_campaign(engine, "upcoming")
    make_user(engine, "juror", "j@example.org")
    login(client, "j@example.org", PASSWORD)
    assert post(client, "/manage/campaign/eligibility", QUESTION).status_code == 403
    assert campaigns.current(engine).eligibility == campaign.eligibility
