"""Request bodies are capped per route before anything reads them: a declared length over the
cap is refused unread, a streamed body stops being read at the cap, and nothing changes."""

from __future__ import annotations

from campaign.models import InboundSms
from tests.conftest import post, run_async
from tests.voting.test_ballot_box import count, make_round
from tests.web.test_sms_inbound import _post
from voting.models import VoteCode

CHUNK = 64 * 1024


def _call(app, path: str, *, declared: int | str | None, chunks: int) -> tuple[int, int]:
    """Posts ``chunks`` of 64 KB (declaring ``declared`` bytes, or chunked); returns the status
    and how many chunks the app pulled."""
    pulled, statuses = 0, []
    headers = [(b"content-type", b"application/x-www-form-urlencoded"), (b"host", b"testserver")]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }  # fmt: skip

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"a" * CHUNK, "more_body": pulled < chunks}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    run_async(app(scope, receive, send))
    return statuses[0], pulled


def test_a_declared_400_mb_sms_is_refused_unread(app, engine, campaign):
    status, pulled = _call(app, "/sms/inbound", declared=400 * 1024 * 1024, chunks=6400)
    assert (status, pulled, count(engine, InboundSms)) == (413, 0, 0)


def test_a_streamed_body_stops_being_read_at_the_cap(app, engine, campaign):
    make_round(engine, campaign)
    status, pulled = _call(app, "/vote/code", declared=None, chunks=6400)
    assert (status, pulled, count(engine, VoteCode)) == (413, 1, 0)  # 8 KB: the first chunk


def test_a_form_over_its_cap_is_refused_before_the_csrf_check_reads_it(app):
    status, pulled = _call(app, "/nominate", declared=None, chunks=6400)
    assert (status, pulled) == (413, 2)  # 64 KB: the second chunk passes it


def test_a_staff_form_may_be_larger_than_a_public_one(app):
    status, pulled = _call(app, "/manage/nominees/regroup", declared=None, chunks=17)
    assert (status, pulled) == (413, 17)  # 1 MB: the seventeenth chunk passes it


def test_a_nonsense_content_length_is_refused_unread(app):
    for declared in ("²", "-1", "1e9", "١٢"):
        assert _call(app, "/vote", declared=declared, chunks=1) == (413, 0)


def test_forms_within_their_caps_still_work(client, engine, campaign):
    r = make_round(engine, campaign)
    sent = post(client, "/vote/code", {"round_id": r.id, "phone": "76 12 34 56"})
    assert (sent.status_code, count(engine, VoteCode)) == (200, 1)
    reply = _post(client, {"from": "+22376123456", "text": "ICON 1", "id": "g"})
    assert reply.status_code == 200 and reply.text.startswith("Merci !")
