"""The web vote's lean path (web/lean_vote.py): ``POST /vote`` and ``GET /vote/counted`` answered
before the middleware, with the full stack's status, page, headers and session; every refusal
left to the full stack, word for word, and a refused vote never cast twice."""

from __future__ import annotations

import base64
import gzip
import hmac
import json
import secrets
import zlib
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import TimestampSigner
from starlette.requests import cookie_parser
from starlette.testclient import TestClient

from campaign import languages
from tests.conftest import SECRET, login, run_async, session_data, text_of
from tests.factories import PASSWORD
from tests.voting.test_ballot_box import E164, PHONE, add_code, ballots, make_round
from voting import receipts
from voting.models import VoteAttempt
from voting.vote_codes import CODE_TRIES
from web import middleware
from web.app import create_app
from web.lean_session import Sessions
from web.lean_vote import LeanVote, _cookies, form_pairs
from web.middleware import MAX_FIELDS

TOKEN = secrets.token_urlsafe(32)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def full(settings, engine):
    """The same site without the lean path: the answer it must give."""
    app = create_app(settings, engine)
    app.user_middleware = [m for m in app.user_middleware if m.cls is not LeanVote]
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def _cookie(session: str = "", **more: str) -> str:
    pairs = {"icon_csrf": TOKEN, **more} | ({"icon_session": session} if session else {})
    return "; ".join(f"{k}={v}" for k, v in pairs.items())


def _post(client, fields: dict, cookie: str, lean: bool = True, **headers):
    """With a Content-Length the lean path may take it; chunked (no length), never."""
    body = urlencode({"csrf_token": TOKEN, **fields}).encode()
    client.cookies.clear()
    return client.post(
        "/vote",
        content=body if lean else iter([body]),
        headers=FORM | {"Cookie": cookie} | headers,
        follow_redirects=False,
    )


def _get(client, cookie: str, **headers):
    client.cookies.clear()
    return client.get("/vote/counted", headers={"Cookie": cookie} | headers, follow_redirects=False)


def _session(response) -> tuple[str, dict]:
    """The session cookie's signed value and what it holds."""
    value = response.cookies["icon_session"]
    payload = value.split(".")[0]
    return value, json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))


def _answer(response) -> tuple:
    """Status, headers and page; a session cookie without its signature (it holds the second it
    was made), a new CSRF cookie's random token (and the length of a page showing it) aside."""
    fresh = response.cookies.get("icon_csrf")
    headers = [
        (k, _unsigned(v))
        for k, v in response.headers.multi_items()
        if not (fresh and k == "content-length")
    ]
    page = response.content.replace(fresh.encode(), b"(new)") if fresh else response.content
    return response.status_code, headers, page


def _unsigned(value: str) -> str:
    """A session cookie without its signature; a new CSRF cookie without its random token."""
    if value.startswith("icon_session="):
        return value.split(".")[0]
    if value.startswith("icon_csrf="):
        return "icon_csrf=(new)" + value[len("icon_csrf=") + 43 :]
    return value


def _vote(engine, r, code: str, e164: str = E164, phone: str = PHONE) -> dict:
    add_code(engine, r.id, code, e164)
    return {"round_id": r.id, "phone": phone, "code": code, "candidate": "2"}


def _alone(full_stack) -> LeanVote:
    """The lean path before ``full_stack``, with no languages known (so no page of its own)."""
    return LeanVote(
        full_stack,
        secret_key=SECRET,
        session_seconds=3600,
        https=False,
        body_cap=8192,
        known=lambda: None,
    )


