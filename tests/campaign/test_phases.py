from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from campaign.phases import Phase, current_phase, is_open, next_window, order_errors

T0 = datetime(2026, 1, 1, 8, tzinfo=UTC)
DAY = timedelta(days=1)


def dates(**overrides):
    values = dict(
        nominations_start=T0,
        nominations_end=T0 + 30 * DAY,
        review_start=T0 + 31 * DAY,
        review_end=T0 + 60 * DAY,
        voting_start=T0 + 60 * DAY,
        voting_end=T0 + 70 * DAY,
        results_at=T0 + 71 * DAY,
    )
    return SimpleNamespace(**(values | overrides))


def test_current_phase_at_each_boundary():
    c = dates()
    assert current_phase(c, T0 - timedelta(seconds=1)) == Phase.upcoming
    assert current_phase(c, T0) == Phase.nominations
    assert current_phase(c, T0 + 30 * DAY - timedelta(seconds=1)) == Phase.nominations
    assert current_phase(c, T0 + 30 * DAY) is None  # the day between nominations and review
    assert current_phase(c, T0 + 31 * DAY) == Phase.review
    assert current_phase(c, T0 + 60 * DAY) == Phase.voting
    assert current_phase(c, T0 + 71 * DAY) == Phase.results
    assert current_phase(c, T0 + 1000 * DAY) == Phase.results


def test_is_open_end_is_exclusive():
    c = dates()
    assert is_open(c, Phase.nominations, T0 + 30 * DAY - timedelta(microseconds=1)) is True
    assert is_open(c, Phase.nominations, T0 + 30 * DAY) is False
    assert is_open(c, Phase.voting, T0 + 65 * DAY) is True
    assert is_open(c, Phase.voting, T0 + 59 * DAY) is False


def test_next_window_between_phases_names_the_next_one():
    c = dates()
    upcoming = next_window(c, T0 + 30 * DAY + timedelta(hours=1))
    assert (upcoming.phase, upcoming.start) == (Phase.review, T0 + 31 * DAY)
    assert next_window(c, T0 + 80 * DAY) is None


def test_order_errors_names_each_date_out_of_order():
    assert order_errors(dates()) == []
    bad = dates(review_start=T0 + 10 * DAY, voting_end=T0 + 60 * DAY)
    assert order_errors(bad) == ["review_start", "voting_end"]
