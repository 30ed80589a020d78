"""What the jury's settings carry into the next edition: review settings, stage sizes, and the
criteria with their weights (``icon.editions`` entry point; see campaign/editions.py)."""

from __future__ import annotations

import copy

from sqlmodel import Session, select

from campaign.models import Campaign
from shortlist.models import Criterion, ReviewConfig


def carry_over(s: Session, old: Campaign, new: Campaign) -> None:
    config = s.get(ReviewConfig, old.id)
    if config is not None:
        values = config.model_dump(exclude={"campaign_id"})
        s.add(ReviewConfig(campaign_id=new.id, **values))
    for c in s.exec(select(Criterion).where(Criterion.campaign_id == old.id)):
        s.add(
            Criterion(
                campaign_id=new.id,
                position=c.position,
                name=copy.deepcopy(c.name),
                description=copy.deepcopy(c.description),
                weight=c.weight,
            )
        )
