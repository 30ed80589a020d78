"""The managers' shortlist pages: the ranked board, its filters and htmx fragment, decisions,
the stages page with a finalist's withdrawal, the scores CSV, roles and query counts."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event
from sqlmodel import select

from campaign import db
from campaign.models import AuditEvent
from shortlist import criteria, decisions
from shortlist.models import Decision
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_campaign, make_user
from tests.shortlist.test_board import (
    add_decision,
    add_nominee,
    add_reading,
    build_hand_board,
    flat,
)

EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", **EN}
WHY = "Strong, consistent readings."


@pytest.fixture
def review(engine):
    return make_campaign(engine, "review")


@pytest.fixture
def manager(client, engine, review):
    user = make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    return user


@pytest.fixture
def hand_board(engine, review):
    return build_hand_board(engine, review.id)


def _row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="nominee" value="(\d+)"', html)]


def _decisions(engine) -> list[tuple]:
    with db.session(engine) as s:
        rows = s.exec(
            select(Decision.nominee_id, Decision.stage, Decision.position, Decision.withdrawn,
                   Decision.justification).order_by(Decision.id)
        ).all()  # fmt: skip
    return [tuple(r) for r in rows]


# --- the board --------------------------------------------------------------------------------


def test_board_shows_the_ranked_table(client, engine, manager, review, hand_board):
    a, b, c, d = hand_board["ids"]
    add_decision(engine, review.id, a, "longlist")

    response = client.get("/manage/shortlist", headers=EN)

    assert response.status_code == 200
    assert _row_ids(response.text) == [a, b, c, d]
    rows = [text_of(r) for r in re.findall(r"<tr[^>]*>.*?</tr>", response.text, re.S)]
    board_rows = [r for r in rows if r.startswith(("1 ", "2 ", "3 ", "– "))]
    assert board_rows == [
        "1 Awa Diallo Kayes Woman 3/3 7.00 7.00 6.11 2.00 Longlist",
        "2 Bakary Koné Koulikoro Man 2/3 1 missing 7.50 7.50 5.19 3.00 ⚠ disagreement",
        "3 Coumba Sow Kayes Woman 2/3 1 missing 3.50 3.50 3.15 3.00 ⚠ disagreement",
        "– Daouda Maïga Sikasso Not known 0/3 3 missing – – – –",
    ]
    assert response.text.count('<tr class="disagreement">') == 2
    assert f'<a href="/manage/nominees/{a}">Awa Diallo</a>' in response.text
    assert (
        "Criteria and weights: Significance of the impact (2); Impact beyond the personal sphere "
        "(1); Challenges overcome (1); Benchmark for public service (1); Use of the position as "
        "leverage (1)"
    ) in text_of(response.text)


def test_board_writes_decimal_commas_in_french(client, engine, manager, hand_board):
    page = text_of(client.get("/manage/shortlist", headers={"Accept-Language": "fr"}).text)

    assert "3/3 7,00 7,00 6,11 2,00" in page


def test_board_shows_balance_of_view_and_stages(client, engine, manager, review, hand_board):
    b = hand_board["ids"][1]
    add_decision(engine, review.id, b, "longlist")

    page = text_of(client.get("/manage/shortlist?region=Kayes", headers=EN).text)

    assert "Shown below 2 2 0 0 Kayes (2)" in page
    assert "Longlist 1 of 30 0 1 0 Koulikoro (1)" in page
    assert "Shortlist 0 of 10 0 0 0 –" in page
    assert "2 shown of 4 eligible nominees; 3 with at least one complete reading." in page


def test_board_filters_keep_global_ranks(client, engine, manager, hand_board):
    a, b, c, d = hand_board["ids"]

    kayes = client.get("/manage/shortlist?region=Kayes", headers=EN)
    men = client.get("/manage/shortlist?gender=male", headers=EN)
    unknown = client.get("/manage/shortlist?gender=unknown&region=Kayes", headers=EN)

    assert _row_ids(kayes.text) == [a, c]
    assert "<option selected>Kayes</option>" in kayes.text
    assert _row_ids(men.text) == [b]
    assert _row_ids(unknown.text) == []
    assert "No nominee matches these filters." in text_of(unknown.text)


def test_board_htmx_gets_only_the_results_block(client, engine, manager, hand_board):
    response = client.get("/manage/shortlist?gender=female", headers=HTMX)

    assert response.text.lstrip().startswith('<div id="results">')
    assert "<html" not in response.text
    assert len(_row_ids(response.text)) == 2
    assert response.headers["vary"].split(", ")[:3] == ["HX-Request", "Cookie", "Accept-Language"]


@pytest.mark.usefixtures("languages_every_request")
def test_board_query_count_does_not_grow_with_nominees(client, engine, manager, review):
    ids = [c.id for c in criteria.load(engine, review.id)[1]]
    jurors = [make_user(engine, "juror").id for _ in range(3)]

    def add(i: int) -> None:
        nominee = add_nominee(engine, review.id, f"Nominee {i}")
        for k, juror in enumerate(jurors):
            add_reading(engine, review.id, nominee, juror, flat(ids, (i + k) % 11))
        add_decision(engine, review.id, nominee, "longlist")

    statements = []

    def count() -> int:
        statements.clear()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/manage/shortlist").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    add(0)
    with_one = count()
    for i in range(1, 30):
        add(i)
    with_thirty = count()

    assert len(_row_ids(client.get("/manage/shortlist").text)) == 30
    assert with_one == with_thirty


# --- deciding ---------------------------------------------------------------------------------


def test_decide_places_nominees_and_redirects_to_the_same_view(client, engine, manager, hand_board):
    a, b, c, d = hand_board["ids"]
    back = "region=Kayes"

    response = post(
        client, "/manage/shortlist/decide",
        {"nominee": [str(a), str(c)], "stage": "longlist", "justification": WHY, "back": back},
        follow_redirects=False,
    )  # fmt: skip

    assert (response.status_code, response.headers["location"]) == (
        303, "/manage/shortlist?region=Kayes&decided=2&placed=longlist",
    )  # fmt: skip
    assert _decisions(engine) == [(a, "longlist", 0, False, WHY), (c, "longlist", 0, False, WHY)]
    page = text_of(client.get(response.headers["location"], headers=EN).text)
    assert "2 nominees placed on this stage: Longlist" in page


def test_decide_by_htmx_answers_with_hx_redirect(client, engine, manager, hand_board):
    a = hand_board["ids"][0]

    response = post(
        client, "/manage/shortlist/decide",
        {"nominee": str(a), "stage": "longlist", "justification": WHY}, headers=HTMX,
    )  # fmt: skip

    assert (response.status_code, response.headers["hx-redirect"]) == (
        204, "/manage/shortlist?decided=1&placed=longlist",
    )  # fmt: skip


def test_decide_too_many_finalists_is_refused_in_place(client, engine, manager, review):
    ids = [add_nominee(engine, review.id, f"Nominee {i}") for i in range(6)]
    decisions.decide(engine, manager.id, review.id, "longlist", ids, WHY)
    decisions.decide(engine, manager.id, review.id, "shortlist", ids, WHY)
    before = _decisions(engine)

    response = post(
        client, "/manage/shortlist/decide",
        {"nominee": [str(i) for i in ids], "stage": "finalist", "justification": WHY},
        headers=EN,
    )  # fmt: skip

    page = text_of(response.text)
    assert response.status_code == 422
    assert "Nothing was changed. This stage cannot hold that many: choose fewer." in page
    assert response.text.count(" checked>") == 6
    assert '<option value="finalist" selected>Finalists</option>' in response.text
    assert _decisions(engine) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stage": "longlist", "justification": ""}, "Say why."),
        ({"stage": "shortlist", "justification": WHY}, "A chosen nominee is not on the longlist."),
        ({"stage": "podium", "justification": WHY}, "Choose a stage."),
    ],
)
def test_decide_bad_input_changes_nothing(client, engine, manager, hand_board, data, message):
    a = hand_board["ids"][0]

    response = post(client, "/manage/shortlist/decide", {"nominee": str(a), **data}, headers=EN)

    page = text_of(response.text)
    assert response.status_code == 422
    assert ("Nothing was changed." in page, message in page) == (True, True)
    assert _decisions(engine) == []


def test_decide_with_a_malformed_id_is_404(client, engine, manager, hand_board):
    response = post(
        client, "/manage/shortlist/decide",
        {"nominee": "1 OR 1=1", "stage": "longlist", "justification": WHY}, headers=EN,
    )  # fmt: skip

    assert response.status_code == 404
    assert "No such nominee." in text_of(response.text)
    assert _decisions(engine) == []


def test_board_before_review_offers_no_decision_form(client, engine):
    make_campaign(engine, "nominations")
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)

    response = client.get("/manage/shortlist", headers=EN)

    assert "Shortlist decisions open with the review." in text_of(response.text)
    assert 'name="justification"' not in response.text


# --- the stages page --------------------------------------------------------------------------


def _finals(engine, manager, review) -> list[int]:
    ids = [add_nominee(engine, review.id, f"Nominee {i}", region="Ségou") for i in range(3)]
    decisions.decide(engine, manager.id, review.id, "longlist", ids, WHY)
    decisions.decide(engine, manager.id, review.id, "shortlist", ids, WHY)
    decisions.decide(engine, manager.id, review.id, "finalist", ids[:1], "Best of all")
    decisions.decide(engine, manager.id, review.id, "alternate", [ids[2], ids[1]], "Next")
    return ids


def test_stages_page_lists_picks_with_justifications_and_balance(client, engine, manager, review):
    _finals(engine, manager, review)

    page = text_of(client.get("/manage/shortlist/stages", headers=EN).text)

    assert "Finalists 1 of 5 1 0 0 Ségou (1)" in page
    assert "Alternates (2 of 3) Order Nominee Justification Change 1 " in page
    assert "Nominee 0 Agent, Service · Ségou · Woman Best of all" in page
    alternates = page.split("Alternates (2 of 3)")[1]
    assert alternates.index("Nominee 2") < alternates.index("Nominee 1")


def test_stages_page_leaves_out_what_a_nominee_does_not_say(client, engine, manager, review):
    ids = [add_nominee(engine, review.id, "Nominee 0", region="")]
    decisions.decide(engine, manager.id, review.id, "longlist", ids, WHY)

    page = text_of(client.get("/manage/shortlist/stages", headers=EN).text)

    assert f"Nominee 0 Agent, Service · Woman {WHY}" in page  # no "· ·" for the region


def test_withdraw_finalist_form_promotes_first_alternate(client, engine, manager, review):
    ids = _finals(engine, manager, review)

    response = post(
        client, f"/manage/shortlist/finalists/{ids[0]}/withdraw", {"reason": "Moved abroad"},
        follow_redirects=False,
    )  # fmt: skip

    assert response.headers["location"] == "/manage/shortlist/stages?promoted=1"
    found = decisions.stages(engine, review.id)
    assert [(e.nominee_id, e.justification) for e in found["finalist"]] == [
        (ids[2], "promoted: Moved abroad"),
    ]  # fmt: skip
    assert [(e.nominee_id, e.order) for e in found["alternate"]] == [(ids[1], 1)]
    page = text_of(client.get(response.headers["location"], headers=EN).text)
    assert "The finalist was withdrawn and the first alternate took the place." in page


def test_withdraw_finalist_without_alternate_is_refused_in_place(client, engine, manager, review):
    ids = _finals(engine, manager, review)
    for _ in ids[1:]:
        decision_id = decisions.stages(engine, review.id)["alternate"][0].decision_id
        decisions.remove(engine, manager.id, decision_id, "Error")
    before = _decisions(engine)

    response = post(
        client, f"/manage/shortlist/finalists/{ids[0]}/withdraw", {"reason": "Ill"}, headers=EN
    )

    assert response.status_code == 422
    assert "No alternate is left to take this place." in text_of(response.text)
    assert 'value="Ill" aria-invalid="true"' in response.text
    assert _decisions(engine) == before


def test_remove_form_withdraws_the_decision(client, engine, manager, review):
    ids = _finals(engine, manager, review)
    shortlist = decisions.stages(engine, review.id)["shortlist"][1]

    response = post(
        client, f"/manage/shortlist/decisions/{shortlist.decision_id}/remove",
        {"reason": "Conflict of interest"}, follow_redirects=False,
    )  # fmt: skip

    assert response.headers["location"] == "/manage/shortlist/stages?removed=2"
    found = decisions.stages(engine, review.id)
    assert [e.nominee_id for e in found["shortlist"]] == [ids[0], ids[2]]
    assert [e.nominee_id for e in found["alternate"]] == [ids[2]]
    page = text_of(client.get(response.headers["location"], headers=EN).text)
    assert "2 decisions withdrawn." in page


def test_remove_without_reason_is_refused_in_place(client, engine, manager, review):
    _finals(engine, manager, review)
    entry = decisions.stages(engine, review.id)["longlist"][0]
    before = _decisions(engine)

    response = post(
        client, f"/manage/shortlist/decisions/{entry.decision_id}/remove", {"reason": ""},
        headers=EN,
    )  # fmt: skip

    assert response.status_code == 422
    assert "Nothing was changed." in text_of(response.text)
    assert f'id="remove-{entry.decision_id}" name="reason"' in response.text
    assert '<p class="error" id="reason-error">Say why.</p>' in response.text
    assert _decisions(engine) == before


# --- the scores file --------------------------------------------------------------------------


def test_scores_csv_lists_every_reading_without_nominator_data(client, engine, manager, review):
    c = [x.id for x in criteria.load(engine, review.id)[1]]
    juror = make_user(engine, "juror", "juror@example.org")
    nominee = add_nominee(engine, review.id, "Aminata Goïta", region="Ségou")
    at = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)
    scores = dict(zip(c, [10, 4, 4, 4, 3.5], strict=True))
    add_reading(engine, review.id, nominee, juror.id, scores, blind=True, submitted_at=at,
                comment="=HYPERLINK(\"x\")")  # fmt: skip
    add_reading(engine, review.id, nominee, manager.id, {c[0]: 7}, submitted=False)

    response = client.get("/manage/shortlist/scores.csv", headers=EN)

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="scores-ML-{review.year}.csv"'
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffnominee_id;")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [
        ["nominee_id", "nominee_name", "region", "gender", "juror_email", "blind", "status",
         "submitted_at", "Significance of the impact", "Impact beyond the personal sphere",
         "Challenges overcome", "Benchmark for public service", "Use of the position as leverage",
         "total", "comment"],
        [str(nominee), "Aminata Goïta", "Ségou", "female", "juror@example.org", "yes",
         "submitted", "2026-03-02 18:30:00", "10", "4", "4", "4", "3,5", "5,1",
         "'=HYPERLINK(\"x\")"],
        [str(nominee), "Aminata Goïta", "Ségou", "female", "boss@example.org", "no", "assigned",
         "", "7", "", "", "", "", "", ""],
    ]  # fmt: skip
    for personal in ("Fanta", "+22366123456", "fanta@example.org"):
        assert personal not in body


def test_scores_csv_is_audited(client, engine, manager, review):
    client.get("/manage/shortlist/scores.csv")

    with db.session(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "scores.export")).all()
    assert [(e.actor_id, e.target_type, e.target_id) for e in events] == [
        (manager.id, "campaign", str(review.id)),
    ]  # fmt: skip


# --- roles ------------------------------------------------------------------------------------

PAGES = ["/manage/shortlist", "/manage/shortlist/stages", "/manage/shortlist/scores.csv"]
POSTS = [
    "/manage/shortlist/decide",
    "/manage/shortlist/decisions/1/remove",
    "/manage/shortlist/finalists/1/withdraw",
]


@pytest.mark.parametrize("role", ["juror", "volunteer"])
def test_other_roles_get_403_and_change_nothing(client, engine, review, role):
    nominee = add_nominee(engine, review.id, "Awa Diallo")
    add_decision(engine, review.id, nominee, "finalist")
    make_user(engine, role, "staff@example.org")
    login(client, "staff@example.org", PASSWORD)
    before = _decisions(engine)
    form = {"nominee": str(nominee), "stage": "longlist", "justification": WHY, "reason": "x"}

    gets = [client.get(url).status_code for url in PAGES]
    posts = [post(client, url, form).status_code for url in POSTS]

    assert gets + posts == [403] * 6
    assert _decisions(engine) == before
    with db.session(engine) as s:
        assert (
            s.exec(select(AuditEvent.action).where(AuditEvent.action != "user.login")).all() == []
        )


def test_anonymous_visitor_is_sent_to_login(client, engine, review):
    responses = [client.get(url, follow_redirects=False) for url in PAGES]
    decide = post(client, "/manage/shortlist/decide", follow_redirects=False)

    assert [(r.status_code, r.headers["location"]) for r in responses] == [
        (303, f"/login?next={url}") for url in PAGES
    ]
    assert (decide.status_code, decide.headers["location"]) == (
        303, "/login?next=/manage/shortlist/decide",
    )  # fmt: skip
