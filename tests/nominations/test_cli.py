import csv
import io

import pytest
from sqlmodel import select

from campaign import cli, db
from nominations import csvfile
from nominations.models import Nomination
from tests.conftest import SECRET
from tests.factories import make_campaign, make_nomination, make_user, nomination_form


@pytest.fixture
def env(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ICON_ENV", "development")
    monkeypatch.setenv("ICON_SECRET_KEY", SECRET)
    monkeypatch.setenv("ICON_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    return database_url


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path, campaign, rows) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, csvfile.columns(campaign), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return str(path)


def form(serial: str, **overrides) -> dict:
    return nomination_form(paper_serial=serial, volunteer_email="vol@example.org", **overrides)


def serials(engine) -> list[str]:
    with db.session(engine) as s:
        return list(s.exec(select(Nomination.paper_serial).order_by(Nomination.id)).all())


def test_import_prints_counts_and_again_creates_nothing(env, engine, campaign, tmp_path, capsys):
    make_user(engine, "volunteer", "vol@example.org")
    path = write_csv(tmp_path / "forms.csv", campaign, [form("ML-1"), form("ML-2")])
    first = run(capsys, "nominations", "import", path)
    again = run(capsys, "nominations", "import", path)
    assert first == (0, "2 created, 0 already imported.\n", "")
    assert again == (0, "0 created, 2 already imported.\n", "")
    assert serials(engine) == ["ML-1", "ML-2"]


def test_import_with_bad_rows_lists_each_and_imports_nothing(
    env, engine, campaign, tmp_path, capsys
):
    make_user(engine, "volunteer", "vol@example.org")
    rows = [
        form("ML-1"),
        form("ML-2", nominee_phone="12", nominee_region="Atlantide"),
        form("ML-1", nominee_name="Ségolène Diarra"),
    ]
    code, out, err = run(
        capsys, "nominations", "import", write_csv(tmp_path / "f.csv", campaign, rows)
    )
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "row 3, nominee_region: Choose a region from the list.",
        "row 3, nominee_phone: This phone number is not valid.",
        "row 4, paper_serial: This form is already on row 2.",
        "Nothing imported: 3 problem(s) in 2 row(s). Correct the file and import it again.",
    ]
    assert serials(engine) == []


def test_import_refuses_a_file_with_missing_columns(env, engine, campaign, tmp_path, capsys):
    path = tmp_path / "f.csv"
    path.write_text("paper_serial,nominee_name\nML-1,Awa\n", encoding="utf-8")
    code, out, err = run(capsys, "nominations", "import", str(path))
    assert (code, out) == (2, "")
    assert err == (
        "icon: Columns missing: nominee_position, nominee_region, story, referee1_name, "
        "referee2_name, nominator_name, nominator_relation, eligibility_serving, "
        "eligibility_elected, consent, volunteer_email.\n"
    )


def test_import_refuses_a_missing_or_binary_file(env, campaign, tmp_path, capsys):
    (tmp_path / "photo.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    missing = run(capsys, "nominations", "import", str(tmp_path / "nope.csv"))
    binary = run(capsys, "nominations", "import", str(tmp_path / "photo.csv"))
    assert missing == (
        2,
        "",
        f"icon: cannot read {tmp_path / 'nope.csv'}: No such file or directory\n",
    )
    assert binary == (2, "", f"icon: {csvfile.SAVE_AS}\n")


def test_import_after_review_is_refused(env, engine, tmp_path, capsys):
    campaign = make_campaign(engine, "voting")
    make_user(engine, "volunteer", "vol@example.org")
    path = write_csv(tmp_path / "f.csv", campaign, [form("ML-1")])
    assert run(capsys, "nominations", "import", path) == (
        2,
        "",
        "icon: Paper forms can be entered from the opening of nominations to the end of review.\n",
    )


def test_export_to_stdout_and_to_a_file(env, engine, campaign, tmp_path, capsys):
    volunteer = make_user(engine, "volunteer", "vol@example.org")
    nomination = make_nomination(engine, volunteer.id, paper_serial="ML-7")
    code, out, _ = run(capsys, "nominations", "export")
    to_file = run(capsys, "nominations", "export", "--nominees", "-o", str(tmp_path / "n.csv"))
    nominees = (tmp_path / "n.csv").read_bytes()
    assert code == 0
    assert out.startswith("\ufeffid;nominee_id;tracking_code;")
    assert f"\r\n{nomination.id};{nomination.nominee_id};" in out
    assert ";vol@example.org;ML-7;" in out
    assert to_file == (0, "", f"Nominees written to {tmp_path / 'n.csv'}.\n")
    assert (
        nominees
        == (
            "\ufeffid;name;gender;position;institution;region;nomination_count\r\n"
            f"{nomination.nominee_id};Aminata Goïta;female;Sage-femme;CSCOM de Kalaban Coro;"
            "Koulikoro;1\r\n"
        ).encode()
    )


def test_export_without_a_campaign_is_refused(env, capsys):
    assert run(capsys, "nominations", "export") == (
        2,
        "",
        "icon: No campaign yet: run `icon demo` or create one first.\n",
    )
