import csv
import io
from types import SimpleNamespace

import pytest
from sqlmodel import select

from campaign import db
from campaign.demo import MALI_ELIGIBILITY
from campaign.errors import PermissionDenied, PhaseClosed
from campaign.models import AuditEvent
from nominations import csvfile, importer
from nominations.importer import ImportResult, RowError
from nominations.models import Nomination, Nominee
from tests.factories import make_campaign, make_nomination, make_user, nomination_form

VOLUNTEER = "vol@example.org"
COLUMNS = csvfile.columns(SimpleNamespace(eligibility=MALI_ELIGIBILITY))


@pytest.fixture
def volunteer(engine, campaign):
    return make_user(engine, "volunteer", VOLUNTEER)


def row(serial: str, **overrides) -> dict:
    return nomination_form(**{"paper_serial": serial, "volunteer_email": VOLUNTEER, **overrides})


def csv_bytes(rows, columns=COLUMNS, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([r.get(c, "") for c in columns] for r in rows)
    return buffer.getvalue().encode(encoding)


def nominations(engine) -> list[Nomination]:
    with db.session(engine) as s:
        return list(s.exec(select(Nomination).order_by(Nomination.id)).all())


def imports(engine) -> list[AuditEvent]:
    with db.session(engine) as s:
        query = select(AuditEvent).where(AuditEvent.action == "nominations.import")
        return list(s.exec(query).all())


def refusal(engine, data: bytes, actor_id=None) -> tuple[str, dict]:
    with pytest.raises(csvfile.ImportRefused) as caught:
        importer.import_csv(engine, data, actor_id)
    return caught.value.message, caught.value.params


def test_import_valid_file_creates_paper_nominations_grouped_and_audited(engine, volunteer):
    data = csv_bytes(
        [
            row("ml-00001"),
            row("ML-00002", nominee_name="Aminata Goita", nominator_name="Awa Sidibé"),
            row("ML-00003", nominee_name="Moussa Keïta", nominee_region="Kayes"),
            row("ML-00004", nominator_name="Oumou Koné"),
        ]
    )
    result = importer.import_csv(engine, data)
    saved = nominations(engine)
    with db.session(engine) as s:
        nominees = s.exec(select(Nominee.name, Nominee.nomination_count).order_by(Nominee.id))
        nominees = list(nominees.all())
    assert result == ImportResult(created=4, skipped=0, errors=[])
    assert [(n.paper_serial, n.channel, n.volunteer_id) for n in saved] == [
        ("ML-00001", "paper", volunteer.id),
        ("ML-00002", "paper", volunteer.id),
        ("ML-00003", "paper", volunteer.id),
        ("ML-00004", "paper", volunteer.id),
    ]
    assert saved[0].nominator_phone == "+22366123456"
    assert len({n.tracking_code for n in saved}) == 4
    assert nominees == [("Aminata Goïta", 3), ("Moussa Keïta", 1)]
    assert [(e.actor_id, e.details) for e in imports(engine)] == [
        (None, {"created": 4, "skipped": 0})
    ]


def test_import_same_file_again_creates_no_duplicates(engine, volunteer):
    data = csv_bytes([row("ML-00001"), row("ML-00002")])
    first = importer.import_csv(engine, data)
    again = importer.import_csv(engine, data)
    assert (first.created, first.skipped) == (2, 0)
    assert again == ImportResult(created=0, skipped=2, errors=[])
    assert len(nominations(engine)) == 2


def test_import_skips_forms_typed_in_before(engine, volunteer):
    typed = make_nomination(engine, volunteer.id, paper_serial="ML-00001")
    result = importer.import_csv(engine, csv_bytes([row("ml-00001"), row("ML-00002")]))
    assert result == ImportResult(created=1, skipped=1, errors=[])
    assert [n.id for n in nominations(engine)][0] == typed.id


def test_import_one_bad_row_among_good_ones_imports_nothing(engine, volunteer):
    data = csv_bytes([row("ML-1"), row("ML-2", nominator_phone="12 34"), row("ML-3")])
    result = importer.import_csv(engine, data)
    assert result == ImportResult(
        created=0,
        skipped=0,
        errors=[RowError(3, "nominator_phone", "This phone number is not valid.")],
    )
    assert (nominations(engine), imports(engine)) == ([], [])


def test_import_reports_every_problem_of_every_row_in_column_order(engine, volunteer):
    data = csv_bytes(
        [
            row("", nominee_region="Atlantis", story="Trop court.", consent="non"),
            row("ML-2"),
            row("ML-3", nominee_gender="x", eligibility_elected="oui", referee1_email="@"),
        ]
    )
    result = importer.import_csv(engine, data)
    assert result.errors == [
        RowError(2, "paper_serial", "Write the number printed on the form."),
        RowError(2, "nominee_region", "Choose a region from the list."),
        RowError(2, "story", "Tell us a little more: at least 80 characters."),
        RowError(2, "consent", "Consent is needed to record the nomination."),
        RowError(4, "nominee_gender", "Choose one."),
        RowError(4, "referee1_email", "Enter a valid email address."),
        RowError(4, "eligibility_elected", "With this answer the person cannot be nominated."),
    ]
    assert nominations(engine) == []


def test_import_same_form_twice_in_the_file_is_an_error_on_the_later_row(engine, volunteer):
    result = importer.import_csv(engine, csv_bytes([row("ML-1"), row("ML-2"), row("ml-1")]))
    assert result.errors == [
        RowError(4, "paper_serial", "This form is already on row %(row)s.", {"row": 2})
    ]
    assert nominations(engine) == []


def test_import_missing_columns_refused_naming_them(engine, volunteer):
    columns = [c for c in COLUMNS if c not in ("story", "consent")]
    message, params = refusal(engine, csv_bytes([row("ML-1")], columns))
    assert (message, params) == ("Columns missing: %(columns)s.", {"columns": "story, consent"})
    assert nominations(engine) == []


def test_import_unknown_and_repeated_columns_refused(engine, volunteer):
    columns = COLUMNS
    unknown = refusal(engine, csv_bytes([row("ML-1")], [*columns, "nominee_phon"]))
    twice = refusal(engine, csv_bytes([row("ML-1")], [*columns, "Story"]))
    assert unknown == (
        "Unknown columns: %(columns)s. Use the column names of the template.",
        {"columns": "nominee_phon"},
    )
    assert twice == ("Columns given twice: %(columns)s.", {"columns": "story"})


def test_import_windows_1252_with_semicolons_is_read_correctly(engine, volunteer):
    form = row(
        "ML-1",
        nominee_name="Hawa Cissé",
        nominee_institution="Mairie de Ségou – état civil",
        nominee_region="Ségou",
        nominee_gender="Femme",
        eligibility_serving="Oui",
        eligibility_elected="Non",
        consent="oui",
    )
    data = csv_bytes([form], delimiter=";", encoding="cp1252")
    result = importer.import_csv(engine, data)
    saved = nominations(engine)[0]
    assert data.decode("cp1252").startswith("paper_serial;nominee_name;")
    assert result.created == 1
    assert (saved.nominee_name, saved.nominee_institution, saved.nominee_region) == (
        "Hawa Cissé",
        "Mairie de Ségou – état civil",
        "Ségou",
    )
    assert (saved.nominee_gender, saved.eligibility, saved.consent) == (
        "female",
        {"serving": "yes", "elected": "no"},
        True,
    )


def test_import_utf8_with_bom_tabs_and_excel_escaped_cells(engine, volunteer):
    form = row("ML-1", nominator_phone="'+223 66 12 34 56", nominee_gender="H", consent="1")
    data = b"\xef\xbb\xbf" + csv_bytes([form], delimiter="\t")
    result = importer.import_csv(engine, data)
    saved = nominations(engine)[0]
    assert result.created == 1
    assert (saved.nominator_phone, saved.nominee_gender, saved.consent) == (
        "+22366123456",
        "male",
        True,
    )


def test_import_names_in_any_script_and_html_kept_as_text(engine, volunteer):
    story = "<script>alert(1)</script> " + "Elle refuse les pots-de-vin. " * 4
    data = csv_bytes([row("ML-1", nominee_name="ߊߡߌߣߊߕߊ ߜߏߦߌߕߊ", story=story)])
    importer.import_csv(engine, data)
    saved = nominations(engine)[0]
    assert (saved.nominee_name, saved.story) == ("ߊߡߌߣߊߕߊ ߜߏߦߌߕߊ", story.strip())


def test_import_rows_numbered_as_excel_shows_them(engine, volunteer):
    story = "Première ligne de l'histoire.\nDeuxième ligne : " + "elle sert tout le monde. " * 3
    data = csv_bytes([row("ML-1", story=story), {}, row("ML-3", nominee_phone="abc")])
    result = importer.import_csv(engine, data)
    assert result.errors == [RowError(4, "nominee_phone", "This phone number is not valid.")]


def test_import_binary_file_refused(engine, volunteer):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    workbook = b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256))
    utf16 = "paper_serial,nominee_name\r\n".encode("utf-16")
    assert refusal(engine, png)[0] == csvfile.SAVE_AS
    assert refusal(engine, utf16)[0] == csvfile.SAVE_AS
    assert refusal(engine, workbook)[0].startswith("This is an Excel workbook, not a CSV file.")
    assert refusal(engine, b"  \r\n") == ("This file is empty.", {})
    assert nominations(engine) == []


