import re
from html import unescape

from sqlmodel import select

from campaign import db
from campaign.models import SmsMessage
from nominations.models import Nomination
from tests.conftest import post, text_of
from tests.factories import make_campaign, nomination_form

EN = {"Accept-Language": "en"}


def _nominations(engine) -> list[Nomination]:
    with db.session(engine) as s:
        return list(s.exec(select(Nomination).order_by(Nomination.id)))


def test_nominate_page_lists_regions_and_eligibility_in_the_visitor_language(client, campaign):
    page = client.get("/nominate", headers=EN)
    assert page.status_code == 200
    assert "<option>Ménaka</option>" in page.text
    assert "Is this person a serving civil servant or public employee?" in text_of(page.text)
    assert len(re.findall(r'name="form_id" value="[\w-]{20,}"', page.text)) == 1


def test_nominate_success_redirects_to_the_code_and_sends_it_by_sms(client, engine, campaign):
    response = post(client, "/nominate", nomination_form(form_id="abc"), follow_redirects=False)
    [nomination] = _nominations(engine)
    code = nomination.tracking_code
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/nominate/done?code={code}",
    )
    done = client.get(response.headers["location"], headers=EN)
    assert f"{code[:4]}-{code[4:]}" in text_of(done.text)
    assert "follow the nomination at http://127.0.0.1:8000/track." in text_of(done.text)
    with db.session(engine) as s:
        [sms] = s.exec(select(SmsMessage)).all()
    assert sms.to == "+223 66 •• •• 56"
    shown = f"{code[:4]}-{code[4:]}"
    assert sms.body == (
        f"Integrity Icon : nomination enregistrée. Votre code : {shown}. "
        "Suivez-la sur http://127.0.0.1:8000/track"
    )


def test_nominate_replayed_post_creates_one_nomination_and_one_sms(client, engine, campaign):
    first = post(client, "/nominate", nomination_form(form_id="same"), follow_redirects=False)
    second = post(client, "/nominate", nomination_form(form_id="same"), follow_redirects=False)
    assert first.headers["location"] == second.headers["location"]
    assert len(_nominations(engine)) == 1
    with db.session(engine) as s:
        assert len(s.exec(select(SmsMessage)).all()) == 1


def test_nominate_errors_keep_what_was_typed(client, engine, campaign):
    form = nomination_form(story="Trop court", nominee_name="Awa <b>Traoré</b>")
    response = post(client, "/nominate", form, headers=EN)
    assert response.status_code == 422
    assert (
        'id="story-error" aria-live="polite">Tell us a little more: at least 80 characters.</p>'
        in response.text
    )
    assert 'value="Awa &lt;b&gt;Traoré&lt;/b&gt;"' in response.text
    assert ">Trop court</textarea>" in response.text
    assert _nominations(engine) == []


def test_nominate_ineligible_answer_is_explained(client, engine, campaign):
    response = post(client, "/nominate", nomination_form(eligibility_elected="yes"), headers=EN)
    assert response.status_code == 422
    assert "Elected officials cannot be nominated" in text_of(response.text)
    assert _nominations(engine) == []


def test_nominate_check_returns_only_the_changed_field_error_out_of_band(client, campaign):
    response = post(
        client,
        "/nominate/check",
        nomination_form(nominator_phone="123"),
        headers=EN | {"HX-Request": "true", "X-Icon-Field": "nominator_phone"},
    )
    assert response.text.strip() == (
        '<p class="error" id="nominator_phone-error" aria-live="polite" hx-swap-oob="true">'
        "This phone number is not valid.</p>"
    )


def test_nominate_check_clears_a_corrected_field(client, campaign):
    response = post(
        client,
        "/nominate/check",
        nomination_form(),
        headers={"HX-Request": "true", "X-Icon-Field": "story"},
    )
    assert response.text.strip() == (
        '<p class="error" id="story-error" aria-live="polite" hx-swap-oob="true"></p>'
    )


def test_nominate_when_closed_says_when_and_refuses_posts(client, engine):
    make_campaign(engine, "review")
    page = client.get("/nominate", headers=EN)
    refused = post(client, "/nominate", nomination_form(), headers=EN)
    assert "Nominations closed on" in text_of(page.text)
    assert 'action="/nominate"' not in page.text
    assert refused.status_code == 409
    assert "Nominations are not open." in text_of(refused.text)
    assert _nominations(engine) == []


def test_nominate_before_opening_says_when_it_opens(client, engine):
    make_campaign(engine, "upcoming")
    assert "Nominations open on" in text_of(client.get("/nominate", headers=EN).text)


