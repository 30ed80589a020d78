"""One cleaning rule at every entry point: control and XML-invalid characters removed, numbers
read as ASCII digits within bounds. Each of these answered 500 (on PostgreSQL for NUL)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from campaign import db, people, text
from campaign.models import InboundSms
from nominations.models import Nomination
from tests.conftest import csrf_token, login, post, text_of
from tests.factories import PASSWORD, make_user, nomination_form
from tests.voting.test_ballot_box import make_round
from tests.web.test_sms_inbound import _post

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("²", None), ("١٢", None), ("１２", None), ("-1", None),
     ("1" * 19, None), ("", None), (None, None), ("101", None)],
)  # fmt: skip
def test_whole_reads_ascii_digits_within_bounds(raw, expected):
    assert text.whole(raw, 0, 100) == expected


def test_clean_removes_controls_and_xml_invalid_characters():
    assert text.clean("A\x00b\ufffec\uffffd\ud800e\tf\n") == "Abcde\tf\n"
    assert text.one_line("  Awa\x00 \uffff Goïta ") == "Awa Goïta"


def test_sms_nom_with_nul_is_recorded_clean(client, engine, campaign):
    reply = _post(client, {"from": "76 12 34 56", "text": "NOM Awa\x00 Goita, sage\ufffe-femme",
                           "id": "gw\x00-1"})  # fmt: skip
    assert reply.status_code == 200 and reply.text.startswith("Merci ! Nomination enregistrée")
    with db.session(engine) as s:
        [n] = s.exec(select(Nomination)).all()
        [inbound] = s.exec(select(InboundSms)).all()
    assert (n.nominee_name, n.nominee_position, inbound.gateway_id) == (
        "Awa Goita", "sage-femme", "gw-1",
    )  # fmt: skip


def test_web_nomination_with_nul_and_noncharacters_is_stored_clean(client, engine, campaign):
    form = nomination_form(form_id="abc\x00", nominee_name="Aminata\uffff Goïta\x00",
                           nominator_email="awa\x00@example.org")  # fmt: skip
    response = post(client, "/nominate", form, follow_redirects=False)
    assert response.status_code == 303
    with db.session(engine) as s:
        [n] = s.exec(select(Nomination)).all()
    assert (n.nominee_name, n.submission_key, n.nominator_email) == (
        "Aminata Goïta", "abc", "awa@example.org",
    )  # fmt: skip


def test_login_with_nul_in_the_email_is_a_wrong_password(client, engine):
    user = make_user(engine, "manager")
    response = login(client, user.email + "\x00", "wrong password")
    assert response.status_code == 400
    assert people.normalise_email(" Ana\x00@Example.org ") == "ana@example.org"
    assert login(client, user.email + "\x00", PASSWORD).status_code == 303


@pytest.mark.parametrize("round_id", ["²", "١", "9" * 30])
def test_vote_code_with_a_strange_round_id_is_not_found(client, engine, campaign, round_id):
    make_round(engine, campaign)
    response = post(client, "/vote/code", {"round_id": round_id, "phone": "76 12 34 56"},
                    headers=EN)  # fmt: skip
    assert response.status_code == 404
    assert "This vote does not exist." in text_of(response.text)


@pytest.mark.parametrize("page", ["²", "99999999999999999999", "0"])
def test_staff_pages_with_strange_page_numbers_answer(client, engine, manager, page):
    from tests.factories import make_campaign

    make_campaign(engine, "review")
    make_user(engine, "juror", "j@example.org")
    login(client, manager.email, PASSWORD)
    audit = client.get(f"/manage/audit?page={page}", headers=EN)
    login(client, "j@example.org", PASSWORD)
    jury = client.get(f"/jury?page={page}", headers=EN)
    assert (audit.status_code, jury.status_code) == (200, 200)
    assert "Audit" in text_of(audit.text)


MULTIPART = "multipart/form-data; boundary=b0undary"


def _multipart(name: str, value: str = "x") -> bytes:
    return (f'--b0undary\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            "--b0undary--\r\n").encode()  # fmt: skip


@pytest.mark.parametrize("path", ["/nominate", "/lang", "/vote/code", "/login"])
def test_multipart_form_with_an_oversized_part_header_is_unreadable_not_500(
    client, engine, campaign, path
):
    # python-multipart raises MultipartParseError past 4 KB of a part's headers, which Starlette
    # does not turn into a 400 as it does its own MultiPartException: it answered 500.
    token = csrf_token(client)
    headers = {"Content-Type": MULTIPART, "X-CSRF-Token": token, **EN}
    response = client.post(path, content=_multipart("n" * 5000), headers=headers)
    assert response.status_code == 400
    assert "This form could not be read. Reload the page and try again." in text_of(response.text)
    with db.session(engine) as s:
        assert s.exec(select(Nomination)).all() == []


def test_unreadable_multipart_without_a_csrf_header_is_refused_not_500(client, engine, campaign):
    # The CSRF check reads the token from the body; a body it cannot parse has no token.
    csrf_token(client)
    for body in (_multipart("n" * 5000), b"--b0undary\r\nno header end", b"\x00" * 64):
        response = client.post("/nominate", content=body, headers={"Content-Type": MULTIPART})
        assert response.status_code == 403
    response = client.post(
        "/nominate", content=b"x", headers={"Content-Type": "multipart/form-data"}
    )
    assert response.status_code == 403
