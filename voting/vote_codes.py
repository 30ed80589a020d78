"""Voting on the web: a 6-digit code sent by SMS proves the phone, then the code casts the vote.

Every number gets a code alike (the limits say nothing of whether it voted); "already voted" is
said only to whoever holds the code. A wrong code costs the phone's latest code one try.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campaign import campaigns, db, phones, ratelimit
from campaign.errors import Invalid
from campaign.i18n import N_
from campaign.sms import SmsGatewayError
from voting.ballot_box import (
    attempt,
    has_voted,
    insert_ballot,
    is_double_vote,
    round_for_vote,
    voter_e164,
)
from voting.errors import (
    OVER_BUDGET,
    TOO_MANY_FOR_PHONE,
    TOO_MANY_FROM_HERE,
    AlreadyVoted,
    CodeNotSent,
    RateLimited,
)
from voting.models import Candidate, Round, VoteChannel, VoteCode
from voting.receipts import Receipt

CODE_TTL, CODE_TRIES = timedelta(minutes=10), 5
CODES_PER_HOUR, CODE_WINDOW = 3, timedelta(hours=1)
# From one address (a cybercafe, a carrier's NAT: generous) or one browser, per hour.
CODES_PER_ADDRESS, CODES_PER_BROWSER = 30, 6
BUDGET_WINDOW = timedelta(minutes=1)
SMS_CODE = N_("Integrity Icon: your voting code is %(code)s. It expires in 10 minutes.")
CODE_GONE = N_("This code has expired or was already used. Ask for a new code.")


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
        r, campaign = round_for_vote(s, round_id)
        e164 = voter_e164(secret_key, raw_phone, campaign)
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
            attempt(
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
    return spent is not None and has_voted(s, round_id, voter_hash)


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
            r, campaign = round_for_vote(s, round_id)
            e164 = voter_e164(secret_key, raw_phone, campaign)
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
                    attempt(
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
            elif has_voted(s, r.id, voter_hash):
                raise AlreadyVoted()
            else:
                ballot = insert_ballot(s, r.id, candidate.id, VoteChannel.web, voter_hash)
                spent = s.execute(
                    update(VoteCode)
                    .where(col(VoteCode.id) == found.id, col(VoteCode.used).is_(False))
                    .where(col(VoteCode.tries) < CODE_TRIES)
                    .values(used=True)
                )
                if spent.rowcount != 1:
                    raise Invalid({"code": CODE_GONE})
                s.add(
                    attempt(
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


def _voted_now(engine: Engine, round_id: int, secret_key: str, raw_phone: str) -> bool:
    with db.session(engine) as s:
        campaign = campaigns.current_in(s)
        e164 = voter_e164(secret_key, raw_phone, campaign)
        return has_voted(s, round_id, phones.keyed_hash(secret_key, e164, "voter"))
