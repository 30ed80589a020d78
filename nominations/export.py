"""CSV exports of nominations (with contact details: managers only) and of nominees.

The files are for Excel as campaign staff use it: UTF-8 with a byte-order mark (without it Excel
reads UTF-8 as Windows-1252 and mangles every accent) and ``;`` between cells, which is what Excel
expects in French locales. A ``sep=`` line would also pick the delimiter but hides the BOM from
Excel, so it is not used. The nominations file's columns are the import's column names, so an
export can be read back by ``icon nominations import``.

Each export is a function that checks its arguments at once and returns a generator of text
chunks: the web layer streams it, the command line writes it. Rows are read in batches by id,
each batch in its own short session, so no connection is held while a slow client downloads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import select

from campaign import audit, db
from campaign.errors import NotFound
from campaign.i18n import N_
from campaign.models import Campaign, User
from nominations.intake import MAX_REFEREES, format_code
from nominations.models import Nomination, Nominee

BOM = "\ufeff"
DELIMITER = ";"
BATCH = 1000
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such a cell
# is written with a leading quote, which Excel shows as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

NOMINEE_COLUMNS = [
    "id",
    "name",
    "gender",
    "position",
    "institution",
    "region",
    "nomination_count",
]


def escape_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def unescape_cell(text: str) -> str:
    """Undo ``escape_cell``, so that an exported file imports as it was."""
    return text[1:] if text.startswith("'") and text[1:2].startswith(FORMULA_START) else text


def _chunk(rows: Iterable[Iterable[object]], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows([escape_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


# What a nomination form holds: the columns an import reads and an export writes, in this order.
FORM_COLUMNS = [
    "nominee_name",
    "nominee_gender",
    "nominee_position",
    "nominee_institution",
    "nominee_region",
    "nominee_town",
    "nominee_phone",
    "story",
    *(
        f"referee{i}_{part}"
        for i in range(1, MAX_REFEREES + 1)
        for part in ("name", "phone", "email")
    ),
    "nominator_name",
    "nominator_phone",
    "nominator_email",
    "nominator_relation",
]


def nomination_columns(campaign: Campaign) -> list[str]:
    return [
        "id",
        "nominee_id",
        "tracking_code",
        "channel",
        "status",
        "status_reason",
        *FORM_COLUMNS,
        *(f"eligibility_{q['key']}" for q in campaign.eligibility),
        "consent",
        "volunteer_email",
        "paper_serial",
        "created_at",
    ]


def _nomination_row(n: Nomination, volunteer_email: str | None, campaign: Campaign) -> list:
    referees = []
    for i in range(MAX_REFEREES):
        ref = n.referees[i] if i < len(n.referees) else {}
        referees += [ref.get("name", ""), ref.get("phone", ""), ref.get("email", "")]
    created = n.created_at.astimezone(ZoneInfo(campaign.timezone))
    return [
        n.id,
        n.nominee_id,
        format_code(n.tracking_code),
        n.channel,
        n.status,
        n.status_reason,
        n.nominee_name,
        n.nominee_gender,
        n.nominee_position,
        n.nominee_institution,
        n.nominee_region,
        n.nominee_town,
        n.nominee_phone,
        n.story,
        *referees,
        n.nominator_name,
        n.nominator_phone,
        n.nominator_email,
        n.nominator_relation,
        *(n.eligibility.get(q["key"], "") for q in campaign.eligibility),
        "yes" if n.consent else "no",
        volunteer_email or "",
        n.paper_serial or "",
        created.strftime("%Y-%m-%d %H:%M:%S"),
    ]


def _campaign(engine: Engine, campaign_id: int, actor_id: int | None, kind: str) -> Campaign:
    """The campaign to export, after recording who took a copy of its personal data."""
    with db.session(engine) as s, s.begin():
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(N_("No campaign has been set up yet."))
        audit.record(s, actor_id, "nominations.export", "campaign", campaign_id, kind=kind)
    return campaign


def export_nominations(
    engine: Engine, campaign_id: int, delimiter: str = DELIMITER, actor_id: int | None = None
) -> Iterator[str]:
    """Every nomination of the campaign, oldest first, with its contacts and volunteer."""
    campaign = _campaign(engine, campaign_id, actor_id, "nominations")
    return _nomination_chunks(engine, campaign, delimiter)


def _nomination_chunks(engine: Engine, campaign: Campaign, delimiter: str) -> Iterator[str]:
    yield BOM + _chunk([nomination_columns(campaign)], delimiter)
    last = 0
    while True:
        with db.session(engine) as s:
            batch = s.exec(
                select(Nomination, User.email)
                .join(User, User.id == Nomination.volunteer_id, isouter=True)
                .where(Nomination.campaign_id == campaign.id, Nomination.id > last)
                .order_by(Nomination.id)
                .limit(BATCH)
            ).all()
        if not batch:
            return
        yield _chunk((_nomination_row(n, email, campaign) for n, email in batch), delimiter)
        last = batch[-1][0].id


def export_nominees(
    engine: Engine, campaign_id: int, delimiter: str = DELIMITER, actor_id: int | None = None
) -> Iterator[str]:
    """Every nominee of the campaign (one per real person), with its count of nominations."""
    campaign = _campaign(engine, campaign_id, actor_id, "nominees")
    return _nominee_chunks(engine, campaign.id, delimiter)


def _nominee_chunks(engine: Engine, campaign_id: int, delimiter: str) -> Iterator[str]:
    yield BOM + _chunk([NOMINEE_COLUMNS], delimiter)
    last = 0
    while True:
        with db.session(engine) as s:
            batch = s.exec(
                select(Nominee)
                .where(Nominee.campaign_id == campaign_id, Nominee.id > last)
                .order_by(Nominee.id)
                .limit(BATCH)
            ).all()
        if not batch:
            return
        yield _chunk(([getattr(n, c) for c in NOMINEE_COLUMNS] for n in batch), delimiter)
        last = batch[-1].id