def test_a_vote_is_answered_by_the_lean_path_alone(app, client, engine, campaign):
    r = make_round(engine, campaign)
    fields = _vote(engine, r, "123456")

    async def full_stack(scope, receive, send):
        raise AssertionError("the full stack was asked")

    lean = _alone(full_stack)
    body = urlencode({"csrf_token": TOKEN, **fields}).encode()
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/vote",
        "query_string": b"",
        "app": app,
        "client": ("41.73.96.12", 5000),
        "headers": [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"cookie", _cookie().encode()),
        ],
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    run_async(lean(scope, receive, send))
    app.state.votes.close()

    start = sent[0]
    headers = dict(start["headers"])
    assert (start["status"], headers[b"location"]) == (303, b"/vote/counted")
    [ballot] = ballots(engine)
    assert b"vote_receipt" in base64.b64decode(headers[b"set-cookie"].split(b"=")[1].split(b".")[0])
    assert ballot.channel == "web" and ballot.candidate_id is not None


def test_lean_vote_answers_as_the_full_stack(client, full, engine, campaign):
    r = make_round(engine, campaign)
    lean = _post(client, _vote(engine, r, "123456"), _cookie())
    other = _post(
        full, _vote(engine, r, "654321", "+22376999956", "76 99 99 56"), _cookie(), lean=False
    )

    assert [b.channel for b in ballots(engine)] == ["web", "web"]
    assert _answer(lean)[0] == 303 and lean.headers["location"] == "/vote/counted"
    lean_cookie, lean_session = _session(lean)
    full_cookie, full_session = _session(other)
    codes = {receipts.format_receipt(b.receipt) for b in ballots(engine)}
    assert {
        lean_session["vote_receipt"].pop("code"),
        full_session["vote_receipt"].pop("code"),
    } == codes
    assert (
        lean_session
        == full_session
        == {
            "vote_receipt": {
                "round_title": "Premier tour",
                "candidate_number": 2,
                "candidate_name": "Moussa Traoré",
            },
        }
    )
    strip = lambda a: [(k, v) for k, v in a[1] if k != "set-cookie"]  # noqa: E731
    assert strip(_answer(lean)) == strip(_answer(other))
    assert (
        lean.headers["set-cookie"].split(";", 1)[1] == other.headers["set-cookie"].split(";", 1)[1]
    )


def test_a_lean_vote_keeps_what_the_session_held_and_the_site_reads_it(
    client, full, engine, campaign
):
    """A second vote from this browser (another phone): the session the full stack wrote is
    read, the new receipt replaces the old; /vote/counted (full stack) and /vote/receipt read it."""
    r = make_round(engine, campaign)
    first = _post(
        full, _vote(engine, r, "111111", "+22376999956", "76 99 99 56"), _cookie(), lean=False
    )
    held, _ = _session(first)
    second = _post(client, _vote(engine, r, "222222"), _cookie(held))

    value, session = _session(second)
    mine = next(b for b in ballots(engine) if b.receipt != _session(first)[1]["vote_receipt"])
    page = _get(full, _cookie(value), **{"Accept-Language": "en"})
    code = session["vote_receipt"]["code"]
    checked = full.get("/vote/receipt", params={"code": code}, headers={"Accept-Language": "en"})

    assert list(session) == ["vote_receipt"] and code != _session(first)[1]["vote_receipt"]["code"]
    assert receipts.format_receipt(mine.receipt) in {
        code,
        _session(first)[1]["vote_receipt"]["code"],
    }
    assert page.status_code == 200 and code in page.text
    assert "You voted for number 2, Moussa Traoré." in text_of(page.text)
    assert checked.status_code == 200 and "counted" in text_of(checked.text).lower()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Accept-Encoding": "gzip"},
        {"Accept-Language": "en-GB,en;q=0.8"},
        {"Cookie+": "lang=en"},
    ],
    ids=["plain", "gzip", "english", "lang-cookie"],
)
def test_lean_confirmation_page_is_the_full_stacks(client, full, engine, campaign, headers):
    r = make_round(engine, campaign)
    value, _ = _session(_post(client, _vote(engine, r, "123456"), _cookie()))
    more = {"lang": "en"} if "Cookie+" in headers else {}
    headers = {k: v for k, v in headers.items() if k != "Cookie+"}
    cookie = _cookie(value, **more)

    _get(client, cookie, **headers)  # the first visitor's page proves the filled one
    lean = client.get("/vote/counted", headers={"Cookie": cookie, **headers})
    expected = _get(full, cookie, **headers)

    assert _answer(lean) == _answer(expected)
    assert lean.status_code == 200 and "Moussa Traoré" in lean.text
    assert ("content-encoding" in lean.headers) == (
        "gzip" in lean.request.headers["accept-encoding"]
    )


