"""At 360x740 no public page and no step of the vote is wider than the screen (a page 30 px
wider hides the code box and the ballot's edge exactly where a voter types the SMS code), and
the form's radio buttons are thumb-sized."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from campaign import db
from campaign.models import SmsMessage
from nominations.models import Nominee
from profiles.models import Profile
from shortlist import decisions
from tests.browser.conftest import PHONE
from tests.browser.steps import sign_in
from tests.factories import make_campaign, make_nomination, make_user
from tests.shortlist.test_board import add_nominee
from voting.models import Candidate, Round

# Long words on purpose: institutions are often written in capitals, with no space to wrap at.
PEOPLE = [
    ("Aïcha Sidibé-Traoré", "Directrice d'école fondamentale", "ECOLE FONDAMENTALE DE BAROUELI"),
    ("Boubacar Diarra", "Secrétaire général de la mairie", "MAIRIEDELACOMMUNEURBAINE"),
]
PAGES = ["/", "/nominate", "/track", "/track?code=ABCD-2345", "/vote", "/vote/receipt",
         "/vote/receipt?code=ABCDE-23456", "/finalists", "/finalists/aicha-2026", "/results",
         "/stats", "/icons", "/login"]  # fmt: skip


def _arrange(engine) -> None:
    campaign = make_campaign(engine, "nominations")
    ids = [
        make_nomination(engine, nominee_name=name, nominee_position=post,
                        nominee_institution=place).nominee_id
        for name, post, place in PEOPLE
    ]  # fmt: skip
    now = db.utcnow()
    with db.session(engine) as s, s.begin():
        r = Round(campaign_id=campaign.id, title="Vote du public : l'Integrity Icon de l'année",
                  opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=2),
                  weight_jury=0, weight_web=50, weight_sms=50)  # fmt: skip
        s.add(r)
        s.flush()
        for number, (nominee_id, (name, _, _)) in enumerate(zip(ids, PEOPLE, strict=True), 1):
            s.add(Candidate(round_id=r.id, number=number, nominee_id=nominee_id, name=name))
        s.add(Profile(campaign_id=campaign.id, nominee_id=ids[0], slug="aicha-2026",
                      year=campaign.year, name=PEOPLE[0][0], position=PEOPLE[0][1],
                      institution=PEOPLE[0][2], status="published", published_at=now,
                      bio="Directrice depuis 2009."))  # fmt: skip


def _width(page) -> int:
    """The page's width, or more when a table scrolls inside it (a figure hidden off-screen)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll("
        "'table')].map(t => t.scrollWidth - t.clientWidth + innerWidth))"
    )


def test_every_public_page_and_vote_step_fits_a_360_px_phone(engine, live_server, phone):
    _arrange(engine)
    page = phone.new_page()
    widths = {}
    for path in PAGES:
        page.goto(live_server + path)
        widths[path] = _width(page)

    page.goto(f"{live_server}/vote")
    page.get_by_label("Votre numéro de téléphone").fill("76 12 34 56")
    page.get_by_role("button", name="Envoyez-moi le code").click()
    page.get_by_label("Le code reçu").wait_for()
    widths["vote: code and choice"] = _width(page)
    with db.session(engine) as s:
        body = s.exec(select(SmsMessage.body).order_by(SmsMessage.id.desc())).first()
    page.get_by_label("Le code reçu").fill(re.search(r"\b(\d{6})\b", body).group(1))
    page.locator("input[name=candidate]").first.check()
    page.get_by_role("button", name="Voter", exact=True).click()
    page.get_by_text("Merci\u202f! Votre vote est compté.").wait_for()
    widths["vote: receipt"] = _width(page)

    assert widths == dict.fromkeys(widths, PHONE["width"])


def test_nomination_radio_buttons_are_thumb_sized(engine, live_server, phone):
    make_campaign(engine, "nominations")
    page = phone.new_page()
    page.goto(f"{live_server}/nominate")

    boxes = page.locator("input[type=radio]").evaluate_all(
        "els => els.map(e => Math.min(e.getBoundingClientRect().width,"
        " e.getBoundingClientRect().height))"
    )

    assert len(boxes) == 6 and min(boxes) >= 24


def test_people_page_shows_each_accounts_button_on_a_360_px_phone(engine, live_server, phone):
    # Five columns pushed "Deactivate" past the screen's edge (353 to 439 px): on a phone a
    # manager could not see how to stop a juror's access without scrolling the table sideways.
    make_campaign(engine, "nominations")
    make_user(engine, "manager", "sita.sharma@example.org")
    make_user(engine, "juror", "ram.bahadur.thapa@example.org", name="Ram Bahadur Thapa")
    make_user(engine, "volunteer", "gita@example.org", name="गीता श्रेष्ठ")
    page = phone.new_page()
    sign_in(page, live_server, "sita.sharma@example.org")
    page.goto(f"{live_server}/manage/people")
    edges = page.evaluate(
        "[...document.querySelectorAll('table button')].map(b => b.getBoundingClientRect().right)"
    )
    assert len(edges) == 2
    assert [edge <= PHONE["width"] for edge in edges] == [True, True]
    assert _width(page) == PHONE["width"]


def test_stages_page_shows_each_change_form_on_a_360_px_phone(engine, live_server, phone):
    # Seven columns put every "Remove from this stage" field and button past the screen's
    # edge, and a long institution in capitals widened the table further.
    campaign = make_campaign(engine, "review")
    manager = make_user(engine, "manager", "sita.sharma@example.org")
    places = {"Bishnu Bahadur Khadka": "DISTRICTADMINISTRATIONOFFICESURKHET",
              "सीता देवी पौडेल": "पोखरा महानगरपालिका वडा नं. ८"}  # fmt: skip
    ids = [add_nominee(engine, campaign.id, name, region="Karnali") for name in places]
    with db.session(engine) as s, s.begin():
        for nominee_id, place in zip(ids, places.values(), strict=True):
            s.get(Nominee, nominee_id).institution = place
    decisions.decide(engine, manager.id, campaign.id, "longlist", ids, "Strong readings.")
    decisions.decide(engine, manager.id, campaign.id, "shortlist", ids, "Strong readings.")
    page = phone.new_page()
    sign_in(page, live_server, "sita.sharma@example.org")
    page.goto(f"{live_server}/manage/shortlist/stages")
    edges = page.evaluate(
        "[...document.querySelectorAll('table button, table input:not([type=hidden])')]"
        ".map(e => e.getBoundingClientRect().right)"
    )
    assert len(edges) == 8  # two stages, two nominees, a field and a button each
    assert [edge <= PHONE["width"] for edge in edges] == [True] * 8
    overflow = (
        "[...document.querySelectorAll('table.stages')].map(t => t.scrollWidth - t.clientWidth)"
    )
    assert page.evaluate(overflow) == [0, 0]  # the balance table above may scroll: it has no form
