"""Urdu at phone size: the page reads right to left, nothing is wider than the screen, and it
stays under the page budget (screenshots in screenshots/)."""

from datetime import timedelta

from playwright.sync_api import expect

from campaign import db
from campaign.models import Campaign
from tests.browser.conftest import PAGE_BUDGET, PHONE, SCREENSHOTS, wire_bytes
from tests.factories import make_campaign, make_nomination
from voting.models import Candidate, Round

# Long names and posts, as a Pakistani ballot has them, to catch overflow.
CANDIDATES = [
    ("ڈاکٹر ثمینہ رفیق چودھری", "ڈسٹرکٹ ہیڈکوارٹر ہسپتال، ڈیرہ غازی خان"),
    ("محمد عبدالرحمٰن خان", "اسسٹنٹ کمشنر، تحصیل میونسپل ایڈمنسٹریشن"),
]


def _arrange(engine):
    campaign = make_campaign(engine, "review")
    now = db.utcnow()
    nominees = [
        make_nomination(engine, nominee_name=name, nominee_position=post).nominee_id
        for name, post in CANDIDATES
    ]
    with db.session(engine) as s, s.begin():
        c = s.get(Campaign, campaign.id)
        c.review_end, c.voting_start = now - timedelta(days=2), now - timedelta(days=1)
        c.voting_end, c.results_at = now + timedelta(days=1), now + timedelta(days=2)
        r = Round(campaign_id=campaign.id, title="عوامی ووٹ: سال کا انٹیگریٹی آئیکن",
                  opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=2),
                  seats=1, alternates=0, weight_jury=0, weight_web=50, weight_sms=50)  # fmt: skip
        s.add(r)
        s.flush()
        for number, (nominee_id, (name, _post)) in enumerate(
            zip(nominees, CANDIDATES, strict=True), 1
        ):
            s.add(Candidate(round_id=r.id, number=number, nominee_id=nominee_id, name=name))


def test_urdu_home_and_vote_read_right_to_left_without_sideways_scrolling(
    engine, live_server, browser
):
    _arrange(engine)
    context = browser.new_context(viewport=PHONE, locale="ur-PK")  # Accept-Language: ur-PK
    page = context.new_page()
    SCREENSHOTS.mkdir(exist_ok=True)
    for path, name in (("/", "home"), ("/vote", "vote")):
        total, _fetched = wire_bytes(page, f"{live_server}{path}")
        print(f"{path} in Urdu over the wire: {total} bytes")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "ur")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert 0 < total <= PAGE_BUDGET
        page.screenshot(path=SCREENSHOTS / f"{name}-ur-360.png", full_page=True)
    # Mirrored: the ballot number starts each card on the right, the phone number reads ltr.
    card = page.locator(".candidate").first.bounding_box()
    number = page.locator(".ballot-number").first.bounding_box()
    assert number["x"] > card["x"] + card["width"] / 2
    expect(page.get_by_label("آپ کا فون نمبر")).to_have_attribute("dir", "ltr")
    context.close()
