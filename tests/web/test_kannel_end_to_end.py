"""Phones -> fakesmsc -> bearerbox -> smsbox -> the site -> back to the phones, with Debian's
Kannel running deploy/kannel/kannel.conf; and the site's queue -> sendsms -> fakesmsc."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from sqlmodel import select

from campaign import db
from campaign.models import SmsMessage
from nominations.models import Nomination
from tests.conftest import SECRET
from tests.factories import PASSWORD, make_campaign, make_user
from tests.voting.test_ballot_box import ballots, make_round
from tests.web import kannel
from voting.models import Ballot

SMS_SECRET = "kannel-e2e-secret"
PHONES = [f"7601{i:04d}" for i in range(40)]
ALREADY = "Vous avez déjà voté pour ce tour. Votre premier vote est retenu."
THANKS = re.compile(
    r"^Merci ! Votre vote pour le numéro (\d), [^,]+, est compté\. Référence : \S+\.$"
)


@pytest.fixture
def rig(database_url, tmp_path):
    reason = kannel.missing()
    if reason:
        pytest.fail(reason)
    started = []
    site_port = kannel.free_port()  # Kannel needs the site's URL before the site needs Kannel's
    gateway = kannel.Kannel(f"http://127.0.0.1:{site_port}", SMS_SECRET, tmp_path)

    def start():
        site, base = kannel.start_site(
            database_url, SECRET, tmp_path,
            {
                "ICON_SMS_GATEWAY": "kannel", "ICON_SMS_BACKEND": "http",
                "ICON_SMS_SECRET": SMS_SECRET, "ICON_SMS_GATEWAY_URL": gateway.sendsms_url,
                "ICON_SMS_USERNAME": "icon", "ICON_SMS_API_KEY": kannel.SENDSMS_PASSWORD,
                "ICON_SMS_NUMBER": kannel.SHORT_CODE, "ICON_SMS_RATE": "200",
            },
            port=site_port,
        )  # fmt: skip
        started.append(site)
        phones = gateway.start()
        started.append(phones)
        return base, phones

    yield start
    for thing in reversed(started):
        thing.terminate() if hasattr(thing, "terminate") else thing.stop()
    gateway.stop()


def _replies_to(received, phone):
    return [text for to, text in received if to == phone]


def test_kannel_votes_replies_tracking_and_a_broadcast(rig, engine, tmp_path):
    campaign = make_campaign(engine)
    make_round(engine, campaign)
    make_user(engine, "manager", "boss@example.org")
    base, phones = rig()

    nominator, emoji_phone = "76990001", "76990002"
    phones.send(nominator, "NOM Awa Diallo, sage-femme, CSCOM de Sikasso")
    phones.send_ucs2(emoji_phone, "NOM Aïssata Maïga 🙏, infirmière, Gao")
    for i, phone in enumerate(PHONES):
        # National and international forms, as operators write them.
        phones.send(phone if i % 2 else f"223{phone}", f"ICON {i % 3 + 1}")
    phones.send(PHONES[1], "ICON 2")
    phones.send(PHONES[1], "vote 3")
    received = phones.wait_for(44, seconds=20)

    [nominated] = _replies_to(received, nominator)
    code = re.search(r"code (\w{4}-\w{4})", nominated).group(1)
    phones.send(nominator, f"SUIVI {code}")
    with httpx.Client(base_url=base) as manager:  # the manager's broadcast, as a browser posts
        manager.get("/login")
        token = manager.cookies["icon_csrf"]
        manager.post("/login", data={"csrf_token": token, "email": "boss@example.org",
                                     "password": PASSWORD})  # fmt: skip
        # Signed in, the session holds its own CSRF token: the form carries it.
        page = manager.get("/manage/sms").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        queued = manager.post("/manage/sms/broadcast", data={
            "csrf_token": token, "key": "e2ebroadcast01", "numbers": "76000001\n76000002",
            "text": "Ce soir a 20h, les resultats a la radio.",
        }, follow_redirects=False)  # fmt: skip
    assert queued.headers["location"] == "/manage/sms?sent=2"
    received = phones.wait_for(47, seconds=15)

    voters = {phone if i % 2 else f"223{phone}": i for i, phone in enumerate(PHONES)}
    assert len([to for to, _text in received if to in voters]) == 42
    for sender, i in voters.items():
        texts = _replies_to(received, sender)
        numbers = [THANKS.match(t).group(1) if THANKS.match(t) else t for t in texts]
        if i == 1:
            assert numbers == ["2", ALREADY, ALREADY]  # its first vote, ICON 2, stands
        else:
            assert numbers == [str(i % 3 + 1)]
    assert len(ballots(engine)) == 40
    [emoji_reply] = _replies_to(received, emoji_phone)
    assert emoji_reply.startswith("Merci ! Nomination enregistrée, code ")
    with db.session(engine) as s:
        names = set(s.exec(select(Nomination.nominee_name).where(Nomination.channel == "sms")))
    assert names == {"Awa Diallo", "Aïssata Maïga 🙏"}  # UCS-2 read back through mo-recode
    [tracked] = _replies_to(received, nominator)[1:]
    assert tracked == f"Nomination {code} : enregistrée, en attente d'examen."
    broadcast = [(to, t) for to, t in received if t.startswith("Ce soir")]
    assert sorted(broadcast) == [
        ("+22376000001", "Ce soir a 20h, les resultats a la radio."),
        ("+22376000002", "Ce soir a 20h, les resultats a la radio."),
    ]
    # fakesmsc reports delivery: the queue learns it through the dlr-url.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with db.session(engine) as s:
            statuses = s.exec(select(SmsMessage.status).where(SmsMessage.kind == "broadcast"))
            if list(statuses) == ["delivered", "delivered"]:
                break
        time.sleep(0.1)
    with db.session(engine) as s:
        assert list(s.exec(select(SmsMessage.status).where(SmsMessage.kind == "broadcast"))) == [
            "delivered",
            "delivered",
        ]
        assert len(s.exec(select(Ballot)).all()) == 40
    # The site's log names each request by its route, never by what Kannel's URL carries: the
    # secret, the senders' numbers and what they voted.
    log = (tmp_path / f"site-{base.rsplit(':', 1)[1]}.log").read_text()
    calls = re.findall(r'"(GET|POST) (/sms/\S+)" (\d{3}) [\d.]+ ms', log)
    assert {(m, route, status) for m, route, status in calls} >= {
        ("GET", "/sms/{name}/{token}", "200"),  # the votes, nominations and tracking
        ("GET", "/sms/{name}/{token}/dlr", "200"),  # the delivery reports
    }
    assert len([c for c in calls if c[1] == "/sms/{name}/{token}"]) == 44 + 1
    for secret in (SMS_SECRET, PHONES[0], PHONES[39], nominator, "ICON", "message="):
        assert secret not in log