def test_lean_confirmation_page_gzips_as_the_full_stack(client, full, engine, campaign):
    """httpx undoes the gzip: here the bytes on the wire are compared once decompressed."""
    r = make_round(engine, campaign)
    value, _ = _session(_post(client, _vote(engine, r, "123456"), _cookie()))
    cookie = _cookie(value)
    _get(client, cookie, **{"Accept-Encoding": "gzip"})
    with client.stream(
        "GET", "/vote/counted", headers={"Cookie": cookie, "Accept-Encoding": "gzip"}
    ) as lean:
        raw = b"".join(lean.iter_raw())
    plain = _get(full, cookie)

    assert gzip.decompress(raw) == plain.content
    assert int(lean.headers["content-length"]) == len(raw) < len(plain.content)


def _refused(engine, r, case: str) -> tuple[dict, dict, dict]:
    """A refused vote: its fields, the extra request headers, the cookies."""
    fields = _vote(engine, r, "123456")
    if case == "wrong code":
        return fields | {"code": "000000"}, {}, {}
    if case == "code used up":
        add_code(engine, r.id, "222222", "+22376999956", tries=CODE_TRIES)
        return fields | {"phone": "76 99 99 56", "code": "222222"}, {}, {}
    if case == "unknown candidate":
        return fields | {"candidate": "9"}, {}, {}
    if case == "foreign number":
        return fields | {"phone": "+33612345678"}, {}, {}
    if case == "unreadable number":
        return fields | {"phone": "12"}, {}, {}
    if case == "unknown round":
        return fields | {"round_id": "x"}, {}, {}
    if case == "no code":
        return fields | {"code": ""}, {}, {}
    if case == "bad csrf token":
        return fields | {"csrf_token": secrets.token_urlsafe(32)}, {}, {}
    if case == "no csrf cookie":
        return fields, {}, {"icon_csrf": None}
    if case == "body over the cap":
        return fields | {"story": "x" * 9000}, {}, {}
    if case == "too many fields":
        return fields | {f"f{i}": "1" for i in range(1001)}, {}, {}
    if case == "htmx wrong code":
        return fields | {"code": "000000"}, {"HX-Request": "true"}, {}
    raise AssertionError(case)


REFUSALS = [
    "wrong code",
    "code used up",
    "unknown candidate",
    "foreign number",
    "unreadable number",
    "unknown round",
    "no code",
    "bad csrf token",
    "no csrf cookie",
    "body over the cap",
    "too many fields",
    "htmx wrong code",
]


def _send(client, fields, headers, cookies):
    body = urlencode({"csrf_token": TOKEN, **fields}, doseq=True).encode()
    jar = {"icon_csrf": TOKEN, **cookies}
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items() if v is not None)
    client.cookies.clear()
    return client.post(
        "/vote", content=body, headers=FORM | {"Cookie": cookie} | headers, follow_redirects=False
    )


@pytest.mark.parametrize("case", REFUSALS)
def test_lean_vote_refuses_as_the_full_stack(client, full, engine, campaign, case):
    r = make_round(engine, campaign)
    fields, headers, cookies = _refused(engine, r, case)
    attempts = _count(engine, VoteAttempt)

    fast = _send(client, fields, headers, cookies)
    tried = _count(engine, VoteAttempt) - attempts
    slow = _send(full, fields, headers, cookies)

    assert _answer(fast) == _answer(slow)
    assert fast.status_code in (400, 403, 404, 413, 422)
    assert ballots(engine) == []
    # A refused vote is cast once: a wrong code costs one try and leaves one attempt.
    assert _count(engine, VoteAttempt) - attempts == 2 * tried
    assert tried == (1 if case in ("wrong code", "code used up", "htmx wrong code") else 0)


