from playwright.sync_api import expect

from tests.browser.conftest import PAGE_BUDGET, PHONE, SCREENSHOTS, wire_bytes
from tests.factories import PASSWORD, make_campaign, make_user


def _sign_in(page, base):
    page.goto(f"{base}/login")
    page.get_by_label("Adresse e-mail").fill("boss@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_manager_changes_a_phase_date_and_sees_it_on_home_in_both_languages(
    engine, live_server, phone
):
    make_campaign(engine, "nominations")
    make_user(engine, "manager", "boss@example.org")
    page = phone.new_page()
    _sign_in(page, live_server)
    expect(page.get_by_role("heading", name="Paramètres de la campagne")).to_be_visible()

    page.get_by_label("Clôture des nominations").fill("2031-03-14T18:00")
    page.get_by_label("Début de l'examen par le jury").fill("2031-03-15T08:00")
    page.get_by_label("Fin de l'examen par le jury").fill("2031-04-15T18:00")
    page.get_by_label("Ouverture du vote").fill("2031-04-16T08:00")
    page.get_by_label("Clôture du vote").fill("2031-05-01T20:00")
    page.get_by_label("Publication des résultats").fill("2031-05-02T10:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Enregistré.")

    page.goto(live_server)
    timeline = page.get_by_role("list").filter(has_text="Nominations")
    expect(timeline).to_contain_text("au 14 mars 2031")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Key dates")).to_be_visible()
    expect(page.get_by_role("list").filter(has_text="Nominations")).to_contain_text(
        "to 14 March 2031"
    )
    # The choice is remembered on the next visit.
    page.goto(live_server)
    expect(page.get_by_role("heading", name="Key dates")).to_be_visible()


def test_settings_error_shows_in_place_with_htmx(engine, live_server, phone):
    make_campaign(engine, "nominations")
    make_user(engine, "manager", "boss@example.org")
    page = phone.new_page()
    _sign_in(page, live_server)
    page.get_by_label("Début de l'examen par le jury").fill("2000-01-01T08:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#review_start-error")).to_have_text(
        "Cette date doit suivre la précédente."
    )
    assert page.url == f"{live_server}/manage/campaign"


def test_login_and_settings_work_without_javascript(engine, browser, live_server):
    make_campaign(engine, "nominations")
    make_user(engine, "manager", "boss@example.org")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    _sign_in(page, live_server)
    page.get_by_label("Titre").fill("Integrity Icon Mali, édition spéciale")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Enregistré.")
    page.goto(live_server)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Integrity Icon Mali, édition spéciale"
    )
    context.close()


def test_home_page_weighs_under_budget_and_looks_right_at_phone_size(engine, live_server, phone):
    make_campaign(engine, "nominations")
    page = phone.new_page()
    total, fetched = wire_bytes(page, live_server)
    print(f"home page over the wire: {total} bytes for {fetched}")
    assert fetched == [
        f"{live_server}/{path}" for path in ("", "static/icon.svg", "static/site.css")
    ]
    assert 0 < total <= PAGE_BUDGET
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "home-fr-360.png", full_page=True)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Key dates")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "home-en-360.png", full_page=True)
    # Nothing is wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
