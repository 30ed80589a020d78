"""Steps the browser journeys share: signing in, the public nomination form, a signed SMS
through the webhook, audio made with ffmpeg, a profile and a spot published through the
manager's pages, and phone-size screenshots for the README when ``ICON_JOURNEY_SHOTS`` is set."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import httpx
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.factories import PASSWORD

SMS_SECRET = "browser-sms-secret"
SHOT_BUDGET = 150 * 1024  # bytes per README screenshot
STORY = (
    "Elle accueille chaque patiente sans rien demander en plus du tarif affiché, et elle a "
    "refusé un cadeau pour passer quelqu'un avant les autres."
)


def sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def fill_nomination(page, name: str = "Dr Aminata GOITA") -> None:
    """The public form (French), complete and eligible, for a midwife of Kalaban Coro."""
    page.get_by_label("Nom complet").fill(name)
    page.get_by_label("une femme").check()
    page.get_by_label("Poste ou métier").fill("Sage-femme")
    page.get_by_label("Service ou institution").fill("CSCOM de Kalaban Coro")
    page.get_by_label("Région").select_option("Koulikoro")
    page.get_by_label("Racontez ce que cette personne a fait").fill(STORY)
    referees = page.locator(".referee")
    referees.nth(0).get_by_label("Nom", exact=True).fill("Oumou Diarra")
    referees.nth(0).get_by_label("Téléphone").fill("76 11 22 33")
    referees.nth(1).get_by_label("Nom", exact=True).fill("Bakary Koné")
    referees.nth(1).get_by_label("Téléphone").fill("66 11 22 33")
    page.get_by_label("Votre nom").fill("Fanta Traoré")
    page.get_by_label("Votre numéro de téléphone").fill("+223 66 12 34 56")
    page.get_by_label("Comment connaissez-vous cette personne\u202f?").fill("Patiente")
    page.get_by_role("radiogroup", name="Cette personne est-elle un fonctionnaire").get_by_label(
        "Oui"
    ).check()
    page.get_by_role("radiogroup", name="Cette personne est-elle un élu").get_by_label(
        "Non"
    ).check()
    page.get_by_label("J'accepte").check()


def sms(base: str, sender: str, text: str, gateway_id: str, secret: str = SMS_SECRET) -> str:
    """An inbound SMS as the gateway posts it (signed with ``ICON_SMS_SECRET``); the reply."""
    body = urlencode({"from": sender, "text": text, "id": gateway_id}).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Icon-Signature": signature}
    answer = httpx.post(f"{base}/sms/inbound", content=body, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.text


def portrait(path: Path) -> Path:
    """A photo-sized JPEG (800x1000)."""
    Image.linear_gradient("L").resize((800, 1000)).convert("RGB").save(path, "JPEG", quality=85)
    return path


def tone(path: Path, source: str, *codec: str) -> Path:
    """An audio file encoded by ffmpeg from a lavfi ``source`` (e.g. a 3 s sine)."""
    subprocess.run(["/usr/bin/ffmpeg", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", source, *codec, str(path)],
                   check=True, timeout=30)  # fmt: skip
    return path


def publish_profile(page, base: str, name: str, slug: str, year: int, photo: Path) -> None:
    """From /manage/profiles: the profile made from the nominee, a photo, published."""
    page.goto(f"{base}/manage/profiles")
    expect(page.get_by_role("heading", level=1)).to_have_text("Profils")
    page.get_by_role("button", name=f"Créer le profil de {name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_text(f"Brouillon · {year} · /finalists/{slug}")).to_be_visible()
    page.get_by_label("Nouvelle photo").set_input_files(photo)
    page.get_by_role("button", name="Envoyer la photo").click()
    expect(page.get_by_role("status")).to_have_text("La nouvelle photo est enregistrée.")
    expect(page.get_by_role("img", name="Photo actuelle")).to_be_visible()
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status")).to_have_text("Le profil est public.")
    expect(page.get_by_role("button", name="Dépublier")).to_be_visible()


def publish_spot(page, base: str, name: str, language: str, title: str, transcript: str,
                 audio: Path) -> int:  # fmt: skip
    """From /manage/spots: a spot uploaded for finalist ``name`` and published; its id."""
    page.goto(f"{base}/manage/spots")
    expect(page.get_by_role("heading", name="Ajouter un spot")).to_be_visible()
    page.get_by_label("Finaliste").select_option(label=name)
    page.get_by_label("Langue").select_option(label=language)
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Transcription").fill(transcript)
    page.get_by_label("Fichier audio").set_input_files(audio)
    page.get_by_role("button", name="Envoyer le spot").click()
    # The light version is made by ffmpeg before the answer: allow it a few seconds.
    expect(page.get_by_role("status")).to_have_text(
        "Le spot est enregistré comme brouillon.", timeout=20_000
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    spot_id = int(re.search(r"/manage/spots/(\d+)", page.url).group(1))
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status")).to_have_text("Enregistré.")
    expect(
        page.get_by_text("Publié\u202f: sur la page du finaliste et dans le flux podcast.")
    ).to_be_visible()
    return spot_id


def tap_play(page, player) -> None:
    """A real tap on the play button of Chromium's native audio controls (a user gesture, so
    no autoplay policy applies), then waits until the sound has played for 0.3 s."""
    player.evaluate("a => a.addEventListener('playing', () => { a.dataset.played = '1' })")
    player.scroll_into_view_if_needed()
    box = player.bounding_box()
    # The controls start with the round play button, as wide as the bar is high.
    page.mouse.click(box["x"] + box["height"] / 2, box["y"] + box["height"] / 2)
    expect(player).to_have_attribute("data-played", "1", timeout=10_000)
    page.wait_for_function("a => a.currentTime > 0.3", arg=player.element_handle(),
                           timeout=10_000)  # fmt: skip


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def shot(page, name: str, at: str = "") -> None:
    """With ``ICON_JOURNEY_SHOTS=<dir>``, ``<dir>/<name>.png``: what a 360x740 phone shows (the
    viewport, not the whole page, so that the README's pictures stay small), from the top or
    scrolled to the element ``at`` (a CSS selector)."""
    folder = os.environ.get("ICON_JOURNEY_SHOTS")
    if not folder:
        return
    size = page.viewport_size
    if size != PHONE:
        page.set_viewport_size(PHONE)
    Path(folder).mkdir(parents=True, exist_ok=True)
    if at:
        page.locator(at).first.evaluate("e => e.scrollIntoView()")
    else:
        page.evaluate("window.scrollTo(0, 0)")
    path = Path(folder) / f"{name}.png"
    page.screenshot(path=path, animations="disabled", caret="hide")
    if path.stat().st_size > SHOT_BUDGET:  # a photo on the page: a palette keeps it small
        Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)
    if size != PHONE:
        page.set_viewport_size(size)
