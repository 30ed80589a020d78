"""A real campaign from a fresh install: the setup link from the server's output, the first
manager, Nepal 2027 from its presets, a nomination and a vote code with Nepali numbers, then the
2028 edition started from 2027, whose published winner shows on /icons under 2027."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlmodel import select

from campaign import db
from campaign.models import Campaign, SmsMessage
from nominations.models import Nominee
from profiles import editing
from shortlist.models import Decision
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.profiles.helpers import published
from voting.models import Candidate, Round

STORY = (
    "She serves every patient in turn at the health post and refused money offered to let "
    "someone jump the queue, in front of everyone waiting."
)
PASSWORD = "a long password for Kathmandu"


def _setup_link(tmp_path) -> str:
    [log] = tmp_path.glob("server-*.log")
    found = re.search(r"(http://\S+/setup/\S+)", log.read_text())
    assert found, log.read_text()
    return found.group(1)


def _local(value, tz="Asia/Kathmandu") -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


def _nominate(page):
    page.get_by_label("Full name").fill("Sita Gurung")
    page.get_by_label("a woman").check()
    page.get_by_label("Post or job").fill("Health assistant")
    page.get_by_label("Service or institution").fill("Health post of Dhulikhel")
    page.get_by_label("Region").select_option("Bagmati")
    page.get_by_label("Tell us what this person did").fill(STORY)
    referees = page.locator(".referee")
    referees.nth(0).get_by_label("Name", exact=True).fill("Ram Thapa")
    referees.nth(0).get_by_label("Phone").fill("9841234567")
    referees.nth(1).get_by_label("Name", exact=True).fill("Maya Rai")
    referees.nth(1).get_by_label("Phone").fill("01-4412345")
    page.get_by_label("Your name").fill("Hari Shrestha")
    page.get_by_label("Your phone number").fill("984-1234568")
    page.get_by_label("How do you know this person?").fill("Patient")
    page.get_by_role("radiogroup", name="Is this person a serving").get_by_label("Yes").check()
    page.get_by_role("radiogroup", name="Is this person an elected").get_by_label("No").check()
    page.get_by_label("I agree").check()


def test_fresh_install_to_nepal_2027_then_2028(engine, live_server_factory, browser, tmp_path):
    base = live_server_factory()
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    manager = desk.new_page()
    manager.goto(_setup_link(tmp_path))
    manager.get_by_label("Email").fill("sita@example.org")
    manager.get_by_label("Password", exact=True).fill(PASSWORD)
    manager.get_by_label("The same password again").fill(PASSWORD)
    manager.get_by_label("Country").select_option("NP")
    manager.get_by_label("Year").fill("2027")
    manager.get_by_role("button", name="Create the account and the edition").click()
    expect(manager.get_by_role("status")).to_contain_text("The site is set up.")
    expect(manager.get_by_text("Times are in Asia/Kathmandu.")).to_be_visible()
    expect(manager.get_by_label("Regions, one per line")).to_have_value(
        "Bagmati\nGandaki\nKarnali\nKoshi\nLumbini\nMadhesh\nSudurpashchim"
    )
    expect(manager.get_by_label("Time zone")).to_have_value("Asia/Kathmandu")
    # Open nominations now (the presets put them on 1 March 2027).
    now = db.utcnow()
    days = {"nominations_start": -1, "nominations_end": 10, "review_start": 11, "review_end": 20,
            "voting_start": 21, "voting_end": 30, "results_at": 31}  # fmt: skip
    for name, offset in days.items():
        manager.locator(f"#{name}").fill(_local(now + timedelta(days=offset)))
    manager.get_by_role("button", name="Save", exact=True).click()
    expect(manager.get_by_role("status")).to_have_text("Saved.")

    public = browser.new_context(viewport=PHONE, locale="en-GB")
    page = public.new_page()
    page.goto(f"{base}/nominate")
    expect(page.get_by_label("Region").locator("option")).to_have_count(8)  # and "Choose"
    _nominate(page)
    page.get_by_role("button", name="Send the nomination").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you! Your nomination is received."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    with db.session(engine) as s, s.begin():
        campaign = s.exec(select(Campaign)).one()
        nominee = s.exec(select(Nominee)).one()
        r = Round(campaign_id=campaign.id, title="Public vote", opens_at=now - timedelta(hours=1),
                  closes_at=now + timedelta(hours=2), seats=1, weight_jury=0)  # fmt: skip
        s.add(r)
        s.flush()
        s.add(Candidate(round_id=r.id, number=1, nominee_id=nominee.id, name=nominee.name))
        round_id = r.id
    page.goto(f"{base}/vote")
    page.get_by_label("Your phone number").fill("984-1234567")
    page.get_by_role("button", name="Send me the code").click()
    expect(page.get_by_text("We sent a 6-digit code by SMS to +977 •••• 67.")).to_be_visible()
    with db.session(engine) as s:
        # The nominator's tracking code, then the voter's code: both read as Nepali numbers
        # (stored masked, in Nepal's own grouping).
        sent = s.exec(select(SmsMessage.to).order_by(SmsMessage.id)).all()
    assert sent == ["+977 984-•••••68", "+977 984-•••••67"]

    # The 2027 edition ends: its round closes and its winner's profile is published.
    with db.session(engine) as s, s.begin():
        s.get(Round, round_id).closed_at = db.utcnow()
        s.add(Decision(campaign_id=campaign.id, nominee_id=nominee.id, stage="finalist",
                       position=1, justification="jury"))  # fmt: skip
    manager_id = 1
    profile = editing.create_from_nominee(engine, manager_id, campaign.id, nominee.id)
    published(engine, manager_id, profile, distinction="winner")

    manager.goto(f"{base}/manage/editions")
    manager.get_by_role("button", name="New edition 2028").click()
    expect(manager.get_by_role("status")).to_contain_text("The 2028 edition has started.")
    expect(
        manager.get_by_role("row", name=re.compile("2027 Integrity Icon Nepal 2027"))
    ).to_contain_text("Archived")

    page.goto(f"{base}/icons")
    year = page.get_by_role("heading", name="2027")
    expect(year).to_be_visible()
    expect(page.get_by_text("Sita Gurung")).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "icons-after-2028-en-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"{base}/finalists")
    expect(page.get_by_role("navigation", name="Editions")).to_contain_text("2028 2027")
    desk.close()
    public.close()