@pytest.mark.parametrize(
    ("fields", "headers", "cookies"),
    [
        ({"csrf_token": [TOKEN, TOKEN]}, {}, {}),
        ({}, {"User-Agent": "Téléphone".encode()}, {}),
        ({}, {}, {"icon_session": "eyJ4IjogMX0=.aaaa.bbbb"}),
        ({}, {}, {"lang": '"en"'}),
        ({"csrf_token": "abc"}, {}, {"icon_csrf": "abc"}),
    ],
    ids=["two-csrf-fields", "non-ascii-header", "forged-session", "quoted-cookie", "short-token"],
)
def test_an_unusual_vote_the_full_stack_counts_is_counted_once(
    client, full, engine, campaign, fields, headers, cookies
):
    r = make_round(engine, campaign)
    one = _send(client, _vote(engine, r, "123456") | fields, headers, cookies)
    two = _send(
        full, _vote(engine, r, "654321", "+22376999956", "76 99 99 56") | fields, headers, cookies
    )

    assert len(ballots(engine)) == 2
    assert (one.status_code, one.headers["location"]) == (303, "/vote/counted")
    strip = lambda a: [(k, v) for k, v in a[1] if k != "set-cookie"]  # noqa: E731
    assert strip(_answer(one)) == strip(_answer(two))
    assert list(_session(one)[1]) == list(_session(two)[1]) == ["vote_receipt"]


def test_lean_vote_refuses_a_closed_round_and_a_second_vote_as_the_full_stack(
    client, engine, campaign
):
    closed = make_round(engine, campaign, opens=-48, closes=-24)
    fields = _vote(engine, closed, "123456")
    fast = _post(client, fields, _cookie())
    slow = _post(client, fields, _cookie(), lean=False)
    assert _answer(fast) == _answer(slow) and fast.status_code == 409

    r = make_round(engine, campaign, title="Second tour")
    assert _post(client, _vote(engine, r, "111111"), _cookie()).status_code == 303
    again = _vote(engine, r, "222222")
    fast = _post(client, again, _cookie())
    slow = _post(client, again, _cookie(), lean=False)
    assert _answer(fast) == _answer(slow) and fast.status_code == 409
    assert "already voted" in text_of(fast.text).lower() or "déjà voté" in text_of(fast.text)
    assert len(ballots(engine)) == 1


def test_an_htmx_vote_takes_the_full_stack(client, engine, campaign):
    r = make_round(engine, campaign)
    response = _post(client, _vote(engine, r, "123456"), _cookie(), **{"HX-Request": "true"})
    assert (response.status_code, response.headers["hx-redirect"]) == (204, "/vote/counted")
    assert len(ballots(engine)) == 1


@pytest.mark.parametrize(
    "cookie",
    [
        lambda value: _cookie(),  # no session: the receipt check
        lambda value: _cookie(value[:-2] + "xx"),  # a forged signature
        lambda value: f"icon_session={value}",  # no CSRF cookie: a new one is set
        lambda value: _cookie(value) + '; x="quoted"',  # cookies no simple parser reads
    ],
    ids=["no-session", "forged", "no-csrf-cookie", "quoted-cookie"],
)
def test_lean_confirmation_page_leaves_the_unusual_to_the_full_stack(
    client, full, engine, campaign, cookie
):
    r = make_round(engine, campaign)
    value, _ = _session(_post(client, _vote(engine, r, "123456"), _cookie()))
    _get(client, _cookie(value))
    _get(client, cookie(value))

    lean = _get(client, cookie(value))
    expected = _get(full, cookie(value))

    assert _answer(lean) == _answer(expected)


