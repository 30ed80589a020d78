"""Imports every table so SQLModel.metadata (and Alembic) knows them all.

The one module of campaign/ that imports the domain packages: Alembic, the tests and the demo
reset need the whole schema, and only this module assembles it.
"""

from sqlmodel import SQLModel

from audio_spots.models import AudioSpot
from campaign.models import (
    AuditEvent,
    Campaign,
    InboundSms,
    RateEvent,
    SmsMessage,
    StaffRole,
    User,
)
from nominations.models import CallBack, DistinctPair, Nomination, Nominee
from profiles.models import Profile
from shortlist.models import Assignment, Criterion, Decision, ReviewConfig, Score
from voting.models import Ballot, Candidate, Round, VoteAttempt, VoteCode

metadata = SQLModel.metadata

__all__ = [
    "AudioSpot",
    "CallBack",
    "Profile",
    "Ballot",
    "Candidate",
    "Round",
    "VoteAttempt",
    "VoteCode",
    "Assignment",
    "Criterion",
    "Decision",
    "ReviewConfig",
    "Score",
    "AuditEvent",
    "Campaign",
    "DistinctPair",
    "InboundSms",
    "Nomination",
    "Nominee",
    "RateEvent",
    "SmsMessage",
    "StaffRole",
    "User",
    "metadata",
]
