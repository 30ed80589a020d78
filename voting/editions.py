"""The next edition may start only once this one's voting is over (``icon.editions`` entry point;
see campaign/editions.py): a round still taking votes would be cut off by the archive."""

from __future__ import annotations

from sqlmodel import Session, col, select

from campaign import db
from campaign.errors import PhaseClosed
from campaign.i18n import N_
from campaign.models import Campaign
from voting.models import Round

ROUND_OPEN = N_("A voting round of this edition has not closed yet: close it first.")


def carry_over(s: Session, old: Campaign, new: Campaign) -> None:
    unfinished = s.exec(
        select(Round.id).where(
            Round.campaign_id == old.id,
            col(Round.closed_at).is_(None),
            Round.closes_at > db.utcnow(),
        )
    ).first()
    if unfinished is not None:
        raise PhaseClosed(ROUND_OPEN)
