"""``icon tally [ROUND_ID] [--json]``: registered into the ``icon`` command line by entry point."""

from __future__ import annotations

import argparse
import json

from campaign import db
from campaign.cli import CommandError
from campaign.errors import NotFound
from voting import exports


def cmd_tally(settings, args) -> int:
    engine = db.make_engine(settings.database_url, settings.sqlite_synchronous)
    try:
        data = exports.tally_json(engine, args.round_id)
    except NotFound as exc:
        which = f"round {args.round_id}" if args.round_id is not None else "any round"
        raise CommandError(f"no such round: {which} not found.") from exc
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    r = data["round"]
    print(f"Round {r['id']}: {r['title']} ({r['state']})")
    print(f"{'No.':>4}  {'Name':<40} {'Web':>7} {'SMS':>7} {'Total':>7} {'Void':>6}")
    for c in data["candidates"]:
        print(
            f"{c['number']:>4}  {c['name'][:40]:<40} {c['web']:>7} {c['sms']:>7} "
            f"{c['total']:>7} {c['void']:>6}"
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tally", help="a voting round's count (the latest round by default)")
    p.add_argument("round_id", nargs="?", type=int, help="the round's id")
    p.add_argument("--json", action="store_true", help="one JSON object: round and candidates")
    p.set_defaults(func=cmd_tally)
