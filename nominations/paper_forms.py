"""Paper forms typed in one by one: the campaign whose forms can be entered now, and a form
confirmed back to the volunteer who entered it. Saving a form is nominations.intake.submit_paper;
a file of forms is nominations.importer's."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from campaign import db
from campaign.models import Campaign
from nominations import intake
from nominations.models import Nomination


def entry_campaign(engine: Engine) -> Campaign:
    """The campaign whose paper forms can be entered now; PhaseClosed outside that window."""
    with db.session(engine) as s:
        return intake.campaign_for_entry(s)


def paper_entry(engine: Engine, volunteer_id: int, nomination_id: int) -> Nomination | None:
    """A form this volunteer entered, to confirm it back to them (nobody else's)."""
    with db.session(engine) as s:
        nomination = s.get(Nomination, nomination_id)
    if nomination is None or nomination.volunteer_id != volunteer_id:
        return None
    return nomination
