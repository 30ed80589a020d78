import re
import time

from itsdangerous import URLSafeTimedSerializer
from sqlmodel import select

from campaign import db, people
from campaign.models import AuditEvent, User
from tests.conftest import SECRET, login, post, text_of
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new passphrase"


def _invite(client, engine, email="new@example.org", role="juror"):
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    response = post(client, "/manage/people/invite", {"email": email, "role": role, "name": "Awa"})
    link = re.search(r'value="http://127\.0\.0\.1:8000(/invitation/[^"]+)"', response.text).group(1)
    post(client, "/logout")
    return link


def test_manager_invites_and_the_invitee_sets_a_password_then_signs_in(client, engine, campaign):
    link = _invite(client, engine)
    form = client.get(link)
    done = post(
        client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=False
    )
    assert "Bienvenue, new@example.org." in text_of(form.text)
    assert (done.status_code, done.headers["location"]) == (303, "/jury")
    post(client, "/logout")
    assert login(client, "new@example.org", NEW_PASSWORD).headers["location"] == "/jury"
    with db.session(engine) as s:
        actions = s.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.login", "user.invite", "user.logout", "user.set_password",
                       "user.logout", "user.login"]  # fmt: skip


def test_invitation_reused_is_refused(client, engine, campaign):
    link = _invite(client, engine)
    post(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    post(client, "/logout")
    again = post(client, link, {"password": "another passphrase", "confirm": "another passphrase"})
    assert again.status_code == 400
    assert "Cette invitation a déjà été utilisée." in text_of(again.text)
    assert login(client, "new@example.org", "another passphrase").status_code == 400


def test_invitation_expired_is_refused(client, engine, campaign, monkeypatch):
    link = _invite(client, engine)
    later = time.time() + people.INVITATION_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get(link)
    assert response.status_code == 400
    assert "Cette invitation a expiré." in text_of(response.text)


def test_invitation_with_bad_signature_is_refused(client, engine, campaign):
    link = _invite(client, engine)
    response = client.get(link[:-3] + "AAA")
    assert response.status_code == 400
    assert "Ce lien d'invitation n'est pas valide." in text_of(response.text)


def test_invitation_signed_with_another_key_is_refused(client, engine, campaign):
    user = make_user(engine, "juror", "j@example.org", password=None, invite_nonce="n")
    claims = {"uid": user.id, "n": "n"}
    forged = URLSafeTimedSerializer("another key", salt="icon-invitation").dumps(claims)
    genuine = URLSafeTimedSerializer(SECRET, salt="icon-invitation").dumps(claims)
    assert client.get(f"/invitation/{forged}").status_code == 400
    assert client.get(f"/invitation/{genuine}").status_code == 200


def test_invitation_password_mismatch_keeps_the_link_usable(client, engine, campaign):
    link = _invite(client, engine)
    bad = post(client, link, {"password": NEW_PASSWORD, "confirm": "something else"})
    short = post(client, link, {"password": "short", "confirm": "short"})
    ok = post(
        client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=False
    )
    assert (bad.status_code, short.status_code, ok.status_code) == (422, 422, 303)
    assert "Les deux mots de passe sont différents." in text_of(bad.text)
    assert "Utilisez entre 10 et 200 caractères." in text_of(short.text)


def test_reinviting_kills_the_previous_link(client, engine, campaign):
    first = _invite(client, engine)
    login(client, "boss@example.org", PASSWORD)
    post(client, "/manage/people/invite", {"email": "new@example.org", "role": "juror"})
    post(client, "/logout")
    assert client.get(first).status_code == 400


def test_invite_with_bad_email_or_role_changes_nothing(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    bad_email = post(client, "/manage/people/invite", {"email": "not-an-email", "role": "juror"})
    bad_role = post(client, "/manage/people/invite", {"email": "a@example.org", "role": "king"})
    assert (bad_email.status_code, bad_role.status_code) == (422, 422)
    assert "Indiquez une adresse e-mail valide." in text_of(bad_email.text)
    assert "Choisissez un rôle." in text_of(bad_role.text)
    with db.session(engine) as s:
        assert s.exec(select(User.email)).all() == ["boss@example.org"]


def test_juror_cannot_invite(client, engine, campaign):
    make_user(engine, "juror", "j@example.org")
    login(client, "j@example.org", PASSWORD)
    response = post(client, "/manage/people/invite", {"email": "x@example.org", "role": "manager"})
    assert response.status_code == 403
    with db.session(engine) as s:
        assert s.exec(select(User.email)).all() == ["j@example.org"]
