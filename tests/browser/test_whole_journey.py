"""Issue 12, item 5: the whole journey in one browser test, from two nominations of one person
(on the web and by SMS, written differently) to a visitor on a 360x740 phone playing the winner's
Bambara spot. With ``ICON_JOURNEY_SHOTS=<dir>`` (``make journey-shots``) it also saves the
phone-size screenshots the README shows."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlmodel import col, select

from campaign import db
from campaign.models import SmsMessage
from nominations.models import Nomination
from profiles.demo import portrait
from tests.browser.conftest import PHONE
from tests.browser.steps import (
    SMS_SECRET,
    fill_nomination,
    page_width,
    publish_profile,
    publish_spot,
    shot,
    sign_in,
    sms,
    tap_play,
    tone,
)
from tests.factories import make_campaign, make_nomination, make_user, move_to_phase

WINNER = "Aminata Goïta"
OTHERS = [("Moussa Traoré", "Enseignant", "École fondamentale de Kita", "Kayes"),
          ("Fanta Keïta", "Infirmière", "Hôpital Nianankoro Fomba", "Ségou")]  # fmt: skip
# Each juror's marks for the five criteria, by nominee: the winner first on the board.
MARKS = {
    "juror1@example.org": {WINNER: "9", "Moussa Traoré": "7", "Fanta Keïta": "5"},
    "juror2@example.org": {WINNER: "8.5", "Moussa Traoré": "6", "Fanta Keïta": "6.5"},
}
SPOT = ("Bamanankan", "Aminata ka kuma", "Aw ni ce.\nAn bɛ fɔ Aminata ko la.")


def _sent_to(engine, masked: str) -> str:
    """The last SMS the outbox holds for a (masked) number."""
    with db.session(engine) as s:
        query = select(SmsMessage.body).where(SmsMessage.to == masked)
        return s.exec(query.order_by(col(SmsMessage.id).desc())).first()


def _vote_on_the_web(engine, page, base: str, phone: str, masked: str, choice: str, step=""):
    """A voter on the phone: the number, the code the SMS brings, a choice; the receipt."""
    page.goto(f"{base}/vote")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voter pour votre Integrity Icon")
    if step:
        shot(page, f"{step}-1-phone")
    page.get_by_label("Votre numéro de téléphone").fill(phone)
    page.get_by_role("button", name="Envoyez-moi le code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisissez le code et choisissez")
    code = re.search(r"code de vote est (\d{6})", _sent_to(engine, masked)).group(1)
    page.get_by_label("Le code reçu").press_sequentially(code)
    page.get_by_role("radio", name=re.compile(choice)).check()
    assert page_width(page) == PHONE["width"]
    if step:
        shot(page, f"{step}-2-code")
    page.get_by_role("button", name="Voter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci\u202f! Votre vote est compté.")
    assert page_width(page) == PHONE["width"]
    return page.locator(".code").inner_text()


def test_two_nominations_to_a_published_winner_whose_spot_plays_on_a_phone(
    engine, live_server_factory, browser, tmp_path
):
    campaign = make_campaign(engine, "nominations")
    make_user(engine, "manager", "boss@example.org")
    for email in MARKS:
        make_user(engine, "juror", email)
    volunteer = make_user(engine, "volunteer", "mariam@example.org")
    for name, post, where, region in OTHERS:  # paper forms entered earlier by a volunteer
        make_nomination(engine, volunteer.id, nominee_name=name, nominee_position=post,
                        nominee_institution=where, nominee_region=region)  # fmt: skip
    base = live_server_factory({"ICON_SMS_SECRET": SMS_SECRET, "ICON_SMS_NUMBER": "36 036"})
    visitor = browser.new_context(viewport=PHONE, locale="fr-FR")
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    manager = desk.new_page()

    # 1. A patient nominates her midwife on the web, from a phone, and tracks the nomination.
    page = visitor.new_page()
    page.goto(base)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot(page, "01-home")
    page.goto(f"{base}/nominate")
    fill_nomination(page, "Dr Aminata GOITA")
    assert page_width(page) == PHONE["width"]
    shot(page, "02-nominate")
    page.get_by_role("button", name="Envoyer la nomination").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Merci\u202f! Votre nomination est bien reçue."
    )
    web_code = page.locator(".code").inner_text()
    page.get_by_role("link", name="Suivre cette nomination").click()
    expect(page.get_by_role("status").locator("p")).to_have_text(
        [re.compile(r"^Reçue le \d{1,2} \S+ 20\d\d\.$"),
         "Reçue\u202f: l'équipe de la campagne va la vérifier."]
    )  # fmt: skip
    shot(page, "03-track")

    # 2. Her neighbour texts the same person, spelt another way.
    reply = sms(base, "+223 76 00 00 01", "NOM Aminata Goïta, sage femme, CSCOM Kalaban Coro", "n1")
    with db.session(engine) as s:
        by_sms = s.exec(select(Nomination).where(Nomination.channel == "sms")).one()
    sms_code = f"{by_sms.tracking_code[:4]}-{by_sms.tracking_code[4:]}"
    assert reply == (
        f"Merci ! Nomination enregistrée, code {sms_code}. Un bénévole vous rappellera. "
        f"Suivez-la sur {base}/track"
    )
    assert sms_code != web_code

    # 3. One nominee for both; the manager finds them together and makes everyone eligible.
    sign_in(manager, base, "boss@example.org")
    manager.goto(f"{base}/manage/nominations")
    expect(manager.get_by_text("4 nominations", exact=True).first).to_be_visible()
    manager.get_by_role("link", name="Dr Aminata GOITA").click()
    nominee = manager.get_by_role("main")
    expect(nominee).to_contain_text("Aminata Goïta")
    expect(nominee).to_contain_text("Dr Aminata GOITA")
    expect(nominee).to_contain_text("2 nominations")
    manager.goto(f"{base}/manage/nominations")
    for box in manager.locator("#bulk tbody input[type=checkbox]").all():
        box.check()
    manager.get_by_label("Nouvel état").select_option(label="Éligible")
    manager.get_by_role("button", name="Appliquer aux nominations choisies").click()
    expect(manager.get_by_role("status")).to_have_text("4 nominations mises à jour.")

    # 4. The review: two readings per nominee; the public vote picks the winner.
    move_to_phase(engine, campaign.id, "review")
    manager.goto(f"{base}/manage/review")
    for field, value in (("readings_per_nominee", "2"), ("blind_readings", "0"),
                         ("longlist_size", "3"), ("shortlist_size", "3"), ("finalists", "1"),
                         ("alternates", "0")):  # fmt: skip
        manager.locator(f"#{field}").fill(value)
    manager.get_by_label("Le jury choisit les finalistes").uncheck()
    manager.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(manager.get_by_role("status")).to_have_text("Enregistré.")
    manager.goto(f"{base}/manage/review/assignments")
    manager.get_by_role("button", name="Attribuer les lectures").click()
    expect(manager.get_by_role("status")).to_have_text(
        "Personnes éligibles : 3. Nouvelles lectures : 6, dont à l'aveugle : 0."
    )

    # 5. Two jurors, on their phones, score each nominee and hand each reading in.
    for email, marks in MARKS.items():
        context = browser.new_context(viewport=PHONE, locale="fr-FR")
        juror = context.new_page()
        sign_in(juror, base, email)
        expect(juror.get_by_text("0 sur 3 remises")).to_be_visible()
        juror.get_by_role("link", name="Noter la personne suivante").click()
        for _ in range(3):
            name = juror.get_by_role("heading", level=1).inner_text()
            fields = juror.locator("form.scoring input[type=number]")
            expect(fields).to_have_count(5)
            for n in range(5):
                fields.nth(n).fill(marks[name])
                fields.nth(n).press("Tab")
                expect(juror.locator("form.scoring .save-state").nth(n)).to_contain_text(
                    "Enregistré"
                )
            if name == WINNER and email.startswith("juror1"):
                shot(juror, "04-jury-reading", at="form.scoring")
            juror.get_by_role("button", name="Remettre et passer à la suivante").click()
            expect(juror.get_by_role("heading", level=1)).not_to_have_text(name)
        expect(juror).to_have_url(f"{base}/jury?done=1")
        expect(juror.get_by_text("3 sur 3 remises")).to_be_visible()
        assert page_width(juror) == PHONE["width"]
        if email.startswith("juror2"):
            shot(juror, "05-jury-board")
        context.close()

    # 6. The manager ranks them and puts all three on the shortlist.
    manager.goto(f"{base}/manage/shortlist")
    rows = manager.locator("table.board tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Aminata")
    for stage in ("longlist", "shortlist"):
        manager.goto(f"{base}/manage/shortlist")
        for box in manager.locator("table.board tbody input[type=checkbox]").all():
            box.check()
        manager.get_by_label("Étape", exact=True).last.select_option(stage)
        manager.get_by_label("Justification (conservée avec la décision)").fill(
            "Classement normalisé du jury ; les trois vont au vote du public."
        )
        manager.get_by_role("button", name="Placer les personnes cochées").click()
    manager.goto(f"{base}/manage/shortlist/stages")
    expect(manager.get_by_role("heading", name="Présélection (3 sur 3)")).to_be_visible()

    # 7. The vote opens: the manager makes the round and checks the names on the ballot.
    move_to_phase(engine, campaign.id, "voting")
    tz = ZoneInfo(campaign.timezone)
    now = db.utcnow().astimezone(tz)
    manager.goto(f"{base}/manage/rounds")
    form = manager.locator("#new-round")
    closes = now + timedelta(hours=2)
    for field, value in (("title", "Vote du public"), ("opens_at", f"{now:%Y-%m-%dT%H:%M}"),
                         ("closes_at", f"{closes:%Y-%m-%dT%H:%M}"), ("seats", "1"),
                         ("alternates", "0"), ("weight_jury", "50"), ("weight_web", "25"),
                         ("weight_sms", "25"), ("code_budget", "60")):  # fmt: skip
        form.locator(f"#{field}").fill(value)
    form.get_by_label("Web", exact=True).check()
    form.get_by_label("SMS", exact=True).check()
    form.get_by_role("button", name="Créer le tour").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Vote du public")
    round_url = manager.url
    ballot = manager.locator("ul.ballot-names input[name=name]")
    expect(ballot).to_have_count(3)
    # The ballot prints each nominee's name as grouping settled it, not a nominator's "GOITA".
    assert [ballot.nth(i).input_value() for i in range(3)] == [WINNER, "Moussa Traoré",
                                                              "Fanta Keïta"]  # fmt: skip

    # 8. Two voters on the web; a third texts, one of them texts again and is refused.
    page = visitor.new_page()
    receipt = _vote_on_the_web(engine, page, base, "76 12 34 56", "+223 76 •• •• 56", WINNER,
                               "06-vote")  # fmt: skip
    expect(page.get_by_text(f"Vous avez voté pour le numéro 1, {WINNER}.")).to_be_visible()
    shot(page, "07-vote-receipt")
    other = browser.new_context(viewport=PHONE, locale="fr-FR")
    _vote_on_the_web(engine, other.new_page(), base, "66 55 44 33", "+223 66 •• •• 33",
                     "Moussa Traoré")  # fmt: skip
    other.close()
    thanks = sms(base, "+223 70 00 00 01", "ICON 1", "v1")
    assert thanks.startswith(f"Merci ! Votre vote pour le numéro 1, {WINNER}")
    assert sms(base, "+223 70 00 00 02", "icon 3", "v2").startswith("Merci ! Votre vote pour le")
    refused = "Vous avez déjà voté pour ce tour. Votre premier vote est retenu."
    assert sms(base, "+223 76 12 34 56", "ICON 2", "v3") == refused  # voted on the web
    assert sms(base, "+22370000002", "ICON 1", "v4") == refused
    page.goto(f"{base}/vote/receipt")
    page.get_by_label("Votre reçu").fill(receipt)
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("status").locator("p")).to_have_text(
        re.compile(r"^Ce vote \(Vote du public\), du \d{1,2} \S+ 20\d\d, est compté\.$")
    )
    shot(page, "08-receipt-checked")

    # 9. The manager closes the round: the public's votes and the jury's give the winner.
    manager.goto(round_url)
    live = [manager.locator("#live tbody tr").nth(i).locator("td").all_inner_texts()
            for i in range(3)]  # fmt: skip
    assert live == [["1", WINNER, "1", "1", "2", "0"], ["2", "Moussa Traoré", "1", "0", "1", "0"],
                    ["3", "Fanta Keïta", "0", "1", "1", "0"]]  # fmt: skip
    assert manager.locator("#live tfoot td").all_inner_texts() == ["2", "2", "4", "0"]
    # On the manager's phone the live count's six columns fit, without scrolling sideways.
    manager.set_viewport_size(PHONE)
    table = (
        "e => { const t = e.closest('table') || e.querySelector('table');"
        " return [t.scrollWidth, t.clientWidth]; }"
    )
    assert manager.locator("#live table").first.evaluate(table) == [328, 328]
    manager.set_viewport_size({"width": 1280, "height": 900})
    manager.get_by_role("button", name="Clore le tour maintenant").click()
    expect(manager.get_by_role("status")).to_have_text("Le tour est clos.")
    result = manager.locator("table").filter(has_text="Score combiné").locator("tbody tr")
    expect(result).to_have_count(3)
    assert result.nth(0).locator("td").nth(2).inner_text() == WINNER
    assert result.nth(0).locator("td").nth(4).inner_text() == "Élu"
    shot(manager, "09-manager-round", at="#live")

    # 10. Results day: the manager publishes the winner's profile and a Bambara spot.
    move_to_phase(engine, campaign.id, "results")
    photo = tmp_path / "portrait.png"
    photo.write_bytes(portrait(WINNER, random.Random(12)))
    spot = tone(tmp_path / "bm.mp3", "sine=frequency=440:duration=3", "-b:a", "128k")
    slug = f"aminata-goita-{campaign.year}"
    publish_profile(manager, base, WINNER, slug, campaign.year, photo)
    spot_id = publish_spot(manager, base, WINNER, *SPOT, spot)

    # 11. A visitor on a small phone: the results, the finalists, the profile; she plays the spot.
    page = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    page.goto(f"{base}/results")
    expect(page.locator("ol.standings .name")).to_have_text([WINNER, "Moussa Traoré",
                                                             "Fanta Keïta"])  # fmt: skip
    expect(page.locator("ol.standings .outcome")).to_have_text(["Vainqueur"])
    # One vote is "1 vote" in French (0 and 1 take the singular).
    expect(page.locator("ol.standings .votes")).to_have_text([
        "2 votes : 1 sur le web, 1 par SMS", "1 vote : 1 sur le web, 0 par SMS",
        "1 vote : 0 sur le web, 1 par SMS",
    ])  # fmt: skip
    expect(page.get_by_text("4 votes comptés.")).to_be_visible()
    assert page_width(page) == PHONE["width"]
    shot(page, "10-results")
    page.goto(f"{base}/finalists")
    expect(page.get_by_role("link", name=re.compile(WINNER))).to_have_count(1)
    shot(page, "11-finalists")
    answers: dict[str, int] = {}
    page.on("response", lambda r: "/audio/" in r.url and answers.__setitem__(r.url, r.status))
    page.get_by_role("link", name=re.compile(WINNER)).click()
    expect(page).to_have_url(f"{base}/finalists/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(WINNER)
    spots = page.locator("li.spot")
    expect(spots).to_have_count(1)
    expect(spots.locator(".language")).to_have_text(SPOT[0])
    expect(spots.get_by_role("heading")).to_have_text(SPOT[1])
    tap_play(page, spots.locator("audio"))
    light = f"{base}/audio/{spot_id}/light.ogg"
    assert list(answers) == [light] and answers[light] in (200, 206)
    assert page_width(page) == PHONE["width"]
    shot(page, "12-finalist-profile")
    page.context.close()
    visitor.close()
    desk.close()
