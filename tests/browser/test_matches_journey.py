"""A manager answers the probable-match queue; a regroup keeps both answers."""

from playwright.sync_api import expect
from sqlmodel import select

from campaign import db
from nominations.models import Nomination
from tests.factories import PASSWORD, make_campaign, make_nomination, make_user

BANCONI = {"nominee_institution": "CSCOM de Banconi", "nominee_region": "District de Bamako"}
KATI = {"nominee_institution": "CSCOM de Kati", "nominee_region": "Koulikoro"}


def test_manager_merges_one_match_marks_another_different_and_regroup_keeps_both(
    engine, live_server, browser
):
    make_campaign(engine, "nominations")
    make_user(engine, "manager", "boss@example.org")
    people = [
        ("Moussa Traoré", "Infirmier", BANCONI),
        ("Moussa Tarawele", "Médecin", BANCONI),
        ("Fatoumata Koné", "Sage-femme", KATI),
        ("Fatim Koné", "Matrone", KATI),
    ]
    a, b, c, d = (
        make_nomination(engine, nominee_name=name, nominee_position=post, **where)
        for name, post, where in people
    )
    desk = browser.new_context(locale="fr-FR")
    page = desk.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse e-mail").fill("boss@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(f"{live_server}/manage/nominees")
    page.get_by_role("link", name="Peut-être la même personne").click()
    pair = page.get_by_role("region", name="Moussa Traoré / Moussa Tarawele")
    pair.get_by_role("button", name="Même personne\u202f: fusionner").click()
    expect(page.get_by_role("status")).to_have_text("Fusionnées.")
    pair = page.get_by_role("region", name="Fatoumata Koné / Fatim Koné")
    pair.get_by_role("button", name="Personnes différentes").click()
    expect(page.get_by_role("status")).to_have_text("Gardées séparées.")
    expect(page.get_by_role("region")).to_have_count(0)
    page.goto(f"{live_server}/manage/nominations")
    page.get_by_role("button", name="Vérifier à nouveau le regroupement").click()
    expect(page.get_by_role("status")).to_contain_text("Regroupement vérifié")
    page.goto(f"{live_server}/manage/nominees/matches")
    expect(page.get_by_role("main")).to_contain_text("Aucun.")
    desk.close()

    with db.session(engine) as s:
        placement = dict(s.exec(select(Nomination.id, Nomination.nominee_id)).all())
    assert placement[a.id] == placement[b.id]
    assert placement[c.id] != placement[d.id]
