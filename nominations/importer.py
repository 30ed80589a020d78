"""Paper forms in bulk: the rows of a CSV file checked, then imported all or nothing.

The file as a whole (encodings, delimiters, columns, the template) is nominations.csvfile's;
this module checks its rows and imports them.

Whose forms the rows are:
- from the command line (no uploader): the ``volunteer_email`` column names the volunteer of each
  row, and is required;
- a manager's upload: that column when filled, otherwise the manager;
- a volunteer's upload: the volunteer. The column may be absent or empty; a row naming somebody
  else is an error, since a volunteer does not file forms in another volunteer's name.

A form already in the database (same volunteer and serial) is skipped, not an error, so a file can
be uploaded again after a fix, or twice by mistake. Its content is not checked again: it was when
it was first imported, and the stored nomination is the one that counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import audit, db
from campaign.errors import Invalid, PermissionDenied
from campaign.i18n import N_
from campaign.models import Campaign, Role, User
from campaign.text import clean
from nominations import grouping, intake
from nominations.csvfile import MAX_ROWS, check_columns, read
from nominations.export import unescape_cell
from nominations.lexicon import lexicon
from nominations.models import Channel, Nomination

MAX_SERIAL = 40
GENDERS = {
    "female": "female",
    "f": "female",
    "femme": "female",
    "male": "male",
    "m": "male",
    "homme": "male",
    "h": "male",
}
YES = {"yes", "y", "oui", "o", "1", "true", "vrai", "on"}
NO = {"no", "n", "non", "0", "false", "faux"}
INELIGIBLE = N_("With this answer the person cannot be nominated.")


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it: the header is row 1
    field: str  # the column
    reason: str  # a msgid, formatted with ``params``
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ImportResult:
    created: int
    skipped: int  # already imported
    errors: list[RowError]


@dataclass(frozen=True)
class Uploader:
    """Who imports: see the module docstring for whose forms the rows then are."""

    volunteer_id: int | None = None  # rows that name no volunteer are theirs
    only_email: str | None = None  # a volunteer: the only address a row may name


@dataclass
class Checked:
    rows: list[tuple[int, str, dict]] = field(default_factory=list)  # volunteer, serial, values
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)


def _form(header: list[str], record: list[str]) -> dict:
    form = {
        name: unescape_cell(clean(cell).strip())
        for name, cell in zip(header, record, strict=False)
        if name
    }
    gender = form.get("nominee_gender", "").lower()
    form["nominee_gender"] = GENDERS.get(gender, gender)
    for name, value in form.items():
        if name.startswith("eligibility_") or name == "consent":
            answer = value.lower()
            form[name] = "yes" if answer in YES else "no" if answer in NO else value
    form["consent"] = "on" if form.get("consent") == "yes" else ""
    return form


def check(
    header: list[str],
    records: list[list[str]],
    campaign: Campaign,
    volunteers: dict[str, int],
    uploader: Uploader,
    existing: set[tuple[int, str]],
) -> Checked:
    """Every row checked (no database): ``volunteers`` maps an email to its account's id,
    ``existing`` holds the (volunteer id, serial) pairs already imported."""
    result, seen = Checked(), {}
    order = {name: i for i, name in enumerate(header)}
    for row, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        form = _form(header, record)
        errors: dict[str, str] = {}
        params: dict[str, dict] = {}
        serial = form.get("paper_serial", "").upper()
        if not serial or len(serial) > MAX_SERIAL:
            errors["paper_serial"] = N_("Write the number printed on the form.")
        email = form.get("volunteer_email", "").lower()
        volunteer_id = volunteers.get(email) if email else uploader.volunteer_id
        if uploader.only_email is not None and email and email != uploader.only_email:
            errors["volunteer_email"] = N_("You can only import your own forms.")
        elif volunteer_id is None:
            errors["volunteer_email"] = (
                N_("No volunteer account has this email address.")
                if email
                else N_("This field is required.")
            )
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            errors[""] = N_("This row has more cells than the header.")
        key = (volunteer_id, serial)
        if not errors and key in existing:
            result.skipped += 1
            continue
        if not errors and key in seen:
            errors["paper_serial"] = N_("This form is already on row %(row)s.")
            params["paper_serial"] = {"row": seen[key]}
        elif not errors:
            seen[key] = row
        try:
            values = intake.NominationIn(form, Channel.paper).parse(campaign)
        except Invalid as exc:
            errors = exc.errors | errors
        if errors:
            result.errors += [
                RowError(
                    row,
                    name,
                    INELIGIBLE if reason == "ineligible" else reason,
                    params.get(name, {}),
                )
                for name, reason in sorted(errors.items(), key=lambda e: order.get(e[0], 999))
            ]
        else:
            result.rows.append((volunteer_id, serial, values))
    return result


def _uploader(s: Session, actor_id: int | None) -> Uploader:
    if actor_id is None:
        return Uploader()
    actor = s.get(User, actor_id)
    if actor is None or not actor.active or actor.role not in (Role.manager, Role.volunteer):
        raise PermissionDenied(N_("This page is for another role."))
    if actor.role == Role.volunteer:
        return Uploader(actor.id, actor.email)
    return Uploader(actor.id)


def import_csv(
    engine: Engine, data: bytes, actor_id: int | None = None, max_rows: int = MAX_ROWS
) -> ImportResult:
    """Check the whole file; import it in one transaction only if every row is valid.
    Raises csvfile.ImportRefused (the file), PhaseClosed or PermissionDenied."""
    header, records = read(data, max_rows)
    with db.session(engine) as s, s.begin():
        campaign = intake.campaign_for_entry(s)
        uploader = _uploader(s, actor_id)
        check_columns(header, campaign, volunteer_required=uploader.volunteer_id is None)
        staff = s.exec(
            select(User.email, User.id).where(
                col(User.active).is_(True), col(User.role).in_([Role.manager, Role.volunteer])
            )
        ).all()
        existing = s.exec(
            select(Nomination.volunteer_id, Nomination.paper_serial).where(
                Nomination.campaign_id == campaign.id, col(Nomination.paper_serial).is_not(None)
            )
        ).all()
        checked = check(
            header, records, campaign, dict(staff), uploader, {tuple(e) for e in existing}
        )
        if checked.errors:
            return ImportResult(0, checked.skipped, checked.errors)
        _insert(s, campaign, checked.rows)
        audit.record(
            s,
            actor_id,
            "nominations.import",
            "campaign",
            campaign.id,
            created=len(checked.rows),
            skipped=checked.skipped,
        )
    return ImportResult(len(checked.rows), checked.skipped, [])


def _fresh_codes(s: Session, count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {intake.new_tracking_code() for _ in range(count - len(codes))} - codes
        taken = set()
        chunk = sorted(wanted)
        for i in range(0, len(chunk), 500):
            part = chunk[i : i + 500]
            query = select(Nomination.tracking_code).where(col(Nomination.tracking_code).in_(part))
            taken |= set(s.exec(query).all())
        codes |= wanted - taken
    return list(codes)


def _insert(s: Session, campaign: Campaign, rows: list[tuple[int, str, dict]]) -> None:
    if not rows:
        return
    codes = _fresh_codes(s, len(rows))
    nominations = [
        Nomination(
            campaign_id=campaign.id,
            tracking_code=code,
            channel=Channel.paper,
            volunteer_id=volunteer_id,
            paper_serial=serial,
            **values,
        )
        for (volunteer_id, serial, values), code in zip(rows, codes, strict=True)
    ]
    lex = lexicon(campaign.country, tuple(campaign.regions or ()))
    for nomination in nominations:
        grouping.set_keys(nomination, lex)
    s.add_all(nominations)
    s.flush()
    grouping.attach_many(s, campaign.id, nominations)
