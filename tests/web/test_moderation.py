import re

import pytest
from sqlalchemy import event
from sqlmodel import select

from campaign import db
from campaign.models import AuditEvent
from nominations import grouping
from nominations.models import Nomination
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_nomination, make_user

EN = {"Accept-Language": "en"}
KAYES = {"nominee_region": "Kayes", "nominee_institution": "CSCOM de Kayes N'Di"}
KEITA = {
    "nominee_name": "Moussa Keïta",
    "nominee_gender": "male",
    "nominee_position": "Greffier",
    "nominee_institution": "TGI de Kati",
}
# Contact details that the default nomination form carries (see tests.factories.nomination_form).
CONTACTS = ["+22376000001", "+22366123456", "+22376112233", "bakary.kone@example.org"]


def _as_manager(client, engine):
    user = make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    return user


def _statuses(engine) -> dict[int, tuple[str, str]]:
    with db.session(engine) as s:
        rows = s.exec(select(Nomination.id, Nomination.status, Nomination.status_reason))
        return {i: (status, reason) for i, status, reason in rows}


def _placement(engine) -> dict[int, int]:
    with db.session(engine) as s:
        return dict(s.exec(select(Nomination.id, Nomination.nominee_id)).all())


def _row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="nomination" value="(\d+)"', html)]


def test_nominations_list_filters_by_region_channel_and_volunteer(client, engine, campaign):
    _as_manager(client, engine)
    awa = make_user(engine, "volunteer", "awa@example.org")
    bina = make_user(engine, "volunteer", "bina@example.org")
    in_kayes = make_nomination(engine, awa.id, **KAYES)
    by_bina = make_nomination(engine, bina.id, **KEITA)
    everything = client.get("/manage/nominations", headers=EN)
    kayes = client.get("/manage/nominations?region=Kayes", headers=EN)
    bina_only = client.get(f"/manage/nominations?volunteer={bina.id}&channel=paper")
    web_only = client.get("/manage/nominations?channel=web", headers=EN)
    assert _row_ids(everything.text) == [by_bina.id, in_kayes.id]
    assert "2 nominations" in text_of(everything.text)
    assert _row_ids(kayes.text) == [in_kayes.id]
    assert _row_ids(bina_only.text) == [by_bina.id]
    assert "No nomination matches these filters." in text_of(web_only.text)
    assert f'<option value="{bina.id}" selected>bina@example.org</option>' in bina_only.text


@pytest.mark.parametrize("q", ["goita", "Goïta", "GOÏTA aminata", "Dr Aminata Goita"])
def test_nominations_search_with_and_without_accents(client, engine, campaign, q):
    _as_manager(client, engine)
    volunteer = make_user(engine, "volunteer")
    aminata = make_nomination(engine, volunteer.id, nominee_name="Aminata Goïta")
    make_nomination(engine, volunteer.id, **KEITA)
    response = client.get("/manage/nominations", params={"q": q})
    assert _row_ids(response.text) == [aminata.id]


@pytest.mark.parametrize("q", ["राम", "शर्मा राम", "ram"])
def test_nominations_search_finds_a_name_written_in_devanagari(client, engine, campaign, q):
    # Folded to ASCII only, the name had no word at all: nothing found it, in either script.
    _as_manager(client, engine)
    volunteer = make_user(engine, "volunteer")
    ram = make_nomination(engine, volunteer.id, nominee_name="राम प्रसाद शर्मा")
    make_nomination(engine, volunteer.id, nominee_name="गीता श्रेष्ठ")
    response = client.get("/manage/nominations", params={"q": q})
    assert _row_ids(response.text) == [ram.id]


def test_nominations_list_htmx_gets_only_the_results_block(client, engine, campaign):
    _as_manager(client, engine)
    make_nomination(engine, **KEITA)
    response = client.get("/manage/nominations?q=keita", headers={"HX-Request": "true", **EN})
    assert response.text.lstrip().startswith('<div id="results">')
    assert "<html" not in response.text
    assert "1 nomination" in text_of(response.text)
    assert response.headers["vary"].startswith("HX-Request")


@pytest.mark.usefixtures("languages_every_request")
def test_nominations_list_query_count_does_not_grow_with_rows(client, engine, campaign):
    _as_manager(client, engine)
    volunteers = [make_user(engine, "volunteer").id for _ in range(3)]
    make_nomination(engine, volunteers[0])
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    def count() -> int:
        statements.clear()
        response = client.get("/manage/nominations")
        assert response.status_code == 200
        return len(statements)

    with_one = count()
    for i in range(49):
        make_nomination(engine, volunteers[i % 3], nominee_name=f"Awa Traoré {chr(65 + i % 26)}")
    with_fifty = count()
    assert len(_row_ids(client.get("/manage/nominations").text)) == 50
    assert with_one == with_fifty


