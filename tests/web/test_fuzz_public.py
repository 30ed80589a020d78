"""Every public form, ``/track``, ``/vote/receipt`` and the SMS webhooks, fuzzed (hypothesis):
no input answers 500, and an input that is refused stores nothing.

"Nothing" is the row count of every table, before and after each example. The only rows a
refusal adds are the ones that make a limit hold: a wrong guess of a tracking code, a receipt, a
password or a vote code is counted (``rateevent``, or a ``code_failed`` vote attempt, the fraud
signal), and every signed SMS is recorded once so that the gateway's retry gets the same reply.
A 500 fails the test by itself: the test client raises the server's exception.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import replace
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from sqlmodel import delete
from starlette.testclient import TestClient

from campaign import db, people, setup
from campaign.models import RateEvent
from nominations.models import Nomination
from tests.conftest import SECRET, post, text_of
from tests.factories import make_user, nomination_form
from tests.voting.test_ballot_box import PHONE, count, last_code, make_round
from tests.web.fuzz import (
    FUZZ,
    NASTY,
    changes,
    encodings,
    mutated,
    rows,
    submit,
    texts,
    urlencoded,
)
from web.app import create_app

SMS_SECRET = "sms-test-secret"
EN = {"Accept-Language": "en"}
REFUSED_FORM = {400, 413, 415, 422}


def _under_the_limits(engine) -> None:
    """Each example starts with no counted event: the limits are tested elsewhere, and here an
    accepted input must reach the insert however many examples came before it."""
    with db.session(engine) as s, s.begin():
        s.exec(delete(RateEvent))


# --- /nominate and its inline check ---------------------------------------------------------

NOMINATION = nomination_form()


@pytest.fixture
def form_ids():
    return iter(range(10**6))


@FUZZ
@given(pairs=mutated(NOMINATION, ("form_id", "hp_extra", "referee3_name")), encoding=encodings)
@example(pairs=list(NOMINATION.items()), encoding="urlencoded")
@example(pairs=[(k, v + "\x00\ufffe\ud800") for k, v in NOMINATION.items()], encoding="urlencoded")
@example(pairs=[*NOMINATION.items(), ("story", "١٢" * 3000)], encoding="multipart")
@example(pairs=[*NOMINATION.items(), ("nominator_phone", "٧٦١٢٣٤٥٦")], encoding="urlencoded")
@example(pairs=[*NOMINATION.items(), ("nominee_phone", "9" * 300)], encoding="urlencoded")
@example(pairs=[("nominee_name", "x" * 100_000)], encoding="urlencoded")
@example(pairs=[], encoding="json")
@example(pairs=[("n" * 5000, "x")], encoding="multipart")  # a part's headers over 4 KB
def test_nominate_never_fails_and_a_refusal_stores_nothing(
    client, engine, campaign, form_ids, pairs, encoding
):
    _under_the_limits(engine)
    form_id = f"fuzz-{next(form_ids)}"
    before = rows(engine)
    response = submit(client, "/nominate", [("form_id", form_id), *pairs], encoding, headers=EN)
    added = changes(before, rows(engine))
    event(f"{response.status_code} {sorted(added)}")  # --hypothesis-show-statistics
    if response.status_code == 303:
        assert response.headers["location"].startswith("/nominate/done?code=")
        if added:  # else: a fuzzed form_id named a nomination made earlier, which is the answer
            phone = 1 if added.get("smsmessage") else 0
            assert added == {"nomination": 1, "rateevent": 1 + phone} | (
                {"smsmessage": 1} if phone else {}
            ) | ({"nominee": 1} if "nominee" in added else {})
    else:
        assert response.status_code in REFUSED_FORM, response.status_code
        assert added == {}


@FUZZ
@given(pairs=mutated(NOMINATION), encoding=encodings, field=texts)
@example(pairs=[("nominee_name", "\x00")], encoding="urlencoded", field="nominee_name\x00")
def test_nominate_check_never_fails_and_stores_nothing(
    client, engine, campaign, pairs, encoding, field
):
    before = rows(engine)
    headers = {
        "HX-Request": "true",
        "X-Icon-Field": field.encode("utf-8", "surrogatepass"),
    }
    response = submit(client, "/nominate/check", pairs, encoding, headers=headers)
    assert response.status_code in {200} | REFUSED_FORM
    assert changes(before, rows(engine)) == {}


# --- /track, /nominate/done, /vote/receipt, /vote/counted: the pages that read a code ---------

query_pairs = st.lists(st.tuples(st.sampled_from(("code", "code", "x", "")), texts), max_size=4)


def _query(pairs) -> str:
    """A query string of at most about 8 KB: what a server takes in a request line (uvicorn's
    h11 refuses longer lines before the app sees them, and httpx will not send them)."""
    return "&".join(
        f"{quote_from_bytes(k.encode('utf-8', 'surrogatepass'))}="
        f"{quote_from_bytes(v.encode('utf-8', 'surrogatepass'))}"
        for k, v in pairs
    )[:8000]


@FUZZ
@given(path=st.sampled_from(("/track", "/vote/receipt")), pairs=query_pairs)
@example(path="/track", pairs=[("code", "ABCD-1234")])
@example(path="/track", pairs=[("code", "\x00\ufffe\ud800")])
@example(path="/vote/receipt", pairs=[("code", "１２３４５-６７８９０"), ("code", "x" * 5000)])
@example(path="/vote/receipt", pairs=[("code", "9" * 40)])
def test_code_lookups_never_fail_and_count_only_a_wrong_guess(
    client, engine, campaign, path, pairs
):
    if not rows(engine)["round"]:
        make_round(engine, campaign)
    before = rows(engine)
    response = client.get(f"{path}?{_query(pairs)}", headers=EN)
    added = changes(before, rows(engine))
    event(f"{response.status_code} {sorted(added)}")  # --hypothesis-show-statistics
    assert response.status_code == 200
    assert added in ({}, {"rateevent": 1})
    if added:  # a miss, said as one
        assert re.search(
            r"We found no (nomination with this code|vote with this receipt)\.",
            text_of(response.text),
        )


@FUZZ
@given(path=st.sampled_from(("/nominate/done", "/vote/counted")), pairs=query_pairs)
@example(path="/nominate/done", pairs=[("code", "\x00ABCD\ufffe-1234\ud800")])
def test_code_pages_never_fail_and_store_nothing(client, engine, campaign, path, pairs):
    before = rows(engine)
    response = client.get(f"{path}?{_query(pairs)}", headers=EN, follow_redirects=False)
    assert response.status_code in (200, 303)
    assert changes(before, rows(engine)) == {}


# --- /vote: the code request, then the code and the choice ----------------------------------

phones_ = st.one_of(
    st.sampled_from((PHONE, "+22376123456", "0022376123456", "76123456", "+33612345678")),
    st.integers(60_000_000, 99_999_999).map(str),
    texts,
)


@FUZZ
@given(pairs=mutated({"round_id": "1", "phone": PHONE}), phone=phones_, encoding=encodings)
@example(pairs=[("round_id", "1")], phone="76 12 34 56", encoding="urlencoded")
@example(pairs=[("round_id", "١")], phone="٧٦١٢٣٤٥٦", encoding="urlencoded")
@example(pairs=[("round_id", "1")], phone="７６１２３４５６", encoding="urlencoded")
@example(pairs=[("round_id", "1")], phone="७६१२३४५६\x00", encoding="multipart")
@example(pairs=[("round_id", "9" * 40)], phone="9" * 300, encoding="urlencoded")
@example(pairs=[("round_id", "1"), ("round_id", "2")], phone="\ud800", encoding="urlencoded")
def test_vote_code_request_never_fails_and_a_refusal_stores_nothing(
    client, engine, campaign, pairs, phone, encoding
):
    if not rows(engine)["round"]:
        make_round(engine, campaign)
    _under_the_limits(engine)
    before = rows(engine)
    response = submit(client, "/vote/code", [("phone", phone), *pairs], encoding, headers=EN)
    added = changes(before, rows(engine))
    event(f"{response.status_code} {sorted(added)}")  # --hypothesis-show-statistics
    page = text_of(response.text)
    if response.status_code == 200:
        assert "We sent a 6-digit code by SMS to" in page
        assert added == {"votecode": 1, "voteattempt": 1, "smsmessage": 1, "rateevent": 4}
    else:
        assert response.status_code in {404, 409, 429, 503} | REFUSED_FORM, response.status_code
        assert added == {}, page


CODE_FAILURES = (
    "This code is not right. Check it and try again.",
    "Too many wrong codes. Ask for a new code.",
    "This code has expired or was already used. Ask for a new code.",
)


@FUZZ
@given(data=st.data(), encoding=encodings)
def test_vote_never_fails_and_only_a_wrong_code_is_counted(
    client, engine, campaign, data, encoding
):
    if not rows(engine)["round"]:
        r = make_round(engine, campaign)
        post(client, "/vote/code", {"round_id": r.id, "phone": PHONE})
    base = {"round_id": "1", "phone": PHONE, "code": last_code(engine), "candidate": "2"}
    pairs = data.draw(
        st.one_of(
            st.just(list(base.items())),
            mutated(base),
            st.just([*base.items(), ("code", "١٢٣٤٥٦")]),
            st.just([*base.items(), ("candidate", "９")]),
            st.just([*base.items(), ("candidate", "9" * 40)]),
            st.just([*base.items(), ("code", "\x00" + base["code"])]),
        ),
        "pairs",
    )
    before = rows(engine)
    response = submit(client, "/vote", pairs, encoding, headers=EN)
    added = changes(before, rows(engine))
    event(f"{response.status_code} {sorted(added)}")  # --hypothesis-show-statistics
    page = text_of(response.text)
    if response.status_code == 303:
        assert response.headers["location"] == "/vote/counted"
        assert added == {"ballot": 1, "voteattempt": 1}
    elif added:
        # A well-formed vote with a wrong code: the guess is counted against the code and as a
        # fraud signal, and the voter is told so.
        assert (response.status_code, added) == (422, {"voteattempt": 1})
        assert any(failure in page for failure in CODE_FAILURES), page
    else:
        assert response.status_code in {404, 409} | REFUSED_FORM, response.status_code


# --- the language choice and the staff sign-in, public forms too -----------------------------


@FUZZ
@given(pairs=mutated({"code": "en", "next": "/vote"}), encoding=encodings)
@example(pairs=[("code", "en"), ("next", "//evil.example/")], encoding="urlencoded")
@example(pairs=[("code", "en"), ("next", "/\\evil.example")], encoding="urlencoded")
@example(pairs=[("code", "en\x00"), ("next", "/\ud800")], encoding="urlencoded")
@example(pairs=[("code", "fr"), ("next", "/x\r\nSet-Cookie: a=b")], encoding="urlencoded")
@example(pairs=[("code", "fr"), ("n" * 5000, "x")], encoding="multipart")
def test_language_choice_never_fails_nor_leaves_the_site(client, engine, campaign, pairs, encoding):
    before = rows(engine)
    response = submit(client, "/lang", pairs, encoding)
    assert response.status_code in {303} | REFUSED_FORM
    if response.status_code == 303:
        location = response.headers["location"]
        assert location.startswith("/") and not location.startswith("//") and "\\" not in location
        assert not re.search(r"[\x00-\x1f]", location)
    assert changes(before, rows(engine)) == {}


@FUZZ
@given(pairs=mutated({"email": "manager1@example.org", "password": "wrong", "next": "/manage"}),
       encoding=encodings)  # fmt: skip
@example(
    pairs=[("email", "manager1@example.org\x00"), ("password", "\ud800")], encoding="urlencoded"
)
@example(pairs=[("email", "x" * 5000), ("password", "y" * 100_000)], encoding="urlencoded")
def test_login_never_fails_and_a_refusal_counts_only_the_attempt(
    client, engine, campaign, pairs, encoding
):
    if not rows(engine)["user"]:
        make_user(engine, "manager")
    _under_the_limits(engine)
    before = rows(engine)
    response = submit(client, "/login", pairs, encoding)
    added = changes(before, rows(engine))
    event(f"{response.status_code} {sorted(added)}")  # --hypothesis-show-statistics
    assert response.status_code in {429} | REFUSED_FORM
    assert set(added) <= {"rateevent"} and added.get("rateevent", 0) <= 2


# --- the SMS webhooks -------------------------------------------------------------------------

sms_texts = st.one_of(
    texts,
    st.tuples(st.sampled_from(("ICON ", "icon", "VOTE ", "NOM ", "nom ", "SUIVI ", "AIDE ")), texts)
    .map("".join),
    st.sampled_from((
        "ICON 1", "ICON ١", "ICON ７", "ICON ३", "ICON 99999999999999999999", "ICON 0", "ICON -1",
        "NOM Awa Goita, sage-femme, CSCOM Kalaban", "NOM \x00\ufffe", "SUIVI ABCD-1234",
    )),
)  # fmt: skip
senders = st.one_of(phones_, st.just("7" * 40))


@pytest.fixture
def kannel_client(settings, engine):
    app = create_app(replace(settings, sms_gateways=("kannel",)), engine)
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def _signed(client, body: bytes, signature: str | None = "good"):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "good":
        digest = hmac.new(SMS_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Icon-Signature"] = f"sha256={digest}"
    elif signature is not None:
        headers["X-Icon-Signature"] = signature.encode()
    return client.post("/sms/inbound", content=body, headers=headers)


def _sms_changes_match(engine, reply: str, added: dict) -> None:
    """A signed SMS is recorded once (``inboundsms``, with its sender's counted message); only an
    acknowledged nomination or vote stores anything else."""
    if not added:
        return  # a retried gateway id: the stored reply, nothing new
    stored = {k: v for k, v in added.items() if k not in ("inboundsms", "rateevent")}
    assert added["inboundsms"] == 1 and added.get("rateevent", 0) <= 2, added
    if reply.startswith("Merci ! Nomination enregistrée"):
        # The same text from the same phone again (under another gateway id) is the same
        # nomination: its code again, nothing new.
        assert stored in ({}, {"nomination": 1}, {"nomination": 1, "nominee": 1})
        code = re.search(r"code (\w{4})-(\w{4})", reply)
        assert count(engine, Nomination, Nomination.tracking_code == "".join(code.groups())) == 1
    elif reply.startswith("Merci ! Votre vote pour le numéro"):
        assert stored == {"ballot": 1, "voteattempt": 1}
    else:
        assert stored == {}, (reply, added)


@FUZZ
@given(
    sender=senders,
    text=sms_texts,
    gw_id=st.one_of(st.none(), texts),
    signature=st.sampled_from(("good", "good", "good", None, "sha256=00", "sha256=\u00e9")),
    extra=st.lists(st.tuples(st.sampled_from(("from", "text", "id", "x")), texts), max_size=2),
)
@example(sender=PHONE, text="ICON 1", gw_id="a", signature="good", extra=[])
@example(sender="٧٦١٢٣٤٥٦", text="ICON ١", gw_id=None, signature="good", extra=[])
@example(sender="７６１２３４５６", text="ICON ７", gw_id="\x00", signature="good", extra=[])
@example(sender="\ud800", text="NOM \ud800\ufffe", gw_id="\ud800", signature="good", extra=[])
@example(sender=PHONE, text="x" * 9000, gw_id="b", signature="good", extra=[])
@example(sender="9" * 300, text="ICON " + "9" * 300, gw_id="9" * 300, signature="good", extra=[])
@example(
    sender=PHONE, text="ICON 2", gw_id="c", signature="good", extra=[("from", ""), ("text", "NOM")]
)
@example(sender=PHONE, text="ICON 2", gw_id="d", signature=None, extra=[])
def test_sms_inbound_never_fails_and_stores_only_what_it_acknowledges(
    client, engine, campaign, sender, text, gw_id, signature, extra
):
    if not rows(engine)["round"]:
        make_round(engine, campaign)
    _under_the_limits(engine)
    fields = [("from", sender), ("text", text)] + ([("id", gw_id)] if gw_id is not None else [])
    before = rows(engine)
    response = _signed(client, urlencoded(fields + extra), signature)
    added = changes(before, rows(engine))
    event(f"{response.status_code} {sorted(added)}")  # --hypothesis-show-statistics
    if signature != "good" or response.status_code != 200:
        assert response.status_code in (400, 403, 413), response.status_code
        assert added == {}
        return
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.strip()
    _sms_changes_match(engine, response.text, added)


@FUZZ
@given(body=st.binary(max_size=300))
@example(body=b"from=%ED%A0%80&text=ICON%201")
@example(body=b"from=76123456&text=%FF%FE%00I%00C%00O%00N")
@example(body=b"from=76123456&from=&text=ICON+1&text=NOM")
@example(body=b"\x00" * 200)
def test_sms_inbound_raw_bodies_never_fail(client, engine, campaign, body):
    if not rows(engine)["round"]:
        make_round(engine, campaign)
    _under_the_limits(engine)
    before = rows(engine)
    response = _signed(client, body)
    added = changes(before, rows(engine))
    event(f"{response.status_code} {sorted(added)}")  # --hypothesis-show-statistics
    if response.status_code != 200:
        assert (response.status_code, added) == (400, {})
        return
    _sms_changes_match(engine, response.text, added)


KANNEL_FIELDS = ("coding", "charset", "sender", "to")
KANNEL_VALUES = st.sampled_from(("0", "2", "UTF-16BE", "UCS-2", "x" * 300, *NASTY[:8]))


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@FUZZ
@given(
    sender=senders,
    message=st.one_of(sms_texts.map(_raw), st.binary(max_size=200)),
    gw_id=texts,
    token=st.sampled_from((SMS_SECRET, SMS_SECRET, "wrong", "\x00", "%FF")),
    extra=st.lists(st.tuples(st.sampled_from(KANNEL_FIELDS), KANNEL_VALUES), max_size=3),
)
@example(sender=PHONE, message=b"ICON 1", gw_id="k1", token=SMS_SECRET, extra=[])
@example(sender=PHONE, message="ICON 2".encode("utf-16-be"), gw_id="k2", token=SMS_SECRET,
         extra=[("coding", "2")])  # fmt: skip
@example(sender=PHONE, message=b"\x00I\xd8\x00", gw_id="k3", token=SMS_SECRET,
         extra=[("charset", "UTF-16BE")])  # fmt: skip
@example(sender="٧٦١٢٣٤٥٦", message="ICON ١".encode(), gw_id="\x00", token=SMS_SECRET, extra=[])
@example(sender=PHONE, message=b"\xff\xfe\xfd", gw_id="k4", token=SMS_SECRET, extra=[])
def test_kannel_never_fails_and_stores_only_what_it_acknowledges(
    kannel_client, engine, campaign, sender, message, gw_id, token, extra
):
    if not rows(engine)["round"]:
        make_round(engine, campaign)
    _under_the_limits(engine)
    query = _query([("sender", sender), ("to", "36000"), ("id", gw_id), *extra])
    before = rows(engine)
    response = kannel_client.get(
        f"/sms/kannel/{quote_from_bytes(token.encode())}?{query}&message={quote_from_bytes(message)}"
    )
    added = changes(before, rows(engine))
    event(f"{response.status_code} {sorted(added)}")  # --hypothesis-show-statistics
    assert response.status_code == 200  # anything else would make smsbox retry, then text an error
    if token != SMS_SECRET or not response.text:
        # A refusal (a wrong token, no sender) is an empty reply: smsbox sends nothing back.
        assert (response.text, added) == ("", {})
        return
    _sms_changes_match(engine, response.text, added)


# --- the staff's one-time links: the first-run setup and an invitation ------------------------

SETUP = {"email": "sita@example.org", "name": "Sita Sharma", "password": "a long password 1",
         "confirm": "a long password 1", "country": "NP", "year": "2027", "title": ""}  # fmt: skip
UNCONFIRMED = SETUP | {"confirm": "not the same"}
tokens = st.one_of(st.just("good"), st.just("good"), texts.map(lambda t: t.replace("/", "")))


def _link(prefix: str, token: str, good: str) -> str:
    token = good if token == "good" else token
    return prefix + quote_from_bytes(token.encode("utf-8", "surrogatepass"), safe="")


@FUZZ
# Every form here is refused (its confirmation differs): the first that passed would set the site
# up and leave the rest nothing to check. The accepted link is tests/web/test_editions.py's.
@given(pairs=mutated(UNCONFIRMED), token=tokens, encoding=encodings)
@example(pairs=[*UNCONFIRMED.items(), ("year", "٢٠٢٧")], token="good", encoding="urlencoded")
@example(pairs=[*UNCONFIRMED.items(), ("year", "9" * 40)], token="good", encoding="urlencoded")
@example(pairs=[*UNCONFIRMED.items(), ("country", "N\x00P")], token="good", encoding="urlencoded")
@example(pairs=[*UNCONFIRMED.items(), ("email", "sita\ud800@example.org")], token="\x00",
         encoding="multipart")  # fmt: skip
def test_setup_link_never_fails_and_a_refusal_stores_nothing(
    client, engine, pairs, token, encoding
):
    link = _link("/setup/", token, setup.issue(engine, SECRET))
    before = rows(engine)
    response = submit(client, link, pairs, encoding, headers=EN)
    added = changes(before, rows(engine))
    event(f"{response.status_code} {sorted(added)}")  # --hypothesis-show-statistics
    assert response.status_code in {400, 404} | REFUSED_FORM  # 404: no token at all
    assert added == {}
    assert client.get(link, headers=EN).status_code in (200, 400, 404)


@FUZZ
@given(password=texts, confirm=st.one_of(st.just("same"), texts), token=tokens,
       encoding=encodings)  # fmt: skip
@example(password="a brand new passphrase", confirm="same", token="good", encoding="urlencoded")
@example(password="\x00" * 20, confirm="same", token="good", encoding="urlencoded")
@example(password="\ud800" * 20, confirm="same", token="good", encoding="urlencoded")
@example(password="x" * 100_000, confirm="same", token="good", encoding="urlencoded")
def test_invitation_link_never_fails_and_a_refusal_stores_nothing(
    client, engine, campaign, password, confirm, token, encoding
):
    if not rows(engine)["user"]:
        boss = make_user(engine, "manager")
        _user, invited = people.invite(engine, SECRET, boss.id, "new@example.org", "juror")
        client.app.state.fuzz_invitation = invited
    link = _link("/invitation/", token, client.app.state.fuzz_invitation)
    pairs = [("password", password), ("confirm", password if confirm == "same" else confirm)]
    before = rows(engine)
    response = submit(client, link, pairs, encoding, headers=EN)
    added = changes(before, rows(engine))
    event(f"{response.status_code} {sorted(added)}")  # --hypothesis-show-statistics
    if response.status_code == 303:
        assert response.headers["location"] == "/jury"
        assert added == {"auditevent": 1}  # the password set; the account was there
    else:
        assert response.status_code in {400, 404} | REFUSED_FORM, (
            response.status_code
        )  # 404: no token
        assert added == {}


# --- the other gateways' webhooks: whatever comes, no 500, and a refusal stores nothing -------

OTHER_GATEWAYS = ("twilio", "africastalking", "orange", "rapidpro", "android")
GATEWAY_FIELDS = {"From": "+22376123456", "Body": "ICON 1", "from": PHONE, "text": "ICON 2",
                  "id": "g1", "message": "ICON 3"}  # fmt: skip
GATEWAY_HEADERS = ("X-Twilio-Signature", "X-Signature", "X-Timestamp", "Authorization",
                   "Content-Type")  # fmt: skip


@pytest.fixture(params=OTHER_GATEWAYS)
def other_gateway(request, settings, engine):
    name = request.param
    app = create_app(replace(settings, sms_gateways=(name,), base_url="http://testserver"), engine)
    with TestClient(app, base_url="http://testserver") as client:
        yield name, client


@FUZZ
@given(data=st.data())
def test_other_gateways_never_fail_and_a_refusal_stores_nothing(
    other_gateway, engine, campaign, data
):
    name, client = other_gateway
    if not rows(engine)["round"]:
        make_round(engine, campaign)
    _under_the_limits(engine)
    token = data.draw(st.sampled_from((SMS_SECRET, SMS_SECRET, "wrong")), "token")
    path = f"/sms/{name}/{token}" + data.draw(st.sampled_from(("", "/dlr")), "path")
    pairs = data.draw(mutated(GATEWAY_FIELDS), "pairs")
    values = texts.map(lambda t: t.encode("utf-8", "surrogatepass"))
    headers = data.draw(st.dictionaries(st.sampled_from(GATEWAY_HEADERS), values, max_size=3))
    method = data.draw(st.sampled_from(("GET", "POST")), "method")
    before = rows(engine)
    if method == "GET":
        response = client.get(f"{path}?{_query(pairs)}", headers=headers)
    else:
        response = client.post(path, content=urlencoded(pairs), headers=headers)
    added = changes(before, rows(engine))
    event(f"{response.status_code} {sorted(added)}")  # --hypothesis-show-statistics
    assert response.status_code < 500, response.status_code
    if response.status_code >= 400 or token != SMS_SECRET:
        assert added == {}, (response.status_code, added)
