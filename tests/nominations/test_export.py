import csv
import io

import pytest

from campaign.errors import NotFound
from nominations import csvfile, export, importer
from tests.factories import make_nomination, make_user


def read(chunks) -> tuple[str, list[dict]]:
    text = "".join(chunks)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))
    return text, rows


def test_export_nominations_is_excel_csv_with_contact_details(engine, campaign):
    volunteer = make_user(engine, "volunteer", "vol@example.org")
    n = make_nomination(engine, volunteer.id, paper_serial="ML-00042")
    text, rows = read(export.export_nominations(engine, campaign.id))
    assert text.startswith("\ufeffid;nominee_id;tracking_code;channel;status;status_reason;")
    assert text.encode("utf-8")[:3] == b"\xef\xbb\xbf"
    assert "\r\n" in text
    assert len(rows) == 1
    assert rows[0] | {"created_at": ""} == {
        "id": str(n.id),
        "nominee_id": str(n.nominee_id),
        "tracking_code": f"{n.tracking_code[:4]}-{n.tracking_code[4:]}",
        "channel": "paper",
        "status": "received",
        "status_reason": "",
        "nominee_name": "Aminata Goïta",
        "nominee_gender": "female",
        "nominee_position": "Sage-femme",
        "nominee_institution": "CSCOM de Kalaban Coro",
        "nominee_region": "Koulikoro",
        "nominee_town": "Kalaban Coro",
        "nominee_phone": "",
        "story": n.story,
        "referee1_name": "Oumou Diarra",
        "referee1_phone": "'+22376112233",
        "referee1_email": "",
        "referee2_name": "Bakary Koné",
        "referee2_phone": "",
        "referee2_email": "bakary.kone@example.org",
        "referee3_name": "",
        "referee3_phone": "",
        "referee3_email": "",
        "nominator_name": "Fanta Traoré",
        "nominator_phone": "'+22366123456",
        "nominator_email": "",
        "nominator_relation": "Patiente",
        "eligibility_serving": "yes",
        "eligibility_elected": "no",
        "consent": "yes",
        "volunteer_email": "vol@example.org",
        "paper_serial": "ML-00042",
        "created_at": "",
    }
    # In the campaign's time zone (Bamako is UTC all year), as Excel reads a date.
    assert rows[0]["created_at"] == n.created_at.strftime("%Y-%m-%d %H:%M:%S")


def test_export_escapes_formulas_and_keeps_html_and_newlines_as_text(engine, campaign):
    story = '=HYPERLINK("http://evil.example","clic")\n<b>gras</b> ' + "et la suite. " * 6
    make_nomination(
        engine,
        nominee_name="@SUM(A1:A9)",
        nominee_institution="-2+3",
        nominee_town="+ville",
        story=story,
    )
    _, rows = read(export.export_nominations(engine, campaign.id))
    assert rows[0]["story"] == "'" + story.strip()
    assert rows[0]["nominee_name"] == "'@SUM(A1:A9)"
    assert (rows[0]["nominee_institution"], rows[0]["nominee_town"]) == ("'-2+3", "'+ville")


def test_escape_cell_covers_every_formula_start():
    cells = ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "a=1", "", None, 42]
    assert [export.escape_cell(c) for c in cells] == [
        "'=1+1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "a=1", "", "", "42",
    ]  # fmt: skip
    assert [export.unescape_cell(export.escape_cell(c)) for c in cells[:7]] == cells[:7]
    assert export.unescape_cell("'quoted'") == "'quoted'"


def test_export_nominees_one_row_per_person_with_counts(engine, campaign):
    volunteer = make_user(engine, "volunteer")
    first = make_nomination(engine, volunteer.id)
    make_nomination(engine, volunteer.id, nominee_name="Aminata GOITA")
    other = make_nomination(engine, volunteer.id, nominee_name="Moussa Keïta", nominee_gender="")
    text, rows = read(export.export_nominees(engine, campaign.id))
    assert text.startswith("\ufeffid;name;gender;position;institution;region;nomination_count\r\n")
    assert rows == [
        {"id": str(first.nominee_id), "name": "Aminata GOITA", "gender": "female",
         "position": "Sage-femme", "institution": "CSCOM de Kalaban Coro",
         "region": "Koulikoro", "nomination_count": "2"},
        {"id": str(other.nominee_id), "name": "Moussa Keïta", "gender": "unknown",
         "position": "Sage-femme", "institution": "CSCOM de Kalaban Coro",
         "region": "Koulikoro", "nomination_count": "1"},
    ]  # fmt: skip


def test_export_streams_in_batches(engine, campaign, monkeypatch):
    monkeypatch.setattr(export, "BATCH", 2)
    volunteer = make_user(engine, "volunteer")
    ids = [make_nomination(engine, volunteer.id, nominee_name=f"Awa {c}").id for c in "ABCDE"]
    chunks = list(export.export_nominations(engine, campaign.id))
    _, rows = read(chunks)
    assert len(chunks) == 4  # the header, then three batches
    assert [int(r["id"]) for r in rows] == ids


def test_export_of_an_unknown_campaign_fails_before_streaming(engine, campaign):
    with pytest.raises(NotFound):
        export.export_nominations(engine, campaign.id + 1)
    with pytest.raises(NotFound):
        export.export_nominees(engine, campaign.id + 1)


def test_exported_nominations_import_back_unescaped(engine, campaign):
    volunteer = make_user(engine, "volunteer", "vol@example.org")
    make_nomination(engine, volunteer.id, paper_serial="ML-1", nominee_name="=Awa Traoré")
    exported = "".join(export.export_nominations(engine, campaign.id))
    rows = list(csv.DictReader(io.StringIO(exported.removeprefix("\ufeff")), delimiter=";"))
    again = io.StringIO()
    writer = csv.DictWriter(again, csvfile.columns(campaign), delimiter=";", extrasaction="ignore")
    writer.writeheader()
    writer.writerows([rows[0] | {"paper_serial": "ML-2"}])
    result = importer.import_csv(engine, ("\ufeff" + again.getvalue()).encode())
    _, exported_again = read(export.export_nominations(engine, campaign.id))
    assert (result.created, result.errors) == (1, [])
    assert [r["nominee_name"] for r in exported_again] == ["'=Awa Traoré", "'=Awa Traoré"]
    assert exported_again[1]["nominator_phone"] == "'+22366123456"
    assert exported_again[1]["referee2_email"] == "bakary.kone@example.org"
