"""Review to finalists: two jurors score, one recuses; the manager ranks and decides the stages."""

import random

from playwright.sync_api import expect
from sqlmodel import select

from campaign import db
from campaign.demo import MALI_REGIONS
from nominations import moderation
from shortlist import assignment, criteria, scoring
from shortlist.models import Assignment
from tests.browser.steps import sign_in
from tests.factories import make_campaign, make_nomination, make_user

FIRST = ["Awa", "Moussa", "Fanta", "Bakary", "Oumou", "Drissa", "Kadiatou", "Sékou", "Mariam",
         "Adama", "Salif", "Hawa"]  # fmt: skip
POSTS = ["Sage-femme", "Enseignant", "Douanier", "Juge", "Infirmière", "Commissaire de police",
         "Percepteur", "Directeur d'école", "Greffier", "Agent des eaux et forêts", "Médecin",
         "Inspecteur du travail"]  # fmt: skip


def _arrange(engine):
    campaign = make_campaign(engine, "review")
    manager = make_user(engine, "manager", "boss@example.org")
    jurors = [make_user(engine, "juror", f"juror{i}@example.org") for i in (1, 2)]
    volunteer = make_user(engine, "volunteer", "v@example.org")
    nominations = [
        make_nomination(engine, volunteer.id, nominee_name=f"{first} Diarra",
                        nominee_position=post, nominee_region=MALI_REGIONS[i],
                        nominee_gender="female" if i % 2 else "male")
        for i, (first, post) in enumerate(zip(FIRST, POSTS, strict=True))
    ]  # fmt: skip
    moderation.set_status(engine, manager.id, [n.id for n in nominations], "eligible", "")
    form = {"readings_per_nominee": "2", "blind_readings": "0", "longlist_size": "10",
            "shortlist_size": "8", "finalists": "5", "alternates": "3",
            "jury_picks_finalists": "on"}  # fmt: skip
    assignment.update_config(engine, manager.id, campaign.id, form)
    assignment.auto_assign(engine, manager.id, campaign.id)
    _, crits = criteria.load(engine, campaign.id)
    rng = random.Random(7)
    with db.session(engine) as s:
        readings = s.exec(select(Assignment).order_by(Assignment.id)).all()
    # Everything is scored already but the last two readings of each juror: the browser does those.
    for juror in jurors:
        mine = [r for r in readings if r.juror_id == juror.id]
        for r in mine[:-2]:
            for c in crits:
                scoring.save_score(engine, juror.id, r.id, c.id, str(rng.randint(2, 10)), None)
            scoring.submit(engine, juror.id, r.id)
    return campaign


def test_jurors_score_and_recuse_then_the_manager_picks_finalists_and_alternates(
    engine, live_server, browser
):
    _arrange(engine)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()

    sign_in(page, live_server, "juror1@example.org")
    expect(page.get_by_text("10 sur 12")).to_be_visible()
    page.get_by_role("link", name="Noter la personne suivante").click()
    for n, value in enumerate(("8", "7.5", "9", "6", "8")):
        field = page.locator("form.scoring input[type=number]").nth(n)
        field.fill(value)
        field.press("Tab")
        expect(page.locator("form.scoring .save-state").nth(n)).to_contain_text("Enregistré")
    first = page.get_by_role("heading", level=1).inner_text()
    # One action hands the reading in and opens the next one.
    page.get_by_role("button", name="Remettre et passer à la suivante").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(first)
    page.get_by_role("link", name="Retour à mes personnes nominées").click()
    expect(page.get_by_text("11 sur 12 remises")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    sign_in(page, live_server, "juror2@example.org")
    page.get_by_role("link", name="Noter la personne suivante").click()
    recused = page.get_by_role("heading", level=1).inner_text()
    page.get_by_label("Pourquoi (lu par les responsables de la campagne)").fill("C'est ma cousine.")
    page.get_by_role("button", name="Déclarer un conflit d'intérêts").click()
    expect(page).to_have_url(f"{live_server}/jury")
    expect(page.get_by_role("link", name=recused)).to_have_count(0)
    page.get_by_role("button", name="Se déconnecter").click()

    sign_in(page, live_server, "boss@example.org")
    page.goto(f"{live_server}/manage/shortlist")
    rows = page.locator("table.board tbody tr")
    expect(rows).to_have_count(12)

    def place(count, stage, skip=0):
        page.goto(f"{live_server}/manage/shortlist")
        boxes = page.locator("table.board tbody input[type=checkbox]")
        for i in range(skip, skip + count):
            boxes.nth(i).check()
        page.get_by_label("Étape", exact=True).last.select_option(stage)
        page.get_by_label("Justification (conservée avec la décision)").fill(
            "Classement normalisé du jury ; équilibre femmes-hommes et régions vérifié."
        )
        page.get_by_role("button", name="Placer les personnes cochées").click()

    place(10, "longlist")
    place(8, "shortlist")
    place(5, "finalist")
    place(3, "alternate", skip=5)
    page.goto(f"{live_server}/manage/shortlist/stages")
    main = page.get_by_role("main")
    for heading in ("Liste longue (10 sur 10)", "Présélection (8 sur 8)", "Finalistes (5 sur 5)",
                    "Suppléants (3 sur 3)"):  # fmt: skip
        expect(main.get_by_role("heading", name=heading)).to_be_visible()
    expect(
        page.get_by_role("button", name="Retirer et promouvoir la première personne suppléante")
    ).to_have_count(5)

    page.goto(f"{live_server}/manage/shortlist")
    with page.expect_download() as download:
        page.get_by_role("link", name="Toutes les notes (CSV)").click()
    content = download.value.path().read_bytes().decode("utf-8")
    assert content.startswith("\ufeff")
    assert content.count("juror1@example.org") == 12
    context.close()
