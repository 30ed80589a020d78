"""``icon tally``: the JSON object and the table, the latest round by default."""

from __future__ import annotations

import argparse
import json

import pytest

from campaign.cli import CommandError
from tests.factories import make_campaign, make_user
from tests.voting.test_rounds import VOTES, add_ballots, form, shortlist
from voting import cli, round_changes


def run(settings, capsys, *argv):
    parser = argparse.ArgumentParser(prog="icon")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    code = args.func(settings, args)
    return code, capsys.readouterr().out


@pytest.fixture
def made(engine):
    campaign = make_campaign(engine, "voting")
    manager = make_user(engine, "manager")
    shortlist(engine, campaign.id, ["Awa Diallo", "Bakary Koné", "Coumba Sow"])
    first = round_changes.create_round(engine, manager.id, campaign.id, form(title="Premier tour"))
    latest = round_changes.create_round(engine, manager.id, campaign.id, form(title="Second tour"))
    add_ballots(engine, first.id, [*VOTES, (3, "sms", True)])
    return first, latest


def test_tally_json_prints_round_and_candidates(settings, capsys, made):
    first, _ = made

    code, out = run(settings, capsys, "tally", str(first.id), "--json")

    data = json.loads(out)
    assert code == 0
    assert sorted(data) == ["candidates", "round"]
    assert (data["round"]["id"], data["round"]["title"]) == (first.id, "Premier tour")
    assert data["candidates"] == [
        {"number": 1, "name": "Awa Diallo", "web": 3, "sms": 1, "total": 4, "void": 0},
        {"number": 2, "name": "Bakary Koné", "web": 1, "sms": 2, "total": 3, "void": 0},
        {"number": 3, "name": "Coumba Sow", "web": 0, "sms": 0, "total": 0, "void": 1},
    ]


def test_tally_without_round_id_takes_the_latest(settings, capsys, made):
    _, latest = made

    code, out = run(settings, capsys, "tally", "--json")

    assert (code, json.loads(out)["round"]["id"]) == (0, latest.id)


def test_tally_table_lists_candidates(settings, capsys, made):
    first, _ = made

    code, out = run(settings, capsys, "tally", str(first.id))

    lines = out.splitlines()
    assert code == 0
    assert lines[0] == f"Round {first.id}: Premier tour (open)"
    assert lines[2].split() == ["1", "Awa", "Diallo", "3", "1", "4", "0"]


def test_tally_of_an_unknown_round_is_refused(settings, capsys, made):
    with pytest.raises(CommandError) as caught:
        run(settings, capsys, "tally", "999")

    assert str(caught.value) == "no such round: round 999 not found."
