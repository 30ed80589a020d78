"""The ballot box: codes, web and SMS votes, receipts; one vote per phone per round, whatever
the channel or the timing (100 concurrent attempts count once, on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from functools import partial

import httpx
import pytest
from sqlmodel import func, select

from campaign import db, phones, ratelimit, sms_commands, sms_inbound
from campaign.errors import Invalid, NotFound, PhaseClosed
from campaign.models import InboundSms, SmsMessage
from campaign.sms import HttpGateway, OutboxGateway
from tests.conftest import SECRET
from tests.factories import make_campaign, make_nomination
from voting import ballot_box, receipts, vote_codes
from voting import sms as voting_sms
from voting.errors import AlreadyVoted, CodeNotSent, RateLimited
from voting.models import Ballot, Candidate, Round, VoteAttempt, VoteCode

PHONE, E164 = "76 12 34 56", "+22376123456"
NAMES = ("Aminata Goïta", "Moussa Traoré", "Fanta Coulibaly")


def make_round(engine, campaign, *, opens=-1, closes=1, title="Premier tour", **kw) -> Round:
    """A round (hours from now) with candidates 1..3, as voting/rounds.py will make them."""
    ids = [make_nomination(engine, nominee_name=n).nominee_id for n in NAMES]
    now = db.utcnow()
    with db.session(engine) as s, s.begin():
        r = Round(
            campaign_id=campaign.id,
            title=title,
            opens_at=now + timedelta(hours=opens),
            closes_at=now + timedelta(hours=closes),
            **kw,
        )
        s.add(r)
        s.flush()
        for number, (nominee_id, name) in enumerate(zip(ids, NAMES, strict=True), start=1):
            s.add(Candidate(round_id=r.id, number=number, nominee_id=nominee_id, name=name))
    return r


@pytest.fixture
def rnd(engine, campaign):
    return make_round(engine, campaign)


def count(engine, model, *where) -> int:
    with db.session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def ballots(engine) -> list[Ballot]:
    with db.session(engine) as s:
        return list(s.exec(select(Ballot).order_by(Ballot.id)))


def request(engine, round_id, phone=PHONE, send=None) -> str:
    send = send or OutboxGateway(engine, SECRET).send
    return vote_codes.request_code(engine, SECRET, send, round_id, phone, "1.2.3.4", "b1")


def last_code(engine) -> str:
    with db.session(engine) as s:
        body = s.exec(select(SmsMessage.body).order_by(SmsMessage.id.desc())).first()
    return re.search(r"\b(\d{6})\b", body).group(1)


def vote_web(engine, round_id, code, number=2, phone=PHONE):
    return vote_codes.cast_web(engine, SECRET, round_id, phone, code, number, "1.2.3.4", "b1")


def add_code(engine, round_id, code, e164=E164, minutes=10, tries=0):
    now = db.utcnow()
    with db.session(engine) as s, s.begin():
        s.add(
            VoteCode(
                round_id=round_id,
                phone_hash=phones.keyed_hash(SECRET, e164, "voter"),
                code_hash=vote_codes.code_hash(SECRET, round_id, e164, code),
                expires_at=now + timedelta(minutes=minutes),
                tries=tries,
            )
        )


def _is_vote(text: str) -> bool:
    """What the site's SMS router sends to the vote handler (web/routes/sms.py)."""
    command = sms_commands.parse(text)
    return command is not None and command.kind == "vote"


def sms(engine, text, gateway_id=None, sender="+22376123456") -> str:
    vote = sms_inbound.Route("VOTE", partial(voting_sms.record, secret_key=SECRET))
    return sms_inbound.handle(
        engine,
        SECRET,
        gateway_id,
        sender,
        text,
        lambda t: vote if _is_vote(t) else None,
        lambda msgid, params: msgid % params,
    )


# open_round