def test_status_change_with_reason_redirects_back_to_the_same_list(client, engine, campaign):
    manager = _as_manager(client, engine)
    volunteer = make_user(engine, "volunteer")
    a, b = (make_nomination(engine, volunteer.id, **KAYES).id for _ in range(2))
    c = make_nomination(engine, volunteer.id).id
    response = post(
        client,
        "/manage/nominations/status",
        {"nomination": [str(a), str(b)], "status": "spam", "reason": "Advert for a shop",
         "back": "region=Kayes&page=1&next=//evil.example"},
        follow_redirects=False,
    )  # fmt: skip
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/manage/nominations?region=Kayes&updated=2",
    )
    assert _statuses(engine) == {
        a: ("spam", "Advert for a shop"),
        b: ("spam", "Advert for a shop"),
        c: ("received", ""),
    }
    with db.session(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "nomination.status"))
        assert sorted((e.actor_id, e.target_id) for e in events) == [
            (manager.id, str(a)),
            (manager.id, str(b)),
        ]
    page = text_of(client.get(response.headers["location"], headers=EN).text)
    assert "2 nominations updated." in page
    assert "Spam Advert for a shop" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "ineligible", "reason": " "}, "Say why."),
        ({"status": "spam"}, "Say why."),
        ({"status": "received", "reason": "Reset"}, "Choose a status."),
        ({"status": "<b>gone</b>", "reason": "x"}, "Choose a status."),
    ],
)
def test_status_change_refused_changes_nothing(client, engine, campaign, data, message):
    _as_manager(client, engine)
    n = make_nomination(engine)
    response = post(
        client, "/manage/nominations/status", {"nomination": str(n.id), **data}, headers=EN
    )
    page = text_of(response.text)
    assert response.status_code == 422
    assert "Nothing was changed." in page and message in page
    assert f'value="{n.id}" aria-label="Select the nomination of Aminata Goïta" checked' in (
        response.text
    )
    assert _statuses(engine) == {n.id: ("received", "")}


@pytest.mark.parametrize("ids", [["999"], ["1", "999"], ["1", "x"], []])
def test_status_change_with_unknown_or_no_ids_changes_nothing(client, engine, campaign, ids):
    _as_manager(client, engine)
    n = make_nomination(engine)
    response = post(
        client,
        "/manage/nominations/status",
        {"nomination": ids, "status": "eligible"},
        headers=EN,
    )
    expected = (422, "Choose at least one nomination.") if not ids else (404, "No such nomination.")
    assert n.id == 1
    assert response.status_code == expected[0]
    assert expected[1] in text_of(response.text)
    assert _statuses(engine) == {1: ("received", "")}


MANAGER_PAGES = [
    "/manage/nominations",
    "/manage/nominations.csv",
    "/manage/nominees",
    "/manage/nominees.csv",
    "/manage/nominees/1",
    "/manage/stats",
]
MANAGER_POSTS = [
    "/manage/nominations/status",
    "/manage/nominees/regroup",
    "/manage/nominees/1/merge",
    "/manage/nominees/1/split",
]


@pytest.mark.parametrize("role", ["juror", "volunteer"])
def test_other_roles_get_403_and_change_nothing(client, engine, campaign, role):
    make_nomination(engine)
    make_nomination(engine, **KAYES)
    make_user(engine, role, "staff@example.org")
    login(client, "staff@example.org", PASSWORD)
    before = _placement(engine)
    forms = {"nomination": ["1", "2"], "other": "2", "status": "spam", "reason": "because"}
    gets = [client.get(url).status_code for url in MANAGER_PAGES]
    posts = [post(client, url, forms).status_code for url in MANAGER_POSTS]
    assert gets + posts == [403] * 10
    assert _placement(engine) == before
    assert _statuses(engine) == {1: ("received", ""), 2: ("received", "")}


def test_anonymous_visitor_is_sent_to_login(client, engine, campaign):
    make_nomination(engine)
    responses = [client.get(url, follow_redirects=False) for url in MANAGER_PAGES]
    regroup = post(client, "/manage/nominees/regroup", follow_redirects=False)
    assert [(r.status_code, r.headers["location"]) for r in responses] == [
        (303, f"/login?next={url}") for url in MANAGER_PAGES
    ]
    assert (regroup.status_code, regroup.headers["location"]) == (
        303,
        "/login?next=/manage/nominees/regroup",
    )


