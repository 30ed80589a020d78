import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from campaign import cli, db
from campaign.models import Campaign, User
from tests.conftest import SECRET


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ICON_ENV", "development")
    monkeypatch.setenv("ICON_SECRET_KEY", SECRET)
    monkeypatch.setenv("ICON_DATABASE_URL", url)
    monkeypatch.setenv("ICON_BASE_URL", "http://icon.test")
    monkeypatch.chdir(tmp_path)
    return url


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_migrate_then_demo_prints_working_logins(env, capsys):
    assert run(capsys, "migrate")[0] == 0
    code, out, _ = run(capsys, "demo")
    logins = re.findall(r"(\w+)\s+(\S+@demo\.integrity-icon\.org)\s+password: (\S+)", out)
    engine = db.make_engine(env)
    with db.session(engine) as s:
        campaign = s.exec(select(Campaign)).one()
        users = {u.email: u for u in s.exec(select(User))}
    assert code == 0
    assert [(role, email) for role, email, _ in logins] == [
        ("manager", "manager@demo.integrity-icon.org"),
        *[("juror", f"juror{i}@demo.integrity-icon.org") for i in range(1, 8)],
        ("volunteer", "volunteer@demo.integrity-icon.org"),
    ]
    assert (campaign.country, len(campaign.regions), campaign.regions[0]) == (
        "ML",
        20,
        "District de Bamako",
    )
    from campaign import people

    manager = people.authenticate(engine, logins[0][1], logins[0][2], "127.0.0.1")
    assert manager.id == users["manager@demo.integrity-icon.org"].id


def test_demo_phase_moves_the_dates_so_that_phase_is_open(env, capsys):
    from campaign import campaigns, phases

    run(capsys, "migrate")
    run(capsys, "demo", "--phase", "voting")
    campaign = campaigns.current(db.make_engine(env))
    assert phases.current_phase(campaign, db.utcnow()) == phases.Phase.voting
    run(capsys, "demo", "--phase", "review", "--reset")
    engine = db.make_engine(env)
    assert phases.current_phase(campaigns.current(engine), db.utcnow()) == phases.Phase.review
    with db.session(engine) as s:
        assert len(s.exec(select(Campaign)).all()) == 1


def test_demo_on_unmigrated_database_says_which_command_to_run(env, capsys):
    code, _, err = run(capsys, "demo")
    assert code == 1
    assert "The database is empty" in err and "Run `icon migrate`" in err


def test_serve_refuses_an_unmigrated_database(env, capsys):
    code, _, err = run(capsys, "serve", "--port", "1")
    assert code == 1
    assert "Run `icon migrate`" in err


def test_user_add_prints_an_invitation_link(env, capsys):
    run(capsys, "migrate")
    code, out, _ = run(capsys, "user", "add", "Juror@Example.org", "--role", "juror")
    assert code == 0
    assert out.startswith("Invitation for juror@example.org (juror), valid 7 days, usable once:\n")
    assert re.search(r"^http://icon\.test/invitation/[\w.-]+$", out.splitlines()[1])


def test_user_add_with_bad_email_fails_and_creates_nothing(env, capsys):
    run(capsys, "migrate")
    code, _, err = run(capsys, "user", "add", "nobody", "--role", "juror")
    assert (code, err) == (2, "email: Enter a valid email address.\n")
    with db.session(db.make_engine(env)) as s:
        assert s.exec(select(User)).all() == []


def test_outbox_prints_json_lines(env, capsys):
    from campaign import sms

    run(capsys, "migrate")
    sms.OutboxGateway(db.make_engine(env)).send("+22376000001", "Code : 42")
    code, out, _ = run(capsys, "outbox")
    assert code == 0
    assert [(m["to"], m["body"]) for m in map(json.loads, out.splitlines())] == [
        ("+223 76 •• •• 01", "Code : 42")
    ]


def test_production_without_secret_key_refuses_every_command(env, capsys, monkeypatch):
    monkeypatch.setenv("ICON_ENV", "production")
    monkeypatch.delenv("ICON_SECRET_KEY")
    code, _, err = run(capsys, "migrate")
    assert code == 2
    assert err.startswith("icon: ICON_SECRET_KEY is required in production")