def test_open_round_is_the_latest_open_not_closed_one(engine, campaign):
    make_round(engine, campaign, opens=-5, closes=-1, title="Passé")
    make_round(engine, campaign, opens=1, closes=5, title="Futur")
    early = make_round(engine, campaign, opens=-3, closes=3, title="Tôt")
    closed = make_round(engine, campaign, opens=-1, closes=3, title="Clos")
    with db.session(engine) as s, s.begin():
        s.get(Round, closed.id).closed_at = db.utcnow()
    assert ballot_box.open_round(engine, campaign).id == early.id


def test_open_round_none_when_no_round_is_open(engine, campaign):
    make_round(engine, campaign, opens=1, closes=5)
    assert ballot_box.open_round(engine, campaign) is None


# request_code


def test_request_code_sends_a_code_and_stores_only_hashes(engine, rnd):
    masked = request(engine, rnd.id)
    code = last_code(engine)
    with db.session(engine) as s:
        [row] = s.exec(select(VoteCode)).all()
        [attempt] = s.exec(select(VoteAttempt)).all()
        [message] = s.exec(select(SmsMessage)).all()
    assert masked == "+223 •••• 56"
    assert (message.to, message.to_hash) == (
        "+223 76 •• •• 56",
        phones.keyed_hash(SECRET, E164, "sms-to"),
    )
    assert message.body == f"Integrity Icon: your voting code is {code}. It expires in 10 minutes."
    assert (row.phone_hash, row.code_hash) == (
        phones.keyed_hash(SECRET, E164, "voter"),
        phones.keyed_hash(SECRET, f"{rnd.id}:{E164}:{code}", "vote-code"),
    )
    assert row.expires_at - row.created_at == timedelta(minutes=10)
    assert (attempt.kind, attempt.channel, attempt.phone_seq, attempt.address) == (
        "code_sent",
        "web",
        phones.run_token(SECRET, E164),
        "1.2.3.4",
    )


def test_request_code_foreign_number_is_refused_and_nothing_stored(engine, rnd):
    with pytest.raises(Invalid) as exc:
        request(engine, rnd.id, phone="+33 6 12 34 56 78")
    assert exc.value.errors == {"phone": "Only phone numbers from the campaign's country can vote."}
    assert (count(engine, VoteCode), count(engine, SmsMessage)) == (0, 0)


def test_request_code_invalid_number_is_refused_and_nothing_stored(engine, rnd):
    with pytest.raises(Invalid) as exc:
        request(engine, rnd.id, phone="12")
    assert exc.value.errors == {"phone": "This phone number is not valid."}
    assert (count(engine, VoteCode), count(engine, SmsMessage)) == (0, 0)


def test_request_code_fourth_in_an_hour_is_rate_limited(engine, rnd):
    for _ in range(3):
        request(engine, rnd.id)
    with db.session(engine) as s:
        first = s.exec(select(VoteCode.created_at).order_by(VoteCode.id)).first()
    with pytest.raises(RateLimited) as exc:
        request(engine, rnd.id, phone="+223 76 12 34 56")
    assert exc.value.message == "Three codes were already sent to this number this hour."
    assert exc.value.until == first + timedelta(hours=1)
    assert (count(engine, VoteCode), count(engine, SmsMessage)) == (3, 3)


def test_request_code_after_voting_answers_as_for_any_number_and_the_code_says_voted(engine, rnd):
    # Whether a number voted is told only to whoever holds its code.
    assert sms(engine, "ICON 1").startswith("Thank you!")
    assert request(engine, rnd.id) == "+223 •••• 56"
    assert (count(engine, VoteCode), count(engine, SmsMessage)) == (1, 1)
    with pytest.raises(Invalid):
        vote_web(engine, rnd.id, "000000" if last_code(engine) != "000000" else "111111")
    with pytest.raises(AlreadyVoted) as exc:
        vote_web(engine, rnd.id, last_code(engine))
    assert exc.value.message == "This phone number has already voted in this round."
    assert len(ballots(engine)) == 1


def test_request_code_gateway_failure_is_a_clear_error(engine, rnd):
    down = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(500)))
    gateway = HttpGateway(engine, "http://gateway.invalid/send", "k", tries=1, client=down)
    with pytest.raises(CodeNotSent) as exc:
        request(engine, rnd.id, send=gateway.send)
    assert (exc.value.message, exc.value.status) == ("The code could not be sent. Try again.", 503)
    assert count(engine, VoteCode) == 1