def test_nominee_page_shows_contacts_to_managers_only(client, engine, campaign):
    n = make_nomination(engine, nominee_phone="76 00 00 01")
    make_user(engine, "juror", "j@example.org")
    login(client, "j@example.org", PASSWORD)
    juror_pages = [
        client.get(url).text for url in ("/jury", "/", f"/manage/nominees/{n.nominee_id}")
    ]
    client.cookies.clear()
    public_pages = [
        client.get(url).text for url in ("/", "/track", f"/track?code={n.tracking_code}")
    ]
    _as_manager(client, engine)
    manager_page = client.get(f"/manage/nominees/{n.nominee_id}").text
    assert [c in manager_page for c in CONTACTS] == [True] * 4
    for page in juror_pages + public_pages:
        assert [c in page for c in CONTACTS] == [False] * 4


def test_nominee_page_shows_html_in_a_story_as_text(client, engine, campaign):
    _as_manager(client, engine)
    story = "<script>alert('x')</script> " + "Elle refuse les cadeaux et sert tout le monde. " * 2
    n = make_nomination(engine, story=story, nominator_name="<b>Fanta</b>")
    response = client.get(f"/manage/nominees/{n.nominee_id}")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in response.text
    assert "&lt;b&gt;Fanta&lt;/b&gt;" in response.text
    assert "<script>alert" not in response.text


def test_nominee_page_lists_all_nominations_and_possible_duplicates(client, engine, campaign):
    manager = _as_manager(client, engine)
    volunteer = make_user(engine, "volunteer")
    a = make_nomination(engine, volunteer.id)
    b = make_nomination(engine, volunteer.id, nominee_name="Dr Aminata GOITA")
    c = make_nomination(engine, volunteer.id, nominee_name="Goïta Aminata")
    new = grouping.split(engine, manager.id, a.nominee_id, [c.id], "Two midwives")
    response = client.get(f"/manage/nominees/{a.nominee_id}", headers=EN)
    page = text_of(response.text)
    assert re.findall(r'id="nomination-(\d+)"', response.text) == [str(a.id), str(b.id)]
    assert f'name="other" value="{new.id}"' in response.text
    assert "2 nominations" in page
    assert "Placed here by a manager" in page
    assert "nominee.split" in page and "Two midwives" in page


def test_merge_form_joins_nominees_and_survives_regroup(client, engine, campaign):
    _as_manager(client, engine)
    volunteer = make_user(engine, "volunteer")
    a = make_nomination(engine, volunteer.id)
    b = make_nomination(engine, volunteer.id, **KAYES)
    response = post(
        client,
        f"/manage/nominees/{a.nominee_id}/merge",
        {"other": str(b.nominee_id), "reason": "She moved to Kayes"},
        follow_redirects=False,
    )
    regroup = post(client, "/manage/nominees/regroup", follow_redirects=False)
    assert response.headers["location"] == f"/manage/nominees/{a.nominee_id}?merged=1"
    assert regroup.headers["location"] == "/manage/nominations?nominations=2&nominees=1&moved=0"
    assert _placement(engine) == {a.id: a.nominee_id, b.id: a.nominee_id}
    page = text_of(client.get(regroup.headers["location"], headers=EN).text)
    assert "Grouping checked. Nominees: 1. Nominations moved: 0." in page


def test_merge_without_reason_or_choice_is_refused_in_place(client, engine, campaign):
    _as_manager(client, engine)
    volunteer = make_user(engine, "volunteer")
    a = make_nomination(engine, volunteer.id)
    b = make_nomination(engine, volunteer.id, **KAYES)
    url = f"/manage/nominees/{a.nominee_id}/merge"
    form = client.get(f"/manage/nominees/{a.nominee_id}?find=Goita").text
    no_reason = post(client, f"{url}?find=Goita", {"other": str(b.nominee_id)}, headers=EN)
    no_choice = post(client, url, {"reason": "Same person"}, headers=EN)
    unknown = post(client, url, {"other": "999", "reason": "Same person"}, headers=EN)
    assert (no_reason.status_code, no_choice.status_code, unknown.status_code) == (422, 422, 404)
    assert f'action="{url}?find=Goita"' in form
    assert 'id="reason-error">Say why.' in no_reason.text
    assert f'name="other" value="{b.nominee_id}" checked' in no_reason.text
    assert 'id="nominees-error">Choose the nominees to merge.' in no_choice.text
    assert _placement(engine) == {a.id: a.nominee_id, b.id: b.nominee_id}


