"""``icon nominations ...``: registered into the ``icon`` command line by entry point."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from campaign import campaigns, db
from campaign.cli import CommandError
from campaign.errors import PhaseClosed
from nominations import csvfile, export, grouping, importer


def _current(engine):
    campaign = campaigns.current(engine)
    if campaign is None:
        raise CommandError("No campaign yet: run `icon demo` or create one first.")
    return campaign


def cmd_regroup(settings, args) -> int:
    engine = db.make_engine(settings.database_url)
    result = grouping.regroup(engine, _current(engine).id)
    print(
        f"{result['nominations']} nominations in {result['nominees']} nominees "
        f"({result['moved']} moved; nominations placed by a manager stay where they are)."
    )
    return 0


def cmd_import(settings, args) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from exc
    engine = db.make_engine(settings.database_url)
    try:
        result = importer.import_csv(engine, data)
    except (csvfile.ImportRefused, PhaseClosed) as exc:
        raise CommandError(exc.message % exc.params if exc.params else exc.message) from exc
    if result.errors:
        for e in result.errors:
            where = f"row {e.row}, {e.field}" if e.field else f"row {e.row}"
            print(f"{where}: {e.reason % e.params if e.params else e.reason}", file=sys.stderr)
        rows = len({e.row for e in result.errors})
        print(
            f"Nothing imported: {len(result.errors)} problem(s) in {rows} row(s). "
            "Correct the file and import it again.",
            file=sys.stderr,
        )
        return 2
    print(f"{result.created} created, {result.skipped} already imported.")
    return 0


def cmd_export(settings, args) -> int:
    engine = db.make_engine(settings.database_url)
    campaign_id = _current(engine).id
    write = export.export_nominees if args.nominees else export.export_nominations
    chunks = write(engine, campaign_id)
    if args.output == "-":
        for chunk in chunks:
            sys.stdout.write(chunk)
        return 0
    with open(args.output, "w", encoding="utf-8", newline="") as f:
        for chunk in chunks:
            f.write(chunk)
    what = "Nominees" if args.nominees else "Nominations, with contact details,"
    print(f"{what} written to {args.output}.", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    nominations = sub.add_parser("nominations", help="import, export and regroup nominations")
    actions = nominations.add_subparsers(dest="action", required=True)
    actions.add_parser("regroup", help="re-run nominee grouping over the campaign").set_defaults(
        func=cmd_regroup
    )
    imp = actions.add_parser(
        "import", help="import paper forms from a CSV file: all of it, or nothing if a row is bad"
    )
    imp.add_argument("file", help="CSV (UTF-8 or Windows-1252; , or ; between cells)")
    imp.set_defaults(func=cmd_import)
    exp = actions.add_parser("export", help="CSV for Excel (UTF-8 with BOM, ; between cells)")
    exp.add_argument("--nominees", action="store_true", help="one row per nominee instead")
    exp.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    exp.set_defaults(func=cmd_export)