@pytest.mark.parametrize(("opens", "closes"), [(1, 2), (-2, -1)])
def test_request_code_outside_the_round_is_refused(engine, campaign, opens, closes):
    r = make_round(engine, campaign, opens=opens, closes=closes)
    with pytest.raises(PhaseClosed) as exc:
        request(engine, r.id)
    assert exc.value.message == "This vote is not open."
    assert (count(engine, VoteCode), count(engine, SmsMessage)) == (0, 0)


# cast_web


def test_cast_web_counts_the_vote_and_returns_a_receipt(engine, rnd):
    request(engine, rnd.id)
    receipt = vote_web(engine, rnd.id, last_code(engine), number="2")
    [ballot] = ballots(engine)
    with db.session(engine) as s:
        code = s.exec(select(VoteCode)).one()
        vote = s.exec(select(VoteAttempt).where(VoteAttempt.kind == "vote")).one()
    assert (receipt.code, receipt.round_title, receipt.candidate_number) == (
        ballot.receipt,
        "Premier tour",
        2,
    )
    assert receipt.candidate_name == "Moussa Traoré"
    assert len(ballot.receipt) == 10
    assert set(ballot.receipt) <= set(receipts.CODE_ALPHABET)
    assert (ballot.channel, ballot.voter_hash) == ("web", phones.keyed_hash(SECRET, E164, "voter"))
    assert E164 not in str(ballot.model_dump())
    assert code.used is True
    assert (vote.candidate, vote.ballot_id, vote.channel) == (None, ballot.id, "web")


def test_cast_web_wrong_code_costs_a_try_and_counts_nothing(engine, rnd):
    request(engine, rnd.id)
    wrong = "000000" if last_code(engine) != "000000" else "111111"
    with pytest.raises(Invalid) as exc:
        vote_web(engine, rnd.id, wrong)
    assert exc.value.errors == {"code": "This code is not right. Check it and try again."}
    with db.session(engine) as s:
        assert s.exec(select(VoteCode.tries)).one() == 1
    assert count(engine, VoteAttempt, VoteAttempt.kind == "code_failed") == 1
    assert ballots(engine) == []


def test_cast_web_fifth_wrong_code_kills_the_code(engine, rnd):
    add_code(engine, rnd.id, "123456", tries=4)
    with pytest.raises(Invalid) as fifth:
        vote_web(engine, rnd.id, "654321")
    with pytest.raises(Invalid) as right_too_late:
        vote_web(engine, rnd.id, "123456")
    assert fifth.value.errors == {"code": "Too many wrong codes. Ask for a new code."}
    assert right_too_late.value.errors == {"code": vote_codes.CODE_GONE}
    assert ballots(engine) == []


def test_cast_web_expired_code_is_refused(engine, rnd):
    add_code(engine, rnd.id, "123456", minutes=-1)
    with pytest.raises(Invalid) as exc:
        vote_web(engine, rnd.id, "123456")
    assert exc.value.errors == {
        "code": "This code has expired or was already used. Ask for a new code."
    }
    assert ballots(engine) == []


def test_cast_web_reused_code_is_already_voted_and_counts_once(engine, rnd):
    add_code(engine, rnd.id, "123456")
    vote_web(engine, rnd.id, "123456", number=1)
    with pytest.raises(AlreadyVoted):
        vote_web(engine, rnd.id, "123456", number=3)
    assert [b.candidate_id for b in ballots(engine)] == [candidate_id(engine, rnd.id, 1)]


def test_cast_web_code_of_another_phone_is_refused(engine, rnd):
    add_code(engine, rnd.id, "123456", e164="+22366123456")
    with pytest.raises(Invalid) as exc:
        vote_web(engine, rnd.id, "123456")
    assert exc.value.errors == {"code": vote_codes.CODE_GONE}
    assert ballots(engine) == []


