"""A round's tally for outside: JSON for ``icon tally``, CSV for Excel without personal data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import audit, db
from campaign.errors import NotFound
from nominations.export import BOM, DELIMITER, escape_cell
from voting.counting import per_candidate, result_of
from voting.models import Round
from voting.rounds import NO_ROUND, load_candidates, load_round, state

CSV_COLUMNS = [
    "place",
    "number",
    "name",
    "web",
    "sms",
    "total",
    "void",
    "web_share",
    "sms_share",
    "jury_share",
    "blended",
    "outcome",
]


def latest_round_id(engine: Engine) -> int:
    with db.session(engine) as s:
        found = s.exec(
            select(Round.id).order_by(col(Round.opens_at).desc(), col(Round.id).desc())
        ).first()
    if found is None:
        raise NotFound(NO_ROUND)
    return found


def tally_json(engine: Engine, round_id: int | None = None) -> dict:
    """The count for the command line (operators see it whether or not the public may)."""
    round_id = latest_round_id(engine) if round_id is None else round_id
    with db.session(engine) as s:
        r = load_round(s, round_id)
        candidates = load_candidates(s, round_id)
        counts = per_candidate(s, round_id)
    rows = []
    for c in candidates:
        n = counts.get(c.id, {"web": 0, "sms": 0, "void": 0})
        rows.append(
            {
                "number": c.number,
                "name": c.name,
                "web": n["web"],
                "sms": n["sms"],
                "total": n["web"] + n["sms"],
                "void": n["void"],
            }
        )
    return {
        "round": {
            "id": r.id,
            "title": r.title,
            "opens_at": r.opens_at.isoformat(),
            "closes_at": r.closes_at.isoformat(),
            "closed_at": r.closed_at.isoformat() if r.closed_at else None,
            "state": state(r),
        },
        "candidates": rows,
    }


def tally_csv(engine: Engine, round_id: int, actor_id: int | None = None) -> Iterator[str]:
    """The blended result as CSV for Excel (UTF-8 BOM, ``;``): candidates and counts only, no
    voter data. Computed and audited at once; the returned iterator only writes."""
    with db.session(engine) as s, s.begin():
        r = load_round(s, round_id)
        result = result_of(s, r)
        audit.record(s, actor_id, "round.export", "round", round_id, rows=len(result.rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in result.rows:
        cells = [
            row.place,
            row.number,
            row.name,
            row.web,
            row.sms,
            row.total,
            row.void,
            f"{row.web_share:.4f}",
            f"{row.sms_share:.4f}",
            f"{row.jury_share:.4f}",
            f"{row.blended:.4f}",
            row.outcome,
        ]
        writer.writerow([escape_cell(v) for v in cells])
    return iter([BOM + buffer.getvalue()])
