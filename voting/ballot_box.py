"""The ballot box: one vote per person (phone number) per round, by web (SMS code) or by SMS.

The core both channels share; the web's codes and casting are in vote_codes.py, the SMS's in
sms.py, receipts in receipts.py. A phone number never sits beside a ballot: ballots keep a keyed
hash. The unique constraint on (round, voter hash) is the rule; the checks before it only give
friendlier answers, so concurrent attempts from one phone (web and SMS mixed) count once whatever
their timing. A vote is acknowledged (receipt, SMS reply) only once its transaction committed.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campaign import campaigns, db, phones
from campaign.errors import Invalid, NotFound, PhaseClosed
from campaign.i18n import N_
from campaign.models import Campaign
from voting.models import Ballot, Round, VoteAttempt
from voting.receipts import new_receipt

SMS_FOREIGN = N_("Only phone numbers from the campaign's country can vote.")


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


def voter_e164(secret_key: str, raw_phone: str, campaign: Campaign) -> str:
    """The number in E.164; only the campaign's own country's numbers vote."""
    e164 = phones.normalise(raw_phone, campaign.phone_country)
    if phones.national(e164, campaign.phone_country) is None:
        raise Invalid({"phone": SMS_FOREIGN})
    return e164


def round_for_vote(s: Session, round_id: int) -> tuple[Round, Campaign]:
    """The round ``round_id`` if it is the current campaign's open round and takes web votes."""
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


def has_voted(s: Session, round_id: int, voter_hash: str) -> bool:
    found = s.exec(
        select(Ballot.id).where(Ballot.round_id == round_id, Ballot.voter_hash == voter_hash)
    ).first()
    return found is not None


def attempt(secret_key, round_id, channel, kind, voter_hash, e164, **extra) -> VoteAttempt:
    """No choice beside the phone's hash: a vote's candidate is its ballot's (``ballot_id``)."""
    return VoteAttempt(
        round_id=round_id,
        channel=channel,
        kind=kind,
        phone_hash=voter_hash,
        phone_seq=phones.run_token(secret_key, e164),
        **extra,
    )


def insert_ballot(s: Session, round_id: int, candidate_id: int, channel: str, voter_hash: str):
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


def is_double_vote(exc: IntegrityError) -> bool:
    """Only the (round, voter) constraint means "already voted"."""
    return db.violates(exc, "ballot", "uq_ballot_round_voter", ("round_id", "voter_hash"))
