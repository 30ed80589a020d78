"""The ballot box: one vote per person (phone number) per round, by web (SMS code) or by SMS.

A phone number never sits beside a ballot: ballots keep a keyed hash. The unique constraint on
(round, voter hash) is the rule; the checks before it only give friendlier answers, so concurrent
attempts from one phone (web and SMS mixed) count once whatever their timing. A vote is
acknowledged (receipt, SMS reply) only once its transaction committed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campaign import campaigns, db, phones, ratelimit, sms_commands
from campaign.errors import DomainError, Invalid, NotFound, PhaseClosed
from campaign.i18n import N_
from campaign.models import Campaign
from campaign.sms import SmsGatewayError
from nominations import jury_view
from nominations.intake import CODE_ALPHABET
from voting.models import Ballot, Candidate, Round, VoteAttempt, VoteChannel, VoteCode

CODE_TTL, CODE_TRIES = timedelta(minutes=10), 5
CODES_PER_HOUR, CODE_WINDOW = 3, timedelta(hours=1)
# From one address (a cybercafe, a carrier's NAT: generous) or one browser, per hour.
CODES_PER_ADDRESS, CODES_PER_BROWSER = 30, 6
BUDGET_WINDOW = timedelta(minutes=1)
TOO_MANY_FOR_PHONE = N_("Three codes were already sent to this number this hour.")
TOO_MANY_FROM_HERE = N_("Too many codes were asked from here. Try again later.")
OVER_BUDGET = N_("Many people are asking for a code right now. Try again in a minute.")
RECEIPT_LENGTH = 10
SMS_CODE = N_("Integrity Icon: your voting code is %(code)s. It expires in 10 minutes.")
CODE_GONE = N_("This code has expired or was already used. Ask for a new code.")
SMS_CLOSED = N_("No vote is open right now.")
SMS_NO_SMS = N_("Voting by SMS is not open in this round.")
SMS_HELP = N_(
    "Send %(vote_word)s followed by the candidate's number, for example %(vote_word)s %(example)d."
)
SMS_FOREIGN = N_("Only phone numbers from the campaign's country can vote.")
SMS_NO_SUCH = N_("There is no candidate number %(number)d. Valid numbers: %(first)d to %(last)d.")
SMS_ALREADY = N_("You have already voted in this round. Your first vote stands.")
SMS_THANKS = N_(
    "Thank you! Your vote for number %(number)d, %(name)s, is counted. Receipt: %(receipt)s."
)


class AlreadyVoted(DomainError):
    status = 409

    def __init__(self) -> None:
        super().__init__(N_("This phone number has already voted in this round."))


class RateLimited(DomainError):
    status = 429

    def __init__(self, until: datetime, message: str = TOO_MANY_FOR_PHONE) -> None:
        super().__init__(message)
        self.until = until


class CodeNotSent(DomainError):
    status = 503

    def __init__(self) -> None:
        super().__init__(N_("The code could not be sent. Try again."))


@dataclass(frozen=True)
class Receipt:
    code: str  # as stored; ``format_receipt`` shows it
    round_title: str
    at: datetime
    candidate_number: int
    candidate_name: str


@dataclass(frozen=True)
class ReceiptCheck:
    found: bool
    round_title: str = ""
    at: datetime | None = None
    void: bool = False
    limited: bool = False


def open_round(s_or_engine: Session | Engine, campaign: Campaign) -> Round | None:
    """The campaign's round open now (the latest opened, if rounds overlap)."""
    if isinstance(s_or_engine, Engine):
        with db.session(s_or_engine) as s:
            return open_round(s, campaign)
    now = db.utcnow()
    query = (
        select(Round)
        .where(Round.campaign_id == campaign.id, Round.opens_at <= now, Round.closes_at > now)
        .where(col(Round.closed_at).is_(None))
        .order_by(col(Round.opens_at).desc(), col(Round.id).desc())
    )
    return s_or_engine.exec(query).first()