def test_import_more_than_50000_rows_refused(engine, volunteer):
    header = ",".join(COLUMNS).encode()
    data = header + b"\r\n" + b"ML-1,A\r\n" * 50_001
    message, params = refusal(engine, data)
    assert message == "This file has more than %(rows)s rows. Split it into several files."
    assert params == {"rows": "50,000"}
    assert nominations(engine) == []


def test_import_file_over_the_size_limit_refused(engine, volunteer):
    message, _ = refusal(engine, b"a" * (csvfile.MAX_BYTES + 1))
    assert message == "This file is larger than 25 MB. Split it into several files."


def test_import_badly_quoted_csv_refused_with_its_line(engine, volunteer):
    header = ",".join(COLUMNS)
    unclosed = f'{header}\r\nML-1,Awa\r\nML-2,"Fanta\r\nML-3,Oumou\r\n'.encode()
    stray = f'{header}\r\nML-1,"Fanta" Traoré\r\n'.encode()
    assert refusal(engine, unclosed) == (
        "Line %(line)s cannot be read as CSV: check its quotation marks.",
        {"line": 3},
    )
    assert refusal(engine, stray)[1] == {"line": 2}
    assert nominations(engine) == []


def test_import_from_command_line_needs_the_volunteer_column(engine, volunteer):
    columns = [c for c in COLUMNS if c != "volunteer_email"]
    message, params = refusal(engine, csv_bytes([row("ML-1")], columns))
    unknown = importer.import_csv(engine, csv_bytes([row("ML-1", volunteer_email="x@y.org")]))
    assert (message, params) == ("Columns missing: %(columns)s.", {"columns": "volunteer_email"})
    assert unknown.errors == [
        RowError(2, "volunteer_email", "No volunteer account has this email address.")
    ]