def test_merge_search_finds_nominees_by_name(client, engine, campaign):
    _as_manager(client, engine)
    volunteer = make_user(engine, "volunteer")
    a = make_nomination(engine, volunteer.id)
    keita = make_nomination(engine, volunteer.id, **KEITA)
    response = client.get(f"/manage/nominees/{a.nominee_id}?find=keita")
    assert f'name="other" value="{keita.nominee_id}"' in response.text


def test_split_form_moves_ticked_nominations_and_survives_regroup(client, engine, campaign):
    _as_manager(client, engine)
    volunteer = make_user(engine, "volunteer")
    a = make_nomination(engine, volunteer.id)
    b = make_nomination(engine, volunteer.id, nominee_name="Goïta Aminata")
    response = post(
        client,
        f"/manage/nominees/{a.nominee_id}/split",
        {"nomination": str(b.id), "reason": "Another midwife"},
        follow_redirects=False,
    )
    post(client, "/manage/nominees/regroup")
    with db.session(engine) as s:
        new_id = s.get(Nomination, b.id).nominee_id
    assert response.headers["location"] == f"/manage/nominees/{a.nominee_id}?split={new_id}"
    assert new_id != a.nominee_id
    assert _placement(engine) == {a.id: a.nominee_id, b.id: new_id}


def test_split_of_every_nomination_is_refused_in_place(client, engine, campaign):
    _as_manager(client, engine)
    volunteer = make_user(engine, "volunteer")
    a = make_nomination(engine, volunteer.id)
    b = make_nomination(engine, volunteer.id)
    response = post(
        client,
        f"/manage/nominees/{a.nominee_id}/split",
        {"nomination": [str(a.id), str(b.id)], "reason": "Why not"},
        headers=EN,
    )
    assert response.status_code == 422
    assert 'id="nominations-error">Choose some, but not all, of the nominations.' in response.text
    assert _placement(engine) == {a.id: a.nominee_id, b.id: a.nominee_id}


def test_nominees_page_lists_possible_duplicates(client, engine, campaign):
    manager = _as_manager(client, engine)
    volunteer = make_user(engine, "volunteer")
    a = make_nomination(engine, volunteer.id)
    b = make_nomination(engine, volunteer.id)
    new = grouping.split(engine, manager.id, a.nominee_id, [b.id], "Two midwives")
    response = client.get("/manage/nominees", headers=EN)
    links = re.findall(r'href="/manage/nominees/(\d+)"', response.text)
    assert links == [str(a.nominee_id), str(new.id)]


def test_csv_exports_are_utf8_with_bom_and_named_for_the_campaign(client, engine, campaign):
    _as_manager(client, engine)
    make_nomination(engine, nominee_name="Aminata Goïta")
    nominations = client.get("/manage/nominations.csv")
    nominees = client.get("/manage/nominees.csv")
    year = campaign.year
    assert nominations.headers["content-type"] == "text/csv; charset=utf-8"
    assert nominations.headers["content-disposition"] == (
        f'attachment; filename="nominations-ML-{year}.csv"'
    )
    assert (
        nominees.headers["content-disposition"] == f'attachment; filename="nominees-ML-{year}.csv"'
    )
    assert nominations.content.startswith("\ufeffid;".encode())
    assert "Aminata Goïta" in nominations.content.decode("utf-8")
    assert nominees.content.decode("utf-8").splitlines()[1].startswith("1;Aminata Goïta;female")


def test_csv_exports_of_personal_data_are_audited(client, engine, campaign):

    manager = _as_manager(client, engine)
    client.get("/manage/nominations.csv")
    client.get("/manage/nominees.csv")
    with db.session(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "nominations.export")).all()
    assert [(e.actor_id, e.details) for e in events] == [
        (manager.id, {"kind": "nominations"}),
        (manager.id, {"kind": "nominees"}),
    ]


def test_stats_page_shows_counts_and_percentages(client, engine, campaign):
    _as_manager(client, engine)
    volunteer = make_user(engine, "volunteer", "awa@example.org")
    make_nomination(engine, volunteer.id)
    make_nomination(engine, volunteer.id, **KAYES)
    make_nomination(engine, volunteer.id, **KEITA)
    page = text_of(client.get("/manage/stats", headers=EN).text)
    assert "3 nominations · 3 nominees" in page
    assert "Kayes 1 33% 1" in page and "Koulikoro 2 67% 2" in page and "Gao 0 0% 0" in page
    assert "Paper form 3 100%" in page
    assert "awa@example.org 3 100%" in page


def test_nominee_pages_for_unknown_ids_are_404(client, engine, campaign):
    _as_manager(client, engine)
    assert client.get("/manage/nominees/999").status_code == 404
    assert (
        post(client, "/manage/nominees/999/merge", {"other": "1", "reason": "x"}).status_code == 404
    )