@pytest.mark.parametrize(
    "code",
    ["", "12345", "1234567", "abcdef", "😀😀😀😀😀😀", pytest.param("1" * 2000, id="2000-digits")],
)
def test_cast_web_malformed_code_is_refused(engine, rnd, code):
    add_code(engine, rnd.id, "123456")
    with pytest.raises(Invalid) as exc:
        vote_web(engine, rnd.id, code)
    assert exc.value.errors == {"code": "Enter the 6-digit code we sent you by SMS."}
    assert ballots(engine) == []


@pytest.mark.parametrize("number", [4, 0, "99"])
def test_cast_web_number_not_on_the_ballot_is_refused(engine, rnd, number):
    add_code(engine, rnd.id, "123456")
    with pytest.raises(Invalid) as exc:
        vote_web(engine, rnd.id, "123456", number=number)
    assert exc.value.errors == {"candidate": "This number is not on the ballot."}
    assert ballots(engine) == []


@pytest.mark.parametrize(
    "number",
    ["", "-1", "2; DROP TABLE ballot", "😀", pytest.param("1" * 2000, id="2000-digits"), None],
)
def test_cast_web_forged_candidate_is_refused(engine, rnd, number):
    add_code(engine, rnd.id, "123456")
    with pytest.raises(Invalid) as exc:
        vote_web(engine, rnd.id, "123456", number=number)
    assert exc.value.errors == {"candidate": "Choose a candidate."}
    assert ballots(engine) == []


def candidate_id(engine, round_id, number) -> int:
    with db.session(engine) as s:
        return s.exec(
            select(Candidate.id).where(Candidate.round_id == round_id, Candidate.number == number)
        ).one()


@pytest.mark.parametrize(("opens", "closes"), [(1, 2), (-2, -1)])
def test_cast_web_before_opening_or_after_closing_is_refused(engine, campaign, opens, closes):
    r = make_round(engine, campaign, opens=opens, closes=closes)
    add_code(engine, r.id, "123456")
    with pytest.raises(PhaseClosed) as exc:
        vote_web(engine, r.id, "123456")
    assert exc.value.message == "This vote is not open."
    assert ballots(engine) == []


def test_cast_web_in_a_round_of_another_campaign_is_refused(engine, campaign):
    old = make_campaign(engine, year=campaign.year - 1)
    foreign = make_round(engine, old)
    add_code(engine, foreign.id, "123456")
    with pytest.raises(NotFound):
        vote_web(engine, foreign.id, "123456")
    assert ballots(engine) == []


def test_cast_web_code_of_another_round_is_refused(engine, campaign):
    closed = make_round(engine, campaign, opens=-3, closes=-2)
    current = make_round(engine, campaign, title="Second tour")
    add_code(engine, closed.id, "123456")
    with pytest.raises(Invalid) as exc:
        vote_web(engine, current.id, "123456")
    assert exc.value.errors == {"code": vote_codes.CODE_GONE}
    assert ballots(engine) == []


# SMS and web together


def test_web_then_sms_same_phone_counts_once(engine, rnd):
    add_code(engine, rnd.id, "123456")
    vote_web(engine, rnd.id, "123456", number=1)
    reply = sms(engine, "ICON 3")
    assert reply == "You have already voted in this round. Your first vote stands."
    assert [(b.channel, b.candidate_id) for b in ballots(engine)] == [
        ("web", candidate_id(engine, rnd.id, 1))
    ]


def test_sms_then_web_same_phone_counts_once(engine, rnd):
    add_code(engine, rnd.id, "123456")
    sms(engine, "3")
    with pytest.raises(AlreadyVoted):
        vote_web(engine, rnd.id, "123456", number=1)
    assert [(b.channel, b.candidate_id) for b in ballots(engine)] == [
        ("sms", candidate_id(engine, rnd.id, 3))
    ]