def test_lean_vote_reads_the_edition_languages_as_the_full_stack(client, full, engine, campaign):
    """The offered languages come from the same short-lived copy OfferedLanguages reads."""
    r = make_round(engine, campaign)
    value, _ = _session(_post(client, _vote(engine, r, "123456"), _cookie()))
    _get(client, _cookie(value), **{"Accept-Language": "ur"})
    lean = _get(client, _cookie(value), **{"Accept-Language": "ur"})
    expected = _get(full, _cookie(value), **{"Accept-Language": "ur"})
    assert languages.known_interface_languages(engine) is not None
    assert _answer(lean) == _answer(expected)
    assert lean.headers["content-language"] == expected.headers["content-language"]


def _count(engine, model) -> int:
    from sqlmodel import Session, func, select

    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


@given(st.text(alphabet="ab=&+%20c3A9éx ;", max_size=40))
def test_the_lean_form_parser_reads_a_form_as_the_standard_library(text):
    assert form_pairs(text) == parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)


def test_the_lean_form_parser_refuses_too_many_fields_as_the_standard_library():
    text = "&".join(["a=1"] * (MAX_FIELDS + 1))
    with pytest.raises(ValueError, match="Max number of fields exceeded"):
        parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    with pytest.raises(ValueError, match="Max number of fields exceeded"):
        form_pairs(text)


def test_the_lean_session_signature_is_itsdangerous_own():
    sessions = Sessions(SECRET, 3600, https=False)
    data = base64.b64encode(json.dumps({"vote_receipt": {"code": "ABCDE-FGHIJ"}}).encode())
    signed = sessions.signer.sign(data)
    assert TimestampSigner(SECRET).unsign(signed, max_age=3600) == data
    assert signed.rsplit(b".", 1)[1] == TimestampSigner(SECRET).get_signature(
        signed.rsplit(b".", 1)[0]
    )
    assert sessions.load(signed.decode()) == ({"vote_receipt": {"code": "ABCDE-FGHIJ"}}, data)
    forged = signed[:-5] + (b"A" if signed[-5:-4] != b"A" else b"B") + signed[-4:]
    assert sessions.load(forged.decode()) == ({}, b"")


def test_a_signed_in_voter_is_checked_by_the_sessions_own_token(
    client, full, engine, campaign, manager
):
    """Signed in, the page's token is the session's own: the CSRF cookie's token, which the lean
    path would otherwise accept, is refused as the full stack refuses it."""
    r = make_round(engine, campaign)
    assert login(client, manager.email, PASSWORD).status_code == 303
    held = client.cookies["icon_session"]
    own = session_data(client)["csrf"]

    with_cookie_token = _post(client, _vote(engine, r, "123456"), _cookie(held))
    expected = _post(full, _vote(engine, r, "123456"), _cookie(held))
    body = urlencode({**_vote(engine, r, "654321"), "csrf_token": own}).encode()
    client.cookies.clear()
    with_own = client.post(
        "/vote", content=body, follow_redirects=False, headers=FORM | {"Cookie": _cookie(held)}
    )

    assert _answer(with_cookie_token) == _answer(expected)
    assert with_cookie_token.status_code == 403
    assert (with_own.status_code, with_own.headers["location"]) == (303, "/vote/counted")
    _, session = _session(with_own)
    assert session["uid"] == manager.id and session["csrf"] == own and "vote_receipt" in session
    assert len(ballots(engine)) == 1


class Stream:
    """A client's body in ``count`` chunks of ``size`` bytes, whatever its headers declared;
    ``read`` counts the chunks asked for."""

    def __init__(self, first: bytes, size: int = 1024, count: int = 1000) -> None:
        self.chunks = [first.ljust(size, b"x")] + [b"x" * size] * (count - 1)
        self.read = 0

    async def __call__(self) -> dict:
        self.read += 1
        more = self.read < len(self.chunks)
        return {"type": "http.request", "body": self.chunks[self.read - 1], "more_body": more}


