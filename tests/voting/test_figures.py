"""The public vote figures: counted votes per channel and round, never a hidden round's counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from campaign.campaigns import local_input
from tests.factories import make_campaign
from tests.voting.test_rounds import NOW, TZ, add_ballots, form, shortlist
from voting import figures, round_changes
from voting.figures import RoundFigures, VoteFigures


@pytest.fixture
def voting(engine):
    return make_campaign(engine, "voting")


@pytest.fixture
def three(engine, voting):
    return shortlist(engine, voting.id, ["Awa Diallo", "Bakary Koné", "Coumba Sow"])


@pytest.fixture
def open_round(engine, voting, manager, three):
    return round_changes.create_round(engine, manager.id, voting.id, form())


# (ballot number, channel, void): web 2, SMS 3 counted; one void vote of each channel.
VOTES = [(1, "web", False), (2, "web", False), (1, "sms", False), (1, "sms", False),
         (2, "sms", False), (1, "web", True), (2, "sms", True)]  # fmt: skip


def test_public_votes_hide_the_counts_of_a_round_under_way(engine, voting, open_round):
    add_ballots(engine, open_round.id, VOTES)

    found = figures.public_votes(engine, voting.id)

    assert found == VoteFigures(
        [RoundFigures("Vote du public", "open", False, None, None, None)], 0, 0, 0, 1
    )


def test_public_votes_count_a_closed_round_per_channel_without_void(
    engine, voting, manager, open_round
):
    add_ballots(engine, open_round.id, VOTES)
    round_changes.close_round(engine, manager.id, open_round.id)

    found = figures.public_votes(engine, voting.id)

    assert found == VoteFigures(
        [RoundFigures("Vote du public", "closed", True, 2, 3, 5)], 2, 3, 5, 0
    )


def test_public_votes_show_a_live_round_while_it_is_open(engine, voting, manager, three):
    r = round_changes.create_round(engine, manager.id, voting.id, form(results_live=True))
    add_ballots(engine, r.id, VOTES)

    found = figures.public_votes(engine, voting.id)

    assert found.rounds == [RoundFigures("Vote du public", "open", True, 2, 3, 5)]
    assert (found.total, found.under_way) == (5, 0)


def test_public_votes_add_shown_rounds_and_leave_out_those_not_open(engine, voting, manager, three):
    first = round_changes.create_round(engine, manager.id, voting.id, form(title="Premier tour"))
    add_ballots(engine, first.id, VOTES)
    round_changes.close_round(engine, manager.id, first.id)
    second = round_changes.create_round(engine, manager.id, voting.id, form(title="Finale"))
    add_ballots(engine, second.id, [(1, "web", False)] * 3)
    later = local_input(NOW + timedelta(days=2), TZ)
    round_changes.create_round(engine, manager.id, voting.id,
                        form(title="Plus tard", opens_at=later,
                             closes_at=local_input(NOW + timedelta(days=3), TZ)))  # fmt: skip

    found = figures.public_votes(engine, voting.id)

    assert [(r.title, r.state, r.shown, r.total) for r in found.rounds] == [
        ("Premier tour", "closed", True, 5),
        ("Finale", "open", False, None),
    ]
    assert (found.web, found.sms, found.total, found.under_way) == (2, 3, 5, 1)


def test_public_votes_without_rounds_are_zeros(engine, voting):
    assert figures.public_votes(engine, voting.id) == VoteFigures([], 0, 0, 0, 0)


def test_public_votes_read_in_two_queries_whatever_the_rounds(engine, voting, manager, three):
    statements = []
    for title in ("Tour un", "Tour deux", "Tour trois"):
        r = round_changes.create_round(engine, manager.id, voting.id, form(title=title))
        add_ballots(engine, r.id, VOTES)
        round_changes.close_round(engine, manager.id, r.id)
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    found = figures.public_votes(engine, voting.id)

    selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert (len(selects), found.total) == (2, 15)
