"""``icon campaign new`` and ``icon setup-link``."""

import pytest
from sqlmodel import select

from campaign import cli, db, setup
from campaign.models import Campaign
from tests.campaign.test_cli import env, run  # noqa: F401 - the fixture
from tests.conftest import SECRET
from tests.factories import make_user


def test_campaign_new_creates_an_edition_from_the_presets(env, capsys):  # noqa: F811
    run(capsys, "migrate")
    code, out, err = run(capsys, "campaign", "new", "--country", "NP", "--year", "2027")
    assert (code, err) == (0, "")
    assert out == (
        "Edition 2027 for NP created: 'Integrity Icon Nepal 2027', 7 regions, "
        "time zone Asia/Kathmandu.\n"
    )
    code, out, _ = run(capsys, "campaign", "new", "--country", "np", "--year", "2028",
                       "--title", "Integrity Icon Nepal 2028")  # fmt: skip
    assert code == 0
    with db.session(db.make_engine(env)) as s:
        rows = s.exec(select(Campaign.country, Campaign.year, Campaign.title)).all()
    assert rows == [("NP", 2027, "Integrity Icon Nepal 2027"),
                    ("NP", 2028, "Integrity Icon Nepal 2028")]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--country", "XX", "--year", "2027"],
         "icon: unknown country code 'XX' (ISO 3166 alpha-2, e.g. NP).\n"),
        (["--country", "NP", "--year", "2027"], "icon: NP already has an edition for 2027.\n"),
        (["--country", "NP", "--year", "20x7"],
         "icon: '20x7' is not a year between 2000 and 2100.\n"),
    ],
)  # fmt: skip
def test_campaign_new_refuses_clearly_and_changes_nothing(env, capsys, argv, message):  # noqa: F811
    run(capsys, "migrate")
    run(capsys, "campaign", "new", "--country", "NP", "--year", "2027")
    code, out, err = run(capsys, "campaign", "new", *argv)
    assert (code, out, err) == (2, "", message)
    with db.session(db.make_engine(env)) as s:
        assert len(s.exec(select(Campaign)).all()) == 1


def test_setup_link_printed_while_no_staff_then_refused(env, capsys):  # noqa: F811
    run(capsys, "migrate")
    code, out, _ = run(capsys, "setup-link")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("No staff account yet. Open this link to create the first manager and "
                        "edition (valid 24 hours, until a manager exists):")  # fmt: skip
    assert lines[1].startswith("http://icon.test/setup/")
    engine = db.make_engine(env)
    assert setup.check(engine, SECRET, lines[1].rsplit("/", 1)[1]) is None
    make_user(engine, "manager")
    code, out, err = run(capsys, "setup-link")
    assert (code, out) == (2, "")
    assert err == "icon: a manager exists already: invite staff with `icon user add`.\n"


def test_campaign_new_on_an_unmigrated_database_says_so(env, capsys):  # noqa: F811
    code, out, err = run(capsys, "campaign", "new", "--country", "NP", "--year", "2027")
    assert (code, out) == (2, "")
    assert "Run `icon migrate`" in err


def test_cli_module_has_the_commands():
    names = set(cli.parser()._subparsers._group_actions[0].choices)
    assert {"campaign", "setup-link", "serve", "demo"} <= names
