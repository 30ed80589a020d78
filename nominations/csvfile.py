"""A CSV file of paper forms as a whole: its columns, the template, reading it, its header.

The columns are the web form's field names plus ``paper_serial`` and ``volunteer_email`` (the
template file lists them). Files come from Excel as often as not: UTF-8 with or without a BOM and
Windows-1252 are read, ``,``, ``;`` or a tab separates cells, and anything else is refused with a
message that says how to save the file. Each refusal here is an ImportRefused; the rows are
checked and imported by nominations.importer.
"""

from __future__ import annotations

import codecs
import csv
import io

from campaign.errors import DomainError
from campaign.i18n import N_
from campaign.models import Campaign
from campaign.text import CONTROL
from nominations.export import BOM, DELIMITER, FORM_COLUMNS

MAX_BYTES = 25 * 1024 * 1024  # 50,000 forms with stories of a few lines each
MAX_ROWS = 50_000
SAVE_AS = N_(
    'This file cannot be read as text. In Excel, choose "Save as", then the type '
    '"CSV UTF-8 (comma delimited)", and import that file.'
)
# Without these no row can be valid; the other columns may be left out of a file.
REQUIRED = [
    "paper_serial",
    "nominee_name",
    "nominee_position",
    "nominee_region",
    "story",
    "referee1_name",
    "referee2_name",
    "nominator_name",
    "nominator_relation",
    "consent",
]


class ImportRefused(DomainError):
    """The file as a whole cannot be imported (not CSV, too big, wrong columns)."""

    status = 400


def columns(campaign: Campaign) -> list[str]:
    eligibility = [f"eligibility_{q['key']}" for q in campaign.eligibility]
    return ["paper_serial", *FORM_COLUMNS, *eligibility, "consent", "volunteer_email"]


def template_csv(campaign: Campaign) -> str:
    """An empty file with the header row, to fill in with Excel."""
    return BOM + DELIMITER.join(columns(campaign)) + "\r\n"


def decode(data: bytes) -> str:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportRefused(
            N_(
                'This is an Excel workbook, not a CSV file. In Excel, choose "Save as", then '
                'the type "CSV UTF-8 (comma delimited)", and import that file.'
            )
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportRefused(SAVE_AS)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Not UTF-8: Excel's "CSV (separator: semicolon)" writes the Windows code page. A binary
        # file either has bytes Windows-1252 does not define or control characters.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportRefused(SAVE_AS) from exc
    if CONTROL.search(text):
        raise ImportRefused(SAVE_AS)
    return text


def read(data: bytes, max_rows: int = MAX_ROWS) -> tuple[list[str], list[list[str]]]:
    """The header (normalised column names) and the records of a CSV file, or ImportRefused."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(N_("This file is larger than 25 MB. Split it into several files."))
    text = decode(data)
    if not text.strip():
        raise ImportRefused(N_("This file is empty."))
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    # Strict: a stray quote would otherwise swallow the rest of the file into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    count, line = 0, 1  # the line the record being read starts on, for the message
    try:
        header = [h.strip().lower().replace(" ", "_") for h in next(reader)]
        line = reader.line_num + 1
        for record in reader:
            line = reader.line_num + 1
            records.append(record)
            count += any(cell.strip() for cell in record)
            if count > max_rows:
                raise ImportRefused(
                    N_("This file has more than %(rows)s rows. Split it into several files."),
                    rows=f"{max_rows:,}",
                )
    except csv.Error as exc:
        raise ImportRefused(
            N_("Line %(line)s cannot be read as CSV: check its quotation marks."),
            line=line,
        ) from exc
    return header, records


def required_columns(campaign: Campaign, volunteer_required: bool) -> list[str]:
    needed = {*REQUIRED, *(f"eligibility_{q['key']}" for q in campaign.eligibility)}
    if volunteer_required:
        needed.add("volunteer_email")
    return [c for c in columns(campaign) if c in needed]


def check_columns(header: list[str], campaign: Campaign, volunteer_required: bool) -> None:
    known = columns(campaign)
    named = [h for h in header if h]
    missing = [c for c in required_columns(campaign, volunteer_required) if c not in named]
    if missing:
        raise ImportRefused(N_("Columns missing: %(columns)s."), columns=", ".join(missing))
    unknown = [h for h in named if h not in known]
    if unknown:
        raise ImportRefused(
            N_("Unknown columns: %(columns)s. Use the column names of the template."),
            columns=", ".join(unknown),
        )
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:
        raise ImportRefused(N_("Columns given twice: %(columns)s."), columns=", ".join(twice))