def asgi_post(app, headers: list, receive, path: str = "/vote") -> tuple[int, list, bytes]:
    """A POST straight to the ASGI app: status, headers and body sent."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("41.73.96.12", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    sent = []

    async def send(message):
        sent.append(message)

    run_async(app(scope, receive, send))
    return sent[0]["status"], sent[0]["headers"], b"".join(m.get("body", b"") for m in sent[1:])


def test_a_body_longer_than_declared_is_read_no_further_than_the_cap(
    client, full, engine, campaign
):
    """8 KB is /vote's cap: the lean path stops at the ninth 1 KB chunk of a thousand, and the
    full stack's 413 follows, as it answers the same stream on its own."""
    r = make_round(engine, campaign)
    first = urlencode({"csrf_token": TOKEN, **_vote(engine, r, "123456"), "story": ""}).encode()
    headers = [
        (b"content-length", b"100"),
        (b"content-type", FORM["Content-Type"].encode()),
        (b"cookie", _cookie().encode()),
    ]
    lean, alone = Stream(first), Stream(first)

    fast = asgi_post(client.app, headers, lean)
    slow = asgi_post(full.app, headers, alone)

    assert (lean.read, alone.read) == (9, 9)
    assert fast == slow
    assert fast[0] == 413 and "Ce fichier est trop volumineux." in text_of(fast[2].decode())
    assert ballots(engine) == []


def test_a_chunked_vote_goes_to_the_full_stack_unread_even_with_a_length():
    """A length beside ``Transfer-Encoding`` says nothing of the body: web/body_limit.py counts
    it as it streams."""
    handed = []

    async def full_stack(scope, receive, send):
        handed.append(receive)

    lean = _alone(full_stack)
    stream = Stream(b"csrf_token=" + TOKEN.encode(), count=3)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/vote",
        "query_string": b"",
        "headers": [
            (b"content-length", b"100"),
            (b"transfer-encoding", b"chunked"),
            (b"content-type", FORM["Content-Type"].encode()),
            (b"cookie", _cookie().encode()),
        ],
    }

    run_async(lean(scope, stream, None))

    assert (handed, stream.read) == ([stream], 0)


ATTRIBUTE_NAMES = ["expires", "Path", "max-age", "DOMAIN", "secure", "HttpOnly", "samesite"]
ATTRIBUTE_NAMES += ["version", "Comment"]
COOKIE_NAMES = st.sampled_from(
    ["icon_csrf", "icon_session", "lang", "a", "x-y", "", "$Version", "$Path", "$x"]
    + ATTRIBUTE_NAMES
) | st.text(alphabet="aeEx-_$ =;", max_size=6)
COOKIE_VALUES = st.sampled_from(
    ["", TOKEN, "en", '"en"', '"a b"', '"a\\"b"', "a b", "=", "a=b", " x", "1"]
) | st.text(alphabet='ab1=+/."\\ ,-_', max_size=8)
PLAIN = st.text(alphabet="abcxyz019_-", min_size=1, max_size=8)


def _full_stacks_reading(header: str) -> tuple[dict, dict]:
    """The Cookie header as Starlette's cookie_parser reads it (the session, the language, the
    browser's hash) and as SimpleCookie does (the CSRF check, web.middleware._cookie)."""
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # noqa: BLE001 - as _cookie: no cookie at all
        jar = SimpleCookie()
    return cookie_parser(header), {name: morsel.value for name, morsel in jar.items()}


def _held_to_the_full_stack(header: str) -> None:
    lean = _cookies(header)
    if lean is None:
        return  # the full stack reads it
    starlette, simple = _full_stacks_reading(header)
    assert lean == starlette == simple
    scope = {"headers": [(b"cookie", header.encode("latin-1"))]}
    for name in {"icon_csrf", "icon_session", "lang", *lean}:
        assert middleware._cookie(scope, name) == lean.get(name)