def test_import_by_a_volunteer_records_them_and_refuses_another_volunteer(engine, volunteer):
    other = make_user(engine, "volunteer", "other@example.org")
    columns = [c for c in COLUMNS if c != "volunteer_email"]
    own = importer.import_csv(engine, csv_bytes([row("ML-1")], columns), other.id)
    someone_else = importer.import_csv(engine, csv_bytes([row("ML-2")]), other.id)
    assert own.created == 1
    assert [(n.paper_serial, n.volunteer_id) for n in nominations(engine)] == [("ML-1", other.id)]
    assert someone_else.errors == [
        RowError(2, "volunteer_email", "You can only import your own forms.")
    ]


def test_import_by_a_manager_uses_the_volunteer_column_when_filled(engine, volunteer):
    manager = make_user(engine, "manager", "boss@example.org")
    data = csv_bytes([row("ML-1"), row("ML-2", volunteer_email="")])
    result = importer.import_csv(engine, data, manager.id)
    assert result.created == 2
    assert [n.volunteer_id for n in nominations(engine)] == [volunteer.id, manager.id]
    assert [e.actor_id for e in imports(engine)] == [manager.id]


def test_import_by_a_juror_refused(engine, volunteer):
    juror = make_user(engine, "juror")
    with pytest.raises(PermissionDenied):
        importer.import_csv(engine, csv_bytes([row("ML-1")]), juror.id)
    assert nominations(engine) == []


def test_import_after_review_refused(engine):
    make_campaign(engine, "voting")
    make_user(engine, "volunteer", VOLUNTEER)
    with pytest.raises(PhaseClosed):
        importer.import_csv(engine, csv_bytes([row("ML-1")]))
    assert nominations(engine) == []


def test_template_has_every_column_and_a_bom(campaign):
    assert csvfile.template_csv(campaign) == "\ufeff" + ";".join(csvfile.columns(campaign)) + "\r\n"


def test_import_joins_the_nominee_of_earlier_nominations(engine, volunteer):
    typed = make_nomination(engine, volunteer.id, paper_serial="ML-1")
    data = csv_bytes([row("ML-2", nominee_name="GOITA Aminata"), row("ML-3", nominee_name="Awa")])
    importer.import_csv(engine, data)
    saved = nominations(engine)
    with db.session(engine) as s:
        nominee = s.get(Nominee, typed.nominee_id)
    assert [n.nominee_id == typed.nominee_id for n in saved] == [True, True, False]
    assert (nominee.name, nominee.nomination_count) == ("Aminata Goïta", 2)