def test_nominate_rate_limited_says_so_and_saves_nothing(client, engine, campaign):
    from campaign import ratelimit
    from nominations import intake

    with db.session(engine) as s, s.begin():
        for _ in range(intake.ADDRESS_LIMIT):
            ratelimit.record(s, "nominate-address:testclient", db.utcnow())
    response = post(client, "/nominate", nomination_form(), headers=EN)
    assert response.status_code == 429
    assert "Too many nominations from here. Try again later." in text_of(response.text)
    assert _nominations(engine) == []


def test_track_shows_status_and_nothing_personal(client, engine, campaign):
    response = post(client, "/nominate", nomination_form(), follow_redirects=False)
    code = response.headers["location"].rsplit("=", 1)[1]
    typed = f"{code[:4].lower()} {code[4:]}"
    page = text_of(client.get(f"/track?code={typed}", headers=EN).text)
    assert "Received: the campaign team will check it." in page
    for personal in ("Aminata", "Fanta", "66 12 34 56", "+22366123456", "Oumou", "CSCOM"):
        assert personal not in page


def test_track_wrong_code_gives_no_hint(client, campaign):
    well_formed = text_of(client.get("/track?code=ACDE-FGHJ", headers=EN).text)
    malformed = text_of(client.get("/track?code=<b>zz</b>", headers=EN).text)
    message = "We found no nomination with this code. Check each letter and try again."
    assert message in well_formed and message in malformed


def test_track_limits_guessing_per_address(client, campaign):
    for _ in range(20):
        client.get("/track?code=ACDE-FGHJ")
    page = text_of(client.get("/track?code=ACDE-FGHK", headers=EN).text)
    assert "Too many attempts from here. Wait a few minutes and try again." in page


def test_nominate_form_asks_eligibility_first_and_marks_no_required_contact_optional(
    client, campaign
):
    html = client.get("/nominate", headers=EN).text
    text = text_of(html)

    assert text.index("Is this person a serving civil servant") < text.index("Full name")
    assert text.index("Full name") < text.index("Tell us what this person did")
    referee = text[text.index("Referee 1") : text.index("Referee 2")]
    assert (
        referee == "Referee 1 Name A phone number or an email address: at least one. Phone Email "
    )
    assert "Referee 3 (optional)" in text
    assert '<label for="referee1_phone">Phone</label>' in html
    assert '<label for="nominator_email">Your email</label>' in html


def test_nominate_page_of_another_country_gives_no_mali_place_as_an_example(client, engine):
    # The institution's hint named Mali's CSCOM de Kalaban Coro and Mairie de Kayes on every
    # country's form: a Nepali nominator was shown a health centre of Mali as the model.
    make_campaign(engine, country="NP", title="Integrity Icon Nepal", timezone="Asia/Kathmandu",
                  regions=["Bagmati", "Koshi"])  # fmt: skip
    english = text_of(client.get("/nominate", headers=EN).text)
    french = unescape(text_of(client.get("/nominate", headers={"Accept-Language": "fr"}).text))
    assert "Kalaban" not in english + french
    assert "Kayes" not in english + french
    assert (
        "For example: the health centre, school, town hall or office where this person works."
        in english
    )
    assert (
        "Par exemple : le centre de santé, l'école, la mairie ou le service où cette "
        "personne travaille." in french
    )


def test_an_urdu_reader_of_an_edition_offering_english_reads_its_questions_in_english(
    client, engine
):
    # The edition's questions exist in French and English; a reader in another interface
    # language (Urdu, or Nepali once its folder exists) got the French, which a Pakistani or
    # Nepali nominator does not read, though the edition offers English.
    make_campaign(engine, country="PK", title="Integrity Icon Pakistan", timezone="Asia/Karachi",
                  regions=["Punjab", "Sindh"], interface_languages=["ur", "en"])  # fmt: skip
    client.cookies.set("lang", "ur")
    page = unescape(text_of(client.get("/nominate").text))
    refused = post(client, "/nominate", nomination_form(eligibility_elected="yes"))
    assert "Is this person a serving civil servant or public employee?" in page
    assert "Cette personne est-elle un fonctionnaire" not in page
    assert (
        "Elected officials cannot be nominated: the campaign honours public servants."
        in unescape(text_of(refused.text))
    )


def test_a_reader_of_an_edition_offering_french_keeps_its_questions_in_french(client, engine):
    make_campaign(engine, interface_languages=["fr", "en"])
    client.cookies.set("lang", "ur")
    page = unescape(text_of(client.get("/nominate").text))
    assert "Cette personne est-elle un fonctionnaire ou agent public en activité ?" in page