def format_receipt(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def clean_receipt(raw: str) -> str:
    code = re.sub(r"[\s\-.]", "", (raw or "").upper())[:30]
    if len(code) != RECEIPT_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return ""
    return code


def _voter(secret_key: str, raw_phone: str, campaign: Campaign) -> str:
    """The number in E.164; only the campaign's own country's numbers vote."""
    e164 = phones.normalise(raw_phone, campaign.phone_country)
    if phones.national(e164, campaign.phone_country) is None:
        raise Invalid({"phone": SMS_FOREIGN})
    return e164


def _open_round_for_vote(s: Session, round_id: int) -> tuple[Round, Campaign]:
    campaign = campaigns.current_in(s)
    r = s.get(Round, round_id) if isinstance(round_id, int) else None
    if r is not None and campaign is not None and r.campaign_id != campaign.id:
        campaigns.ensure_editable(s.get(Campaign, r.campaign_id))
    if campaign is None or r is None or r.campaign_id != campaign.id:
        raise NotFound(N_("This vote does not exist."))
    current = open_round(s, campaign)
    if current is None or current.id != r.id or not r.web_enabled:
        raise PhaseClosed(N_("This vote is not open."))
    return r, campaign


def _has_voted(s: Session, round_id: int, voter_hash: str) -> bool:
    found = s.exec(
        select(Ballot.id).where(Ballot.round_id == round_id, Ballot.voter_hash == voter_hash)
    ).first()
    return found is not None


def _attempt(secret_key, round_id, channel, kind, voter_hash, e164, **extra) -> VoteAttempt:
    """No choice beside the phone's hash: a vote's candidate is its ballot's (``ballot_id``)."""
    return VoteAttempt(
        round_id=round_id,
        channel=channel,
        kind=kind,
        phone_hash=voter_hash,
        phone_seq=phones.run_token(secret_key, e164),
        **extra,
    )


def code_hash(secret_key: str, round_id: int, e164: str, code: str) -> str:
    return phones.keyed_hash(secret_key, f"{round_id}:{e164}:{code}", "vote-code")


def request_code(
    engine: Engine,
    secret_key: str,
    send: Callable[[str, str], object],
    round_id: int,
    raw_phone: str,
    address: str,
    browser: str,
    message: str = SMS_CODE,
) -> str:
    """Stores a 6-digit code and sends it by SMS (after commit); returns the masked number.
    ``message`` is the SMS text (translated by the caller) with ``%(code)s``."""
    now = db.utcnow()
    address, browser = address[:64], browser[:64]
    with db.session(engine) as s, s.begin():
        r, campaign = _open_round_for_vote(s, round_id)
        e164 = _voter(secret_key, raw_phone, campaign)
        voter_hash = phones.keyed_hash(secret_key, e164, "voter")
        refused = _code_limits(s, r, voter_hash, address, browser, now)
        if refused is None:
            code = f"{secrets.randbelow(10**6):06d}"
            s.add(
                VoteCode(
                    round_id=r.id,
                    phone_hash=voter_hash,
                    code_hash=code_hash(secret_key, r.id, e164, code),
                    created_at=now,
                    expires_at=now + CODE_TTL,
                )
            )
        kind = "code_sent" if refused is None else "code_refused"  # a flood is a fraud signal
        s.add(
            _attempt(
                secret_key,
                r.id,
                VoteChannel.web,
                kind,
                voter_hash,
                e164,
                address=address,
                browser=browser,
            )
        )
    if refused is not None:
        raise refused
    try:
        send(e164, message % {"code": code})
    except SmsGatewayError as exc:
        raise CodeNotSent() from exc
    return phones.masked(e164)


def _code_limits(s: Session, r: Round, voter_hash: str, address: str, browser: str, now):
    """The limit a code request passes beyond, or None (and then it is counted). Each check
    locks its key until the caller's unit commits: concurrent requests cannot both pass.
    The same answer whether or not the number voted: that is said once the code is checked."""
    limits = [
        (f"vote-code-phone:{voter_hash}", CODES_PER_HOUR, CODE_WINDOW, TOO_MANY_FOR_PHONE),
        (f"vote-code-address:{address}", CODES_PER_ADDRESS, CODE_WINDOW, TOO_MANY_FROM_HERE),
        (f"vote-code-browser:{browser}", CODES_PER_BROWSER, CODE_WINDOW, TOO_MANY_FROM_HERE),
        (f"vote-code-budget:{r.id}", r.code_budget, BUDGET_WINDOW, OVER_BUDGET),
    ]
    if not browser:
        del limits[2]
    ratelimit.lock(s, *(key for key, *_ in limits))
    for key, limit, window, message in limits:
        until = ratelimit.blocked_until(s, key, limit, window, now)
        if until is not None:
            return RateLimited(until, message)
    for key, *_ in limits:
        ratelimit.record(s, key, now)
    return None


def parse_code(raw: str) -> str:
    code = re.sub(r"[\s\-.]", "", str(raw or ""))[:20]
    if not re.fullmatch(r"[0-9]{6}", code):
        raise Invalid({"code": N_("Enter the 6-digit code we sent you by SMS.")})
    return code


def parse_number(raw) -> int:
    text = str(raw if raw is not None else "").strip()[:10]
    if not re.fullmatch(r"[0-9]{1,6}", text):
        raise Invalid({"candidate": N_("Choose a candidate.")})
    return int(text)


def _live_code(s: Session, round_id: int, voter_hash: str, now: datetime, code_h: str | None):
    query = select(VoteCode).where(
        VoteCode.round_id == round_id,
        VoteCode.phone_hash == voter_hash,
        col(VoteCode.used).is_(False),
        VoteCode.expires_at > now,
        VoteCode.tries < CODE_TRIES,
    )
    if code_h is not None:
        query = query.where(VoteCode.code_hash == code_h)
    return s.exec(query.order_by(col(VoteCode.created_at).desc(), col(VoteCode.id).desc())).first()


def _voted_with(s: Session, round_id: int, voter_hash: str, code_h: str) -> bool:
    """Whether this code, already spent, was this phone's and the phone has voted."""
    spent = s.exec(
        select(VoteCode.id).where(
            VoteCode.round_id == round_id,
            VoteCode.phone_hash == voter_hash,
            VoteCode.code_hash == code_h,
            col(VoteCode.used).is_(True),
        )
    ).first()
    return spent is not None and _has_voted(s, round_id, voter_hash)


def _code_failure(s: Session, round_id: int, voter_hash: str, now: datetime) -> str:
    """A wrong code costs the phone's latest live code one try; the fifth kills it."""
    latest = _live_code(s, round_id, voter_hash, now, None)
    if latest is None:
        return CODE_GONE
    # One statement: concurrent wrong guesses (two app processes) each cost a try, none lost.
    tries = s.execute(
        update(VoteCode)
        .where(col(VoteCode.id) == latest.id, col(VoteCode.tries) < CODE_TRIES)
        .values(tries=col(VoteCode.tries) + 1)
        .returning(col(VoteCode.tries))
    ).scalar()
    if tries is None:
        return CODE_GONE
    if tries >= CODE_TRIES:
        return N_("Too many wrong codes. Ask for a new code.")
    return N_("This code is not right. Check it and try again.")


def cast_web(
    engine: Engine,
    secret_key: str,
    round_id: int,
    raw_phone: str,
    code: str,
    candidate_number,
    address: str,
    browser: str,
) -> Receipt:
    """Checks the code, records the ballot and spends the code in one transaction."""
    code, number, now = parse_code(code), parse_number(candidate_number), db.utcnow()
    address, browser = address[:64], browser[:64]
    failure = ""
    try:
        with db.session(engine) as s, s.begin():
            r, campaign = _open_round_for_vote(s, round_id)
            e164 = _voter(secret_key, raw_phone, campaign)
            voter_hash = phones.keyed_hash(secret_key, e164, "voter")
            candidate = s.exec(
                select(Candidate).where(Candidate.round_id == r.id, Candidate.number == number)
            ).first()
            if candidate is None:
                raise Invalid({"candidate": N_("This number is not on the ballot.")})
            # "Already voted" only to whoever holds the code: every number gets a code alike.
            code_h = code_hash(secret_key, r.id, e164, code)
            found = _live_code(s, r.id, voter_hash, now, code_h)
            if found is None and _voted_with(s, r.id, voter_hash, code_h):
                raise AlreadyVoted()  # the code proves the phone: a second submit of the form
            if found is None:
                failure = _code_failure(s, r.id, voter_hash, now)
                s.add(
                    _attempt(
                        secret_key,
                        r.id,
                        VoteChannel.web,
                        "code_failed",
                        voter_hash,
                        e164,
                        address=address,
                        browser=browser,
                    )
                )
            elif _has_voted(s, r.id, voter_hash):
                raise AlreadyVoted()
            else:
                ballot = _insert_ballot(s, r.id, candidate.id, VoteChannel.web, voter_hash)
                spent = s.execute(
                    update(VoteCode)
                    .where(col(VoteCode.id) == found.id, col(VoteCode.used).is_(False))
                    .where(col(VoteCode.tries) < CODE_TRIES)
                    .values(used=True)
                )
                if spent.rowcount != 1:
                    raise Invalid({"code": CODE_GONE})
                s.add(
                    _attempt(
                        secret_key,
                        r.id,
                        VoteChannel.web,
                        "vote",
                        voter_hash,
                        e164,
                        address=address,
                        browser=browser,
                        ballot_id=ballot.id,
                    )
                )
    except IntegrityError as exc:
        # Another vote from this phone (web or SMS) committed first: it is the one that counts.
        if is_double_vote(exc) and _voted_now(engine, round_id, secret_key, raw_phone):
            raise AlreadyVoted() from exc
        raise
    if failure:
        raise Invalid({"code": failure})
    return Receipt(ballot.receipt, r.title, ballot.at, candidate.number, candidate.name)


def is_double_vote(exc: IntegrityError) -> bool:
    """Only the (round, voter) constraint means "already voted"."""
    return db.violates(exc, "ballot", "uq_ballot_round_voter", ("round_id", "voter_hash"))


def _voted_now(engine: Engine, round_id: int, secret_key: str, raw_phone: str) -> bool:
    with db.session(engine) as s:
        campaign = campaigns.current_in(s)
        e164 = _voter(secret_key, raw_phone, campaign)
        return _has_voted(s, round_id, phones.keyed_hash(secret_key, e164, "voter"))


def new_receipt() -> str:
    # One draw of 128 random bits spelled in the alphabet: the bias over 24**10 receipts is
    # below 1e-24, and it costs one call instead of ten (it runs for every vote).
    n, letters = int.from_bytes(secrets.token_bytes(16)), []
    for _ in range(RECEIPT_LENGTH):
        n, i = divmod(n, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[i])
    return "".join(letters)


def _insert_ballot(s: Session, round_id: int, candidate_id: int, channel: str, voter_hash: str):
    receipt = new_receipt()
    ballot = Ballot(
        round_id=round_id,
        candidate_id=candidate_id,
        channel=channel,
        voter_hash=voter_hash,
        receipt=receipt,
    )
    s.add(ballot)
    s.flush()  # the unique constraint speaks here, inside the caller's transaction
    return ballot


def check_receipt(engine: Engine, raw: str, address: str = "") -> ReceiptCheck:
    """Whether a receipt's vote is counted (or voided); never the choice nor the phone. Wrong
    codes from one address are limited, so receipts cannot be enumerated."""
    code = clean_receipt(raw)
    query = (
        select(Round.title, Ballot.at, Ballot.void)
        .join(Round, col(Round.id) == Ballot.round_id)
        .where(Ballot.receipt == code)
    )
    with db.session(engine) as s, s.begin():
        try:
            row = ratelimit.guarded_lookup(
                s,
                f"receipt-guess:{address}",
                db.utcnow(),
                lambda: s.exec(query).first() if code else None,
            )
        except ratelimit.Blocked:
            return ReceiptCheck(found=False, limited=True)
    if row is None:
        return ReceiptCheck(found=False)
    title, at, void = row
    return ReceiptCheck(found=True, round_title=title, at=at, void=void)


def parse_sms(text: str, keywords: sms_commands.Keywords = sms_commands.DEFAULT) -> int | None:
    return sms_commands.vote_number(text, keywords)


def cast_sms(
    s: Session, campaign: Campaign, secret_key: str, sender_e164: str, text: str
) -> tuple[str, dict]:
    """An SMS vote inside the inbound SMS's transaction; returns the reply (msgid, params)."""
    r = open_round(s, campaign)
    if r is None:
        return SMS_CLOSED, {}
    if not r.sms_enabled:
        return SMS_NO_SMS, {}
    numbers = s.exec(
        select(Candidate.number).where(Candidate.round_id == r.id).order_by(Candidate.number)
    ).all()
    number = parse_sms(text, sms_commands.Keywords.of(campaign.sms_keywords))
    if number is None:
        return SMS_HELP, {"example": numbers[0] if numbers else 1}
    try:
        e164 = _voter(secret_key, sender_e164, campaign)
    except Invalid:
        return SMS_FOREIGN, {}
    candidate = s.exec(
        select(Candidate).where(Candidate.round_id == r.id, Candidate.number == number)
    ).first()
    if candidate is None:
        first, last = (numbers[0], numbers[-1]) if numbers else (0, 0)
        return SMS_NO_SUCH, {"number": number, "first": first, "last": last}
    voter_hash = phones.keyed_hash(secret_key, e164, "voter")
    if _has_voted(s, r.id, voter_hash):
        return SMS_ALREADY, {}
    try:
        # A savepoint: a concurrent vote's unique violation undoes the ballot, not the record of
        # the inbound message (whose reply a gateway retry must get again).
        with s.begin_nested():
            ballot = _insert_ballot(s, r.id, candidate.id, VoteChannel.sms, voter_hash)
    except IntegrityError as exc:
        if is_double_vote(exc):
            return SMS_ALREADY, {}
        # Any other violation is a fault: nothing is stored, the gateway gets a 5xx and retries.
        raise
    s.add(
        _attempt(secret_key, r.id, VoteChannel.sms, "vote", voter_hash, e164, ballot_id=ballot.id)
    )
    receipt = format_receipt(ballot.receipt)
    return SMS_THANKS, {"number": number, "name": candidate.name, "receipt": receipt}


@dataclass(frozen=True)
class CandidateView:
    number: int
    name: str
    position: str
    institution: str
    region: str

    @property
    def initial(self) -> str:
        return (self.name.strip()[:1] or "?").upper()


@dataclass(frozen=True)
class BallotView:
    """What /vote shows: the open round and its candidates, or when voting opens."""

    round_id: int | None
    title: str
    closes_at: datetime | None
    candidates: list[CandidateView]
    web_enabled: bool = True
    sms_enabled: bool = True
    next_opens_at: datetime | None = None


def ballot_view(engine: Engine, campaign: Campaign) -> BallotView:
    with db.session(engine) as s:
        r = open_round(s, campaign)
        if r is None:
            upcoming = s.exec(
                select(Round.opens_at)
                .where(Round.campaign_id == campaign.id, Round.opens_at > db.utcnow())
                .where(col(Round.closed_at).is_(None))
                .order_by(Round.opens_at)
            ).first()
            return BallotView(None, "", None, [], next_opens_at=upcoming)
        rows = s.exec(
            select(Candidate).where(Candidate.round_id == r.id).order_by(Candidate.number)
        ).all()
        details = jury_view.summaries(s, [c.nominee_id for c in rows])
    candidates = []
    for c in rows:
        d = details.get(c.nominee_id)
        candidates.append(
            CandidateView(
                c.number,
                c.name,
                d.position if d else "",
                d.institution if d else "",
                d.region if d else "",
            )
        )
    return BallotView(r.id, r.title, r.closes_at, candidates, r.web_enabled, r.sms_enabled)
