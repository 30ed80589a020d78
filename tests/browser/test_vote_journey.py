"""The public round: a web vote with the code from the outbox, the same phone refused by SMS,
and the manager's live count, close and result."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from campaign import db
from campaign.models import Campaign, SmsMessage
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.steps import SMS_SECRET, sms
from tests.factories import PASSWORD, make_campaign, make_nomination, make_user
from voting.models import Candidate, Round

NAMES = ["Aminata Goïta", "Moussa Traoré", "Fanta Keïta"]


def _arrange(engine):
    campaign = make_campaign(engine, "review")  # paper forms are still accepted
    make_user(engine, "manager", "boss@example.org")
    now = db.utcnow()
    nominees = [
        make_nomination(engine, nominee_name=name, nominee_region=region).nominee_id
        for name, region in zip(NAMES, ("Koulikoro", "Kayes", "Ségou"), strict=True)
    ]
    with db.session(engine) as s, s.begin():
        # Then the campaign moves on to its public vote.
        c = s.get(Campaign, campaign.id)
        c.review_end, c.voting_start = now - timedelta(days=2), now - timedelta(days=1)
        c.voting_end, c.results_at = now + timedelta(days=1), now + timedelta(days=2)
        r = Round(campaign_id=campaign.id, title="Vote du public : les finalistes",
                  opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=2),
                  seats=2, alternates=1, weight_jury=0, weight_web=50, weight_sms=50)  # fmt: skip
        s.add(r)
        s.flush()
        for number, (nominee_id, name) in enumerate(zip(nominees, NAMES, strict=True), 1):
            s.add(Candidate(round_id=r.id, number=number, nominee_id=nominee_id, name=name))
    return r.id


def test_web_vote_then_sms_refused_then_manager_closes_and_sees_the_result(
    engine, live_server_factory, browser
):
    round_id = _arrange(engine)
    base = live_server_factory({"ICON_SMS_SECRET": SMS_SECRET})
    voter = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = voter.new_page()
    page.goto(f"{base}/vote")
    expect(page.get_by_text("Aminata Goïta")).to_be_visible()
    page.get_by_label("Votre numéro de téléphone").fill("76 12 34 56")
    page.get_by_role("button", name="Envoyez-moi le code").click()
    with db.session(engine) as s:
        [message] = s.exec(select(SmsMessage)).all()
    code = message.body.split("code de vote est ")[1][:6]
    assert message.to == "+223 76 •• •• 56"
    page.get_by_label("Le code reçu").fill(code)
    page.get_by_role("radio", name="Moussa Traoré").check()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "vote-fr-360.png", full_page=True)
    page.get_by_role("button", name="Voter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci\u202f! Votre vote est compté.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    reply = sms(base, "+223 76 12 34 56", "ICON 1", "gw-1")
    assert reply == "Vous avez déjà voté pour ce tour. Votre premier vote est retenu."
    assert sms(base, "+223 66 00 00 01", "icon 3", "gw-2").startswith("Merci !")
    assert sms(base, "+223 66 00 00 02", "VOTE   2", "gw-3").startswith("Merci !")
    voter.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = desk.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Adresse e-mail").fill("boss@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{base}/manage/rounds/{round_id}")
    live = page.locator("#live tfoot")
    expect(live).to_contain_text("1")  # web
    expect(page.locator("#live tbody tr").nth(1)).to_contain_text("Moussa Traoré")
    expect(page.locator("#live tfoot td").nth(2)).to_have_text("3")
    page.get_by_role("button", name="Clore le tour maintenant").click()
    expect(page.get_by_role("status")).to_have_text("Le tour est clos.")
    result = page.locator("table").filter(has_text="Moussa Traoré").last
    expect(result.locator("tbody tr")).to_have_count(3)
    expect(result.locator("tbody tr").nth(0)).to_contain_text("Moussa Traoré")
    expect(result.locator("tbody tr").nth(1)).to_contain_text("Élu")
    expect(result.locator("tbody tr").nth(2)).to_contain_text("Aminata Goïta")
    expect(result.locator("tbody tr").nth(2)).to_contain_text("Suppléant")
    desk.close()
