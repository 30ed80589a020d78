import csv
import io
import re

import pytest
from sqlmodel import select

from campaign import db
from nominations import csvfile
from nominations.models import Nomination
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_campaign, make_nomination, make_user, nomination_form

EN = {"Accept-Language": "en"}


@pytest.fixture
def volunteer(client, engine, campaign):
    user = make_user(engine, "volunteer", "vol@example.org")
    login(client, "vol@example.org", PASSWORD)
    return user


def saved(engine) -> list[Nomination]:
    with db.session(engine) as s:
        return list(s.exec(select(Nomination).order_by(Nomination.id)).all())


def autofocused(html: str) -> list[str]:
    return re.findall(r'id="([^"]+)"[^>]* autofocus', html)


def csv_file(campaign, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, csvfile.columns(campaign), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1252")


def upload(client, data: bytes, **kwargs):
    files = {"file": ("forms.csv", data, "text/csv")}
    return post(client, "/manage/entry/upload", files=files, follow_redirects=False, **kwargs)


def test_entry_anonymous_is_sent_to_login(client, campaign):
    pages = [client.get(url, follow_redirects=False) for url in ("/manage/entry",
             "/manage/entry/upload", "/manage/entry/template.csv")]  # fmt: skip
    assert [(r.status_code, r.headers["location"]) for r in pages] == [
        (303, "/login?next=/manage/entry"),
        (303, "/login?next=/manage/entry/upload"),
        (303, "/login?next=/manage/entry/template.csv"),
    ]


def test_entry_juror_is_refused_and_nothing_saved(client, engine, campaign):
    make_user(engine, "juror", "j@example.org")
    login(client, "j@example.org", PASSWORD)
    page = client.get("/manage/entry", headers=EN)
    posted = post(client, "/manage/entry", nomination_form(paper_serial="ML-1"), headers=EN)
    uploaded = upload(client, csv_file(campaign, [nomination_form(paper_serial="ML-2")]))
    assert [page.status_code, posted.status_code, uploaded.status_code] == [403, 403, 403]
    assert "This page is for another role." in text_of(posted.text)
    assert saved(engine) == []


def test_entry_page_is_keyboard_first(client, campaign, volunteer):
    response = client.get("/manage/entry", headers=EN)
    html = response.text
    regions = re.findall(r"<option(?: selected)?>([^<]+)</option>", html)
    assert response.status_code == 200
    assert autofocused(html) == ["paper_serial"]
    assert html.index('id="paper_serial"') < html.index('id="nominee_name"')
    assert regions == campaign.regions
    assert "Is this person a serving civil servant or public employee?" in html
    assert 'name="csrf_token"' in html
    assert "tabindex" not in html


def test_entry_questions_in_french_by_default(client, campaign, volunteer):
    html = client.get("/manage/entry").text
    assert "Cette personne est-elle un fonctionnaire ou agent public en activité\u202f?" in html


def test_entry_saves_then_comes_back_empty_with_the_code(client, engine, campaign, volunteer):
    form = nomination_form(paper_serial=" ml-00042 ")
    response = post(client, "/manage/entry", form, follow_redirects=False)
    (nomination,) = saved(engine)
    page = client.get(response.headers["location"], headers=EN)
    code = f"{nomination.tracking_code[:4]}-{nomination.tracking_code[4:]}"
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/manage/entry?saved={nomination.id}",
    )
    assert (nomination.channel, nomination.volunteer_id) == ("paper", volunteer.id)
    assert f"Saved: form ML-00042, code {code}." in text_of(page.text)
    assert "Previous form: ML-00042" in text_of(page.text)
    assert 'id="paper_serial" name="paper_serial" autofocus type="text" maxlength="40" ' \
        'autocomplete="off" value=""' in page.text  # fmt: skip
    assert 'value="Aminata Goïta"' not in page.text


