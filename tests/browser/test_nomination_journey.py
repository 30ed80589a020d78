from playwright.sync_api import expect

from tests.browser.conftest import PAGE_BUDGET, PHONE, SCREENSHOTS, wire_bytes
from tests.browser.steps import STORY, fill_nomination
from tests.factories import make_campaign


def test_public_nominates_on_a_phone_gets_a_code_and_tracks_it(engine, live_server, phone):
    make_campaign(engine, "nominations")
    page = phone.new_page()
    page.goto(f"{live_server}/nominate")
    # Inline validation: a wrong answer is explained before submitting.
    page.get_by_role("radiogroup", name="Cette personne est-elle un élu").get_by_label(
        "Oui"
    ).check()
    expect(page.locator("#eligibility_elected-error")).to_contain_text("Les élus ne peuvent pas")
    fill_nomination(page)
    expect(page.locator("#eligibility_elected-error")).to_be_empty()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "nominate-fr-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Envoyer la nomination").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Merci\u202f! Votre nomination est bien reçue."
    )
    code = page.locator(".code").inner_text()
    assert len(code) == 9 and code[4] == "-"
    page.get_by_role("link", name="Suivre cette nomination").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Reçue\u202f: l'équipe de la campagne va la vérifier."
    )
    # The draft is forgotten once the nomination is received.
    page.goto(f"{live_server}/nominate")
    expect(page.get_by_label("Nom complet")).to_have_value("")


def test_nomination_draft_survives_a_dropped_connection(engine, live_server, phone):
    make_campaign(engine, "nominations")
    page = phone.new_page()
    page.goto(f"{live_server}/nominate")
    page.get_by_label("Nom complet").fill("Moussa Traoré")
    page.get_by_label("Poste ou métier").fill("Enseignant")
    page.context.set_offline(True)
    page.get_by_role("button", name="Envoyer la nomination").click()
    page.context.set_offline(False)
    page.goto(f"{live_server}/nominate")
    expect(page.get_by_label("Nom complet")).to_have_value("Moussa Traoré")
    expect(page.get_by_label("Poste ou métier")).to_have_value("Enseignant")


def test_nominate_works_without_javascript(engine, browser, live_server):
    make_campaign(engine, "nominations")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server}/nominate")
    page.get_by_label("Nom complet").fill("Awa Keita")
    page.get_by_role("button", name="Envoyer la nomination").click()
    expect(page.get_by_role("alert")).to_contain_text("Certains champs sont à corriger.")
    expect(page.get_by_label("Nom complet")).to_have_value("Awa Keita")
    fill_nomination(page)
    page.get_by_role("button", name="Envoyer la nomination").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Merci\u202f! Votre nomination est bien reçue."
    )
    context.close()


def test_nominate_page_weighs_under_budget(engine, live_server, phone):
    make_campaign(engine, "nominations")
    page = phone.new_page()
    total, fetched = wire_bytes(page, f"{live_server}/nominate")
    print(f"nomination form over the wire: {total} bytes for {fetched}")
    assert len(fetched) == 6  # page, favicon, css, htmx, app.js, nominate.js
    assert 0 < total <= PAGE_BUDGET


def test_volunteer_paper_form_and_web_nomination_meet_under_one_nominee(
    engine, live_server, phone, browser
):
    from tests.factories import PASSWORD, make_user

    make_campaign(engine, "nominations")
    make_user(engine, "volunteer", "mariam@example.org")
    make_user(engine, "manager", "boss@example.org")
    public = phone.new_page()
    public.goto(f"{live_server}/nominate")
    fill_nomination(public)
    public.get_by_role("button", name="Envoyer la nomination").click()
    expect(public.get_by_role("heading", level=1)).to_contain_text("Merci !")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = desk.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse e-mail").fill("mariam@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Saisir un formulaire papier")).to_be_visible()
    expect(page.get_by_label("Numéro du formulaire")).to_be_focused()
    page.keyboard.type("ML-00042")
    page.get_by_label("Nom complet").fill("Goïta Aminata")
    page.get_by_label("Genre").select_option("female")
    page.get_by_label("Poste ou métier").fill("sage femme")
    page.get_by_label("Service ou institution").fill(
        "Centre de santé communautaire de Kalaban Coro"
    )
    page.get_by_label("Région").select_option("Koulikoro")
    page.get_by_label("Qu'a-t-elle fait\u202f?").fill(STORY)
    page.locator("#referee1_name").fill("Awa Sangaré")
    page.locator("#referee1_phone").fill("76 55 44 33")
    page.locator("#referee2_name").fill("Issa Coulibaly")
    page.locator("#referee2_phone").fill("66 55 44 33")
    page.locator("#nominator_name").fill("Seydou Keïta")
    page.locator("#nominator_phone").fill("79 12 12 12")
    page.get_by_label("Comment connaissez-vous cette personne\u202f?").fill("Voisin")
    page.locator("#eligibility_serving").select_option("yes")
    page.locator("#eligibility_elected").select_option("no")
    page.locator("#consent").check()
    page.get_by_role("button", name="Enregistrer le formulaire").click()
    expect(page.get_by_role("status")).to_contain_text("Enregistré\u202f: formulaire ML-00042")
    page.get_by_role("button", name="Se déconnecter").click()

    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse e-mail").fill("boss@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server}/manage/nominations")
    expect(page.get_by_text("2 nominations", exact=True).first).to_be_visible()
    page.get_by_role("link", name="Dr Aminata GOITA").click()
    nominee = page.get_by_role("main")
    expect(nominee).to_contain_text("Goïta Aminata")
    expect(nominee).to_contain_text("Dr Aminata GOITA")
    expect(nominee).to_contain_text("ML-00042")
    desk.close()