@given(
    st.lists(
        st.tuples(
            COOKIE_NAMES, st.none() | COOKIE_VALUES, st.sampled_from(["; ", ";", " ; ", " "])
        ),
        max_size=5,
    )
)
def test_the_lean_cookie_parser_reads_a_header_as_the_full_stack(pieces):
    header = "".join(
        name + ("" if value is None else "=" + value) + sep for name, value, sep in pieces
    )
    for cut in (header, header.rstrip("; ")):
        _held_to_the_full_stack(cut)


@given(st.dictionaries(PLAIN, PLAIN | st.just(""), min_size=1, max_size=5))
def test_the_lean_cookie_parser_reads_plain_cookies_itself(jar):
    jar = {name: value for name, value in jar.items() if name.lower() not in ATTRIBUTE_NAMES}
    header = "; ".join(f"{name}={value}" for name, value in jar.items())
    if jar:
        assert _cookies(header) == jar
        _held_to_the_full_stack(header)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"icon_csrf={TOKEN}; lang=en", {"icon_csrf": TOKEN, "lang": "en"}),
        ("icon_csrf=; lang=", {"icon_csrf": "", "lang": ""}),
        ("a=b=c", {"a": "b=c"}),
        # SimpleCookie reads no cookie at all, Starlette two: the full stack's two readings differ
        (f"expires=1; icon_csrf={TOKEN}", None),
        (f"Max-Age=0; icon_csrf={TOKEN}", None),
        # SimpleCookie reads an attribute of icon_csrf, Starlette a cookie named so
        (f"icon_csrf={TOKEN}; path=/", None),
        (f"icon_csrf={TOKEN}; SameSite=Lax", None),
        (f"$Version=1; icon_csrf={TOKEN}", None),
        (f'icon_csrf="{TOKEN}"', None),
        (f"icon_csrf={TOKEN}; icon_csrf=x", None),
        (f"icon_csrf={TOKEN};lang=en", None),
        (f"icon_csrf={TOKEN}; secure", None),
    ],
)
def test_the_lean_cookie_parser_leaves_what_the_full_stack_reads_otherwise(header, expected):
    assert _cookies(header) == expected
    _held_to_the_full_stack(header)


def test_a_vote_with_an_attribute_before_the_csrf_cookie_is_refused_as_the_full_stack(
    client, full, engine, campaign
):
    """To the CSRF check (SimpleCookie) ``expires=1; icon_csrf=..`` holds no cookie: a 403,
    never a vote counted on the lean path."""
    r = make_round(engine, campaign)
    cookie = f"expires=1; {_cookie()}"

    fast = _post(client, _vote(engine, r, "123456"), cookie)
    slow = _post(full, _vote(engine, r, "123456"), cookie)

    assert _answer(fast) == _answer(slow)
    assert fast.status_code == 403 and ballots(engine) == []


def _lean_vote(app) -> LeanVote:
    """The LeanVote the app's middleware stack runs (the stack is built as the client starts)."""
    layer = app.middleware_stack
    while not isinstance(layer, LeanVote):
        layer = layer.app
    return layer


@pytest.mark.parametrize(
    ("accept", "lang"),
    [("xx;q=0.1, " * 20 + "en;q=0.9", ""), ("en", "x" * 201)],
    ids=["long-accept-language", "long-lang-cookie"],
)
def test_a_language_chosen_from_a_long_header_is_answered_and_not_kept(
    client, full, engine, campaign, accept, lang
):
    r = make_round(engine, campaign)
    value, _ = _session(_post(client, _vote(engine, r, "123456"), _cookie()))
    cookie = _cookie(value, **({"lang": lang} if lang else {}))
    for _ in range(2):  # the first reads the edition's languages; the second is kept
        _get(client, _cookie(value), **{"Accept-Language": "en"})
    _get(client, cookie, **{"Accept-Language": accept})
    cached = dict(_lean_vote(client.app).languages)

    lean = _get(client, cookie, **{"Accept-Language": accept})
    expected = _get(full, cookie, **{"Accept-Language": accept})

    assert _answer(lean) == _answer(expected)
    assert lean.headers["content-language"] == "en" and "Moussa Traoré" in lean.text
    assert _lean_vote(client.app).languages == cached
    assert [key[:2] for key in cached] == [(None, "en")]


