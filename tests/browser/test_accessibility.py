"""axe-core (pinned in package.json, installed by `make axe`) on the public pages in French and
English, the vote's steps, the juror's board and reading page and the managers' main pages: no
serious or critical violation. Then a vote and a juror's scoring done with the keyboard alone.

The site's Content-Security-Policy allows only its own scripts; the tests inject axe through
the browser's protocol (an init script), which the page's CSP does not govern."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from campaign import db
from campaign.models import SmsMessage
from profiles.models import Profile
from shortlist import criteria
from shortlist.models import Assignment
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD, make_campaign, make_user
from tests.shortlist.test_scoring import assign, eligible_nominees
from voting.models import Ballot, Candidate, Round

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PUBLIC = ["/", "/nominate", "/track", "/track?code=ABCD-2345", "/vote", "/vote/receipt",
          "/vote/receipt?code=ABCDE-23456", "/finalists", "/finalists/p-2026", "/results",
          "/stats", "/icons", "/login"]  # fmt: skip
MANAGER = ["/manage/nominations", "/manage/nominees", "/manage/stats", "/manage/review",
           "/manage/review/assignments", "/manage/shortlist", "/manage/shortlist/stages",
           "/manage/rounds", "/manage/rounds/{round}", "/manage/rounds/{round}/fraud",
           "/manage/profiles", "/manage/spots", "/manage/campaign", "/manage/people",
           "/manage/audit", "/manage/entry"]  # fmt: skip
SERIOUS = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))"""


def _arrange(engine) -> dict:
    """A review under way (a juror with readings) while a round is open, a published profile."""
    campaign = make_campaign(engine, "nominations")
    ids = eligible_nominees(engine, 3)
    with db.session(engine) as s, s.begin():
        c = s.get(type(campaign), campaign.id)
        now = db.utcnow()
        c.nominations_end, c.review_start = now - timedelta(days=2), now - timedelta(days=1)
        c.review_end, c.voting_start = now + timedelta(days=5), now + timedelta(days=6)
        c.voting_end, c.results_at = now + timedelta(days=9), now + timedelta(days=10)
        criteria.ensure_defaults(s, campaign.id)
        r = Round(campaign_id=campaign.id, title="Vote du public", weight_jury=0, weight_web=50,
                  weight_sms=50, opens_at=now - timedelta(hours=1),
                  closes_at=now + timedelta(hours=2))  # fmt: skip
        s.add(r)
        s.flush()
        for number, nominee_id in enumerate(ids, 1):
            s.add(Candidate(round_id=r.id, number=number, nominee_id=nominee_id,
                            name=f"Candidat {number}"))  # fmt: skip
        s.add(Profile(campaign_id=campaign.id, nominee_id=ids[0], slug="p-2026", year=c.year,
                      name="Candidat 1", status="published", published_at=now,
                      bio="Sage-femme depuis 2009."))  # fmt: skip
    make_user(engine, "manager", "boss@example.org")
    juror = make_user(engine, "juror", "juror@example.org")
    readings = [assign(engine, campaign.id, i, juror.id) for i in ids[:2]]
    return {"round": r.id, "readings": readings}


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.stack button").click()
    page.wait_for_load_state()


@pytest.fixture
def axe_context(browser):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make axe` (make test does).")
    made = []

    def new(locale: str):
        context = browser.new_context(viewport=PHONE, locale=locale)
        context.add_init_script(path=str(AXE))
        made.append(context)
        return context

    yield new
    for context in made:
        context.close()


def test_no_serious_or_critical_axe_violation_on_the_main_pages(engine, live_server, axe_context):
    arranged = _arrange(engine)
    found: dict[str, list[str]] = {}

    def check(page, label: str) -> None:
        page.wait_for_load_state()
        violations = page.evaluate(SERIOUS)
        if violations:
            found[label] = violations

    for locale in ("fr-FR", "en-GB"):
        page = axe_context(locale).new_page()
        for path in PUBLIC:
            page.goto(live_server + path)
            check(page, f"{locale} {path}")
    page = axe_context("fr-FR").new_page()
    page.goto(f"{live_server}/vote")
    page.locator("#phone").fill("76 12 34 56")
    page.locator("form[action='/vote/code'] button").click()
    check(page, "vote: code and choice")

    juror = axe_context("fr-FR").new_page()
    _sign_in(juror, live_server, "juror@example.org")
    for path in ("/jury", f"/jury/readings/{arranged['readings'][0]}"):
        juror.goto(live_server + path)
        check(juror, path)
    manager = axe_context("fr-FR").new_page()
    _sign_in(manager, live_server, "boss@example.org")
    for path in MANAGER:
        manager.goto(live_server + path.format(round=arranged["round"]))
        check(manager, path)

    assert found == {}


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_vote_and_scoring_with_the_keyboard_alone(engine, live_server, browser):
    arranged = _arrange(engine)
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()

    page.goto(f"{live_server}/vote")
    _tab_to(page, "#phone")
    page.keyboard.type("76 12 34 56")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/vote/code")
    with db.session(engine) as s:
        body = s.exec(select(SmsMessage.body).order_by(SmsMessage.id.desc())).first()
    _tab_to(page, "#code")
    page.keyboard.type(re.search(r"\b(\d{6})\b", body).group(1))
    _tab_to(page, "input[name=candidate]")
    page.keyboard.press("ArrowDown")  # the second candidate
    _tab_to(page, "form[action='/vote'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/vote/counted")

    page.goto(f"{live_server}/login")
    _tab_to(page, "#email")
    page.keyboard.type("juror@example.org")
    _tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/jury"))
    page.goto(f"{live_server}/jury")
    _tab_to(page, "a[href='/jury/next']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/jury/readings/\d+$"))
    for value in ("8", "7", "9", "6", "8"):
        _tab_to(page, "form.scoring input[type=number]:placeholder-shown, "
                "form.scoring input[type=number][value='']")  # fmt: skip
        page.keyboard.type(value)
    _tab_to(page, "button[value=submit_next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/jury/readings/{arranged['readings'][1]}$"))
    context.close()

    with db.session(engine) as s:
        votes = s.exec(select(Candidate.number).join(Ballot, Ballot.candidate_id == Candidate.id))
        statuses = s.exec(select(Assignment.status).order_by(Assignment.id)).all()
        assert (list(votes), statuses) == ([2], ["submitted", "assigned"])
