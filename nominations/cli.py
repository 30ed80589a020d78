"""``icon nominations ...``: registered into the ``icon`` command line by entry point."""

from __future__ import annotations

import argparse

from campaign import campaigns, db
from campaign.cli import CommandError
from nominations import grouping


def cmd_regroup(settings, args) -> int:
    engine = db.make_engine(settings.database_url)
    campaign = campaigns.current(engine)
    if campaign is None:
        raise CommandError("No campaign yet: run `icon demo` or create one first.")
    result = grouping.regroup(engine, campaign.id)
    print(
        f"{result['nominations']} nominations in {result['nominees']} nominees "
        f"({result['moved']} moved; nominations placed by a manager stay where they are)."
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    nominations = sub.add_parser("nominations", help="import, export and regroup nominations")
    actions = nominations.add_subparsers(dest="action", required=True)
    actions.add_parser("regroup", help="re-run nominee grouping over the campaign").set_defaults(
        func=cmd_regroup
    )
