import hashlib
import hmac
from urllib.parse import urlencode

from sqlmodel import select

from campaign import db
from campaign.models import InboundSms
from nominations.models import Nomination
from tests.factories import make_campaign

SECRET = "sms-test-secret"


def _post(client, data: dict, secret: str = SECRET, signature: str | None = None):
    body = urlencode(data).encode()
    sig = signature or "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Icon-Signature": sig}
    return client.post("/sms/inbound", content=body, headers=headers)


def _nominations(engine):
    with db.session(engine) as s:
        return list(s.exec(select(Nomination)))


def test_sms_nom_records_a_nomination_to_complete(client, engine, campaign):
    text = "NOM Aminata Goita, sage-femme, CSCOM Kalaban Coro"
    response = _post(client, {"from": "76 12 34 56", "text": text, "id": "gw-1"})
    [n] = _nominations(engine)
    code = f"{n.tracking_code[:4]}-{n.tracking_code[4:]}"
    assert (response.status_code, response.headers["content-type"]) == (
        200,
        "text/plain; charset=utf-8",
    )
    assert response.text == (
        f"Merci ! Nomination enregistrée, code {code}. Un bénévole vous rappellera. "
        "Suivez-la sur http://127.0.0.1:8000/track"
    )
    assert (n.channel, n.status, n.nominator_phone) == ("sms", "to_complete", "+22376123456")
    assert (n.nominee_name, n.nominee_position, n.nominee_institution) == (
        "Aminata Goita",
        "sage-femme",
        "CSCOM Kalaban Coro",
    )
    assert n.nominee_id is not None


def test_sms_retry_with_same_id_gets_same_reply_and_changes_nothing(client, engine, campaign):
    data = {"from": "+22376123456", "text": "nom Moussa Traoré, enseignant", "id": "gw-7"}
    first = _post(client, data)
    second = _post(client, data)
    assert (second.status_code, second.text) == (200, first.text)
    assert len(_nominations(engine)) == 1
    with db.session(engine) as s:
        assert len(s.exec(select(InboundSms)).all()) == 1


def test_sms_bad_or_missing_signature_is_403_and_changes_nothing(client, engine, campaign):
    data = {"from": "+22376123456", "text": "NOM Moussa Traoré", "id": "gw-8"}
    wrong_key = _post(client, data, secret="another secret")
    garbage = _post(client, data, signature="sha256=zz")
    body = urlencode(data).encode()
    missing = client.post(
        "/sms/inbound", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert [r.status_code for r in (wrong_key, garbage, missing)] == [403, 403, 403]
    assert _nominations(engine) == []
    with db.session(engine) as s:
        assert s.exec(select(InboundSms)).all() == []


def test_sms_signature_with_non_ascii_characters_is_403_and_changes_nothing(
    client, engine, campaign
):
    # hmac.compare_digest refuses a str with non-ASCII characters (TypeError): it answered 500.
    body = urlencode({"from": "+22376123456", "text": "NOM Moussa Traoré", "id": "gw-9"}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    answers = [
        client.post("/sms/inbound", content=body, headers=headers | {"X-Icon-Signature": sig})
        for sig in ("sha256=é".encode(), "sha256=\u2014".encode(), b"sha256=\xff" + b"0" * 63)
    ]
    assert [(r.status_code, r.text) for r in answers] == [(403, "invalid signature")] * 3
    assert _nominations(engine) == []
    with db.session(engine) as s:
        assert s.exec(select(InboundSms)).all() == []


def test_sms_signature_over_a_tampered_body_is_refused(client, engine, campaign):
    body = urlencode({"from": "+22376123456", "text": "NOM A"}).encode()
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    tampered = body.replace(b"NOM+A", b"NOM+B")
    response = client.post(
        "/sms/inbound",
        content=tampered,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Icon-Signature": sig},
    )
    assert response.status_code == 403
    assert _nominations(engine) == []


def test_sms_unknown_keyword_gets_help(client, engine, campaign):
    response = _post(client, {"from": "+22376123456", "text": "bonjour"})
    assert response.text == (
        "Pour proposer, envoyez NOM puis le nom, le poste et la ville de l'agent public. "
        "Pour voter, envoyez ICON puis le numéro du candidat."
    )
    assert _nominations(engine) == []


def test_sms_nom_when_closed_says_so(client, engine):
    make_campaign(engine, "voting")
    response = _post(client, {"from": "+22376123456", "text": "NOM Awa Diarra, juge"})
    assert response.text == "Les nominations sont closes."
    assert _nominations(engine) == []


def test_sms_unreadable_sender_changes_nothing(client, engine, campaign):
    response = _post(client, {"from": "abc", "text": "NOM Awa Diarra, juge"})
    assert response.text == "Nous n'avons pas pu lire votre numéro de téléphone."
    assert _nominations(engine) == []


def test_sms_limits_are_per_sender_not_per_gateway_address(client, engine, campaign):
    for i in range(5):
        _post(client, {"from": "+22376000001", "text": f"NOM Personne Numero{i}, juge"})
    limited = _post(client, {"from": "+22376000001", "text": "NOM Encore Une, juge"})
    other = _post(client, {"from": "+22376000002", "text": "NOM Autre Personne, juge"})
    assert limited.text == "Trop de nominations depuis ce numéro aujourd'hui. Réessayez demain."
    assert other.text.startswith("Merci !")
    assert len(_nominations(engine)) == 6