@pytest.mark.parametrize("text", ["ICON 3", "icon 3", "3", "vote 3", "VOTE   3", " Icon3 ", "03"])
def test_sms_patterns_vote_for_candidate_three(engine, rnd, text):
    reply = sms(engine, text)
    [ballot] = ballots(engine)
    assert reply == (
        "Thank you! Your vote for number 3, Fanta Coulibaly, is counted. "
        f"Receipt: {receipts.format_receipt(ballot.receipt)}."
    )
    assert (ballot.channel, ballot.candidate_id) == ("sms", candidate_id(engine, rnd.id, 3))


@pytest.mark.parametrize("text", ["ICON 3", "3", "vote 12", "VOTE", "icon 😀", "12 "])
def test_sms_matches_vote_texts(text):
    assert _is_vote(text) is True


@pytest.mark.parametrize("text", ["NOM Aminata", "bonjour", "😀", "", "ICONIQUE 3", "3 votes"])
def test_sms_does_not_match_other_texts(text):
    assert _is_vote(text) is False


def test_check_receipt_says_counted_without_the_choice(engine, rnd):
    add_code(engine, rnd.id, "123456")
    receipt = vote_web(engine, rnd.id, "123456")
    found = receipts.check_receipt(engine, receipts.format_receipt(receipt.code).lower())
    assert (found.found, found.round_title, found.at, found.void) == (
        True,
        "Premier tour",
        receipt.at,
        False,
    )


def test_check_receipt_says_voided(engine, rnd):
    add_code(engine, rnd.id, "123456")
    receipt = vote_web(engine, rnd.id, "123456")
    with db.session(engine) as s, s.begin():
        s.exec(select(Ballot)).one().void = True
    assert receipts.check_receipt(engine, receipt.code).void is True


def test_check_receipt_wrong_guesses_are_limited_per_address(engine, rnd):
    add_code(engine, rnd.id, "123456")
    receipt = vote_web(engine, rnd.id, "123456")
    for _ in range(ratelimit.GUESS_LIMIT):
        assert receipts.check_receipt(engine, "AAAAA-AAAAA", "9.9.9.9").found is False
    limited = receipts.check_receipt(engine, receipt.code, "9.9.9.9")
    elsewhere = receipts.check_receipt(engine, receipt.code, "8.8.8.8")
    assert (limited.found, limited.limited, elsewhere.found) == (False, True, True)


# Safety: 100 concurrent votes from one phone


def test_hundred_concurrent_votes_from_one_phone_count_once(engine, rnd):
    # The webhook allows 20 SMS per sender and hour: 20 SMS, 80 web votes, each with its own code.
    web_codes = [f"{100000 + i}" for i in range(80)]
    for code in web_codes:
        add_code(engine, rnd.id, code)
    barrier = threading.Barrier(100)
    receipts, already, sms_thanks, errors = [], [], [], []
    lock = threading.Lock()

    def by_web(code):
        barrier.wait()
        try:
            result = vote_web(engine, rnd.id, code, number=1)
            with lock:
                receipts.append(result)
        except AlreadyVoted:
            with lock:
                already.append(code)
        except Exception as exc:  # noqa: BLE001 - the assertion below reports any
            with lock:
                errors.append(repr(exc))

    def by_sms(i):
        barrier.wait()
        try:
            reply = sms(engine, "ICON 2", gateway_id=f"gw-{i}")
        except Exception as exc:  # noqa: BLE001
            with lock:
                errors.append(repr(exc))
            return
        with lock:
            if reply.startswith("Thank you!"):
                sms_thanks.append(reply)
            elif reply == voting_sms.SMS_ALREADY:
                already.append(reply)
            else:
                errors.append(reply)

    threads = [threading.Thread(target=by_web, args=(c,)) for c in web_codes]
    threads += [threading.Thread(target=by_sms, args=(i,)) for i in range(20)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert (len(receipts) + len(sms_thanks), len(already)) == (1, 99)
    assert count(engine, Ballot, Ballot.round_id == rnd.id) == 1
    assert count(engine, VoteAttempt, VoteAttempt.kind == "vote") == 1
    assert count(engine, InboundSms) == 20
    assert time.monotonic() - started < 20