def test_backup_and_restore_round_trip(env, capsys, tmp_path):
    run(capsys, "migrate")
    run(capsys, "demo")
    code, out, _ = run(capsys, "backup", str(tmp_path / "copy.db"))
    engine = db.make_engine(env)
    with db.session(engine) as s, s.begin():
        s.exec(select(Campaign)).one().title = "Changed after the backup"
    engine.dispose()
    restored = run(capsys, "restore", str(tmp_path / "copy.db"))
    with db.session(db.make_engine(env)) as s:
        title = s.exec(select(Campaign.title)).one()
    assert code == 0 and out.startswith(f"Backup written to {tmp_path / 'copy.db'}")
    assert restored[0] == 0
    assert title.startswith("Integrity Icon Mali")


def test_backup_refuses_to_overwrite(env, capsys, tmp_path):
    run(capsys, "migrate")
    (tmp_path / "exists.db").write_text("keep me")
    code, _, err = run(capsys, "backup", str(tmp_path / "exists.db"))
    assert (code, (tmp_path / "exists.db").read_text()) == (2, "keep me")
    assert "already exists" in err


def test_restore_refuses_a_file_that_is_not_our_backup(env, capsys, tmp_path):
    run(capsys, "migrate")
    run(capsys, "demo")
    (tmp_path / "fake.db").write_bytes(b"not a database at all" * 100)
    code, _, err = run(capsys, "restore", str(tmp_path / "fake.db"))
    with db.session(db.make_engine(env)) as s:
        assert len(s.exec(select(Campaign)).all()) == 1
    assert code == 2 and "is not" in err


def test_backup_on_an_unreachable_postgresql_says_pg_dump_failed(capsys, monkeypatch):
    monkeypatch.setenv("ICON_ENV", "development")
    monkeypatch.setenv("ICON_SECRET_KEY", SECRET)
    monkeypatch.setenv("ICON_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code, _, err = run(capsys, "backup", "x.db")
    assert code == 2
    assert err.startswith("icon: pg_dump failed: ")


def test_demo_reset_wipes_every_table_in_a_fresh_process(env, tmp_path):
    """`icon demo --reset` had imported only some tables: the nominees went before the profiles
    that point at them (FOREIGN KEY constraint failed: DELETE FROM nominee)."""
    from profiles.models import Profile
    from tests.factories import make_campaign, make_nomination

    assert cli.main(["migrate"]) == 0
    engine = db.make_engine(env)
    campaign = make_campaign(engine, "nominations")
    nominee_id = make_nomination(engine).nominee_id
    with db.session(engine) as s, s.begin():
        s.add(Profile(campaign_id=campaign.id, nominee_id=nominee_id, slug="p", year=2026,
                      name="Aminata Goïta"))  # fmt: skip
    code = f"from campaign import db, demo; demo._wipe(db.make_engine({env!r}))"

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])  # fmt: skip

    assert (done.returncode, done.stderr) == (0, "")
    with db.session(engine) as s:
        assert (s.exec(select(Campaign)).all(), s.exec(select(Profile)).all()) == ([], [])


def test_demo_moved_to_review_assigns_every_reading(env, capsys):
    from campaign import campaigns
    from shortlist import assignment
    from shortlist.models import Assignment

    run(capsys, "migrate")
    run(capsys, "demo")
    engine = db.make_engine(env)
    with db.session(engine) as s:
        before = len(s.exec(select(Assignment.id)).all())

    code, _, _ = run(capsys, "demo", "--phase", "review")

    with db.session(engine) as s:
        readings = s.exec(select(Assignment.juror_id)).all()
        again = assignment.assign_missing(s, campaigns.current_in(s).id)
        s.rollback()
    assert (code, before) == (0, 0)
    assert (again["created"], again["short"], len(set(readings))) == (0, 0, 7)
    assert len(readings) == again["nominees"] * 3