def test_entry_same_form_again_says_it_was_already_entered(client, engine, volunteer):
    first = post(
        client, "/manage/entry", nomination_form(paper_serial="ML-7"), follow_redirects=False
    )
    other = nomination_form(paper_serial="ml-7", nominee_name="X Y")
    again = post(client, "/manage/entry", other, follow_redirects=False)
    (nomination,) = saved(engine)
    page = text_of(client.get(again.headers["location"], headers=EN).text)
    code = f"{nomination.tracking_code[:4]}-{nomination.tracking_code[4:]}"
    assert first.headers["location"] == f"/manage/entry?saved={nomination.id}"
    assert again.headers["location"] == f"/manage/entry?saved={nomination.id}&again=1"
    assert f"Form ML-7 was already entered, with code {code}. Nothing was changed." in page
    assert nomination.nominee_name == "Aminata Goïta"


def test_entry_errors_next_to_fields_with_typed_values_kept(client, engine, volunteer):
    form = nomination_form(
        paper_serial="ML-9",
        nominee_gender="",
        nominator_phone="12 34",
        story="<script>alert(1)</script> trop court",
        eligibility_elected="yes",
    )
    response = post(client, "/manage/entry", form, headers=EN)
    html = response.text
    assert response.status_code == 422
    assert autofocused(html) == ["story"]
    assert 'id="story-error">Tell us a little more: at least 80 characters.</p>' in html
    assert 'id="nominator_phone-error">This phone number is not valid.</p>' in html
    assert (
        'id="eligibility_elected-error">Elected officials cannot be nominated: '
        "the campaign honours public servants.</p>"
    ) in html
    assert 'value="12 34"' in html
    assert 'value="Fanta Traoré"' in html
    assert '<option value="yes" selected>Yes</option>' in html
    assert "<option selected>Koulikoro</option>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; trop court</textarea>" in html
    assert "<script>alert" not in html
    assert 'id="nominee_gender-error"' not in html  # paper forms may leave it blank
    assert saved(engine) == []


def test_entry_never_shows_another_volunteers_form(client, engine, volunteer):
    other = make_nomination(engine, paper_serial="ML-1")
    page = text_of(client.get(f"/manage/entry?saved={other.id}", headers=EN).text)
    assert "Saved:" not in page
    assert other.tracking_code[:4] not in page


def test_entry_after_review_is_closed(client, engine):
    make_campaign(engine, "voting")
    make_user(engine, "volunteer", "vol@example.org")
    login(client, "vol@example.org", PASSWORD)
    page = client.get("/manage/entry", headers=EN)
    posted = post(client, "/manage/entry", nomination_form(paper_serial="ML-1"), headers=EN)
    message = "Paper forms can be entered from the opening of nominations to the end of review."
    assert (page.status_code, posted.status_code) == (409, 409)
    assert message in text_of(posted.text)
    assert saved(engine) == []


def test_entry_by_a_manager_records_the_manager(client, engine, campaign):
    manager = make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    post(client, "/manage/entry", nomination_form(paper_serial="ML-1"))
    assert [n.volunteer_id for n in saved(engine)] == [manager.id]


def test_upload_imports_and_shows_the_counts(client, engine, campaign, volunteer):
    data = csv_file(campaign, [nomination_form(paper_serial=f"ML-{i}") for i in (1, 2)])
    first = upload(client, data)
    again = upload(client, data)
    page = text_of(client.get(again.headers["location"], headers=EN).text)
    assert first.headers["location"] == "/manage/entry/upload?created=2&skipped=0"
    assert again.headers["location"] == "/manage/entry/upload?created=0&skipped=2"
    assert "0 new forms imported. 2 forms were already imported." in page
    assert [(n.paper_serial, n.volunteer_id) for n in saved(engine)] == [
        ("ML-1", volunteer.id),
        ("ML-2", volunteer.id),
    ]


def test_upload_with_bad_rows_lists_them_and_imports_nothing(client, engine, campaign, volunteer):
    rows = [
        nomination_form(paper_serial="ML-1"),
        nomination_form(paper_serial="ML-2", referee1_phone="999", nominee_region="Paris"),
    ]
    response = upload(client, csv_file(campaign, rows), headers=EN)
    page = text_of(response.text)
    assert response.status_code == 422
    assert "Nothing was imported: 1 row needs correcting." in page
    assert "3 nominee_region Choose a region from the list." in page
    assert "3 referee1_phone This phone number is not valid." in page
    assert saved(engine) == []