def _refuse(*args, **kwargs):
    raise RuntimeError("a third-party call failed")


def test_a_counted_vote_the_lean_path_cannot_answer_gets_the_full_stacks_answer(
    client, full, engine, campaign, monkeypatch
):
    """Only the lean path signs with ``hmac.digest`` (itsdangerous uses ``hmac.new``): with it
    failing after the commit, the full stack answers the vote from the batch's receipt."""
    r = make_round(engine, campaign)
    with monkeypatch.context() as patched:
        patched.setattr(hmac, "digest", _refuse)
        lean = _post(client, _vote(engine, r, "123456"), _cookie())
    other = _post(
        full, _vote(engine, r, "654321", "+22376999956", "76 99 99 56"), _cookie(), lean=False
    )

    strip = lambda a: [(k, v) for k, v in a[1] if k != "set-cookie"]  # noqa: E731
    assert (lean.status_code, lean.headers["location"]) == (303, "/vote/counted")
    assert strip(_answer(lean)) == strip(_answer(other))
    mine = _session(lean)[1]["vote_receipt"]
    assert {mine.pop("code"), _session(other)[1]["vote_receipt"]["code"]} == {
        receipts.format_receipt(b.receipt) for b in ballots(engine)
    }
    assert mine == {
        "round_title": "Premier tour",
        "candidate_number": 2,
        "candidate_name": "Moussa Traoré",
    }
    assert [b.channel for b in ballots(engine)] == ["web", "web"]


def test_a_counted_vote_no_session_can_take_still_goes_to_the_confirmation(
    client, engine, campaign, monkeypatch
):
    """With itsdangerous failing to sign after the commit, on both paths: no error page for a
    vote that counted, and the session cleared, so the confirmation never shows the receipt of
    the vote before as this one's."""
    r = make_round(engine, campaign)
    before, _ = _session(
        _post(client, _vote(engine, r, "111111", "+22376999956", "76 99 99 56"), _cookie())
    )
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "sign", _refuse)
        second = _post(client, _vote(engine, r, "222222"), _cookie(before))
    then = _get(client, _cookie())

    assert (second.status_code, second.headers.multi_items(), second.content) == (
        303,
        [
            ("content-length", "0"),
            ("location", "/vote/counted"),
            (
                "set-cookie",
                "icon_session=null; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly; "
                "samesite=lax",
            ),
            *((k.lower(), v) for k, v in middleware.security_headers(https=False)),
        ],
        b"",
    )
    assert len(ballots(engine)) == 2
    assert (then.status_code, then.headers["location"]) == (303, "/vote/receipt")


def test_a_confirmation_page_the_lean_path_cannot_make_is_the_full_stacks(
    client, full, engine, campaign, monkeypatch
):
    """Only the lean path gzips with ``zlib.compress`` (Starlette's GZipMiddleware streams
    through ``gzip.GzipFile``): with it failing, the receipt page is the full stack's."""
    r = make_round(engine, campaign)
    value, _ = _session(_post(client, _vote(engine, r, "123456"), _cookie()))
    cookie, gzipped = _cookie(value), {"Accept-Encoding": "gzip"}
    _get(client, cookie, **gzipped)  # the first visitor's page proves the filled one
    with monkeypatch.context() as patched:
        patched.setattr(zlib, "compress", _refuse)
        lean = _get(client, cookie, **gzipped)
    expected = _get(full, cookie, **gzipped)

    assert _answer(lean) == _answer(expected)
    assert lean.status_code == 200 and lean.headers["content-encoding"] == "gzip"
    assert "Moussa Traoré" in lean.text