def test_upload_refuses_a_file_that_is_not_csv(client, engine, campaign, volunteer):
    response = upload(client, b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), headers=EN)
    page = text_of(response.text)
    assert response.status_code == 422
    assert "Nothing was imported. This is an Excel workbook, not a CSV file." in page
    assert saved(engine) == []


def test_upload_refuses_missing_columns_naming_them(client, engine, campaign, volunteer):
    data = b"paper_serial;nominee_name\r\nML-1;Awa\r\n"
    page = text_of(upload(client, data, headers=EN).text)
    assert "Columns missing: nominee_position, nominee_region, story," in page
    assert "volunteer_email" not in page.split("Columns missing:")[1].split(".")[0]


def test_upload_over_the_size_limit_is_refused(client, engine, campaign, volunteer):
    response = upload(client, b"x" * (csvfile.MAX_BYTES + 1), headers=EN)
    assert response.status_code == 422
    assert "This file is larger than 25 MB. Split it into several files." in text_of(response.text)


def test_upload_page_lists_the_columns(client, campaign, volunteer):
    html = client.get("/manage/entry/upload", headers=EN).text
    required = re.search(r"Required: (.*)</p>", html).group(1)
    optional = re.search(r"Optional \(the column can be left out\): (.*)</p>", html).group(1)
    assert re.findall(r"<code>(\w+)</code>", required) == csvfile.required_columns(
        campaign, volunteer_required=False
    )
    assert re.findall(r"<code>(\w+)</code>", optional) == [
        "nominee_gender", "nominee_institution", "nominee_town", "nominee_phone",
        "referee1_phone", "referee1_email", "referee2_phone", "referee2_email",
        "referee3_name", "referee3_phone", "referee3_email", "nominator_phone",
        "nominator_email", "volunteer_email",
    ]  # fmt: skip


def test_template_is_a_header_row_for_excel(client, campaign, volunteer):
    response = client.get("/manage/entry/template.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content == csvfile.template_csv(campaign).encode()
    assert response.content.startswith(b"\xef\xbb\xbfpaper_serial;nominee_name;")


def test_upload_with_many_bad_rows_lists_the_first_ones(
    client, engine, campaign, volunteer, monkeypatch
):
    from web.routes import volunteer as routes

    monkeypatch.setattr(routes, "SHOWN_ERRORS", 2)
    rows = [nomination_form(paper_serial=f"ML-{i}", nominee_phone="1") for i in range(3)]
    page = text_of(upload(client, csv_file(campaign, rows), headers=EN).text)
    assert "Nothing was imported: 3 rows need correcting." in page
    assert "The first 2 of 3 problems are listed." in page
    assert "4 nominee_phone" not in page


def test_upload_over_the_web_row_cap_asks_to_split_the_file(client, engine, campaign):
    from nominations import csvfile
    from tests.conftest import csrf_token, login
    from tests.factories import PASSWORD, make_user
    from web.routes.volunteer import WEB_MAX_ROWS

    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    header = ",".join(csvfile.columns(campaign)).encode()
    data = header + b"\r\n" + b"ML-1,A\r\n" * (WEB_MAX_ROWS + 1)
    response = client.post(
        f"/manage/entry/upload?csrf_token={csrf_token(client)}",
        files={"file": ("forms.csv", data, "text/csv")},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "This file has more than 10,000 rows. Split it into several files." in response.text


def test_entry_in_urdu_asks_and_refuses_in_english_when_the_edition_offers_it(client, engine):
    # The paper form's questions and refusals fell back to French for an Urdu volunteer.
    make_campaign(engine, country="PK", title="Integrity Icon Pakistan", timezone="Asia/Karachi",
                  regions=["Punjab", "Sindh"], interface_languages=["ur", "en"])  # fmt: skip
    make_user(engine, "volunteer", "vol@example.org")
    login(client, "vol@example.org", PASSWORD)
    client.cookies.set("lang", "ur")
    form = nomination_form(paper_serial="PK-1", nominee_region="Punjab", eligibility_serving="no")
    refused = text_of(post(client, "/manage/entry", form).text)
    assert "Is this person a serving civil servant or public employee?" in refused
    assert "Integrity Icon honours serving public employees only." in refused
    assert "distingue" not in refused
    assert saved(engine) == []
