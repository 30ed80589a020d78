"""The public /stats page: the campaign in figures, counts only, vote counts as each round allows,
numbers in the reader's locale, charts drawn on the server."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from campaign import db
from nominations import intake, sms
from tests.conftest import text_of
from tests.factories import make_campaign, make_nomination, make_user, nomination_form
from tests.voting.test_rounds import add_ballots, form, shortlist
from voting import round_changes

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}
KEITA = {"nominee_name": "Moussa Keïta", "nominee_gender": "male", "nominee_position": "Greffier",
         "nominee_institution": "TGI de Kayes", "nominee_region": "Kayes"}  # fmt: skip


def _seed(engine, campaign) -> None:
    """Five nominations of four people: three paper forms (two volunteers), one web, one SMS."""
    awa = make_user(engine, "volunteer", "awa@example.org")
    bina = make_user(engine, "volunteer", "bina@example.org")
    make_nomination(engine, awa.id)
    make_nomination(engine, awa.id, nominee_name="Goïta Aminata")
    make_nomination(engine, bina.id, **KEITA)
    web = nomination_form(nominee_name="Awa Diallo", nominee_region="Kayes")
    intake.submit_web(engine, "k" * 40, web, "10.0.0.1", "")
    with db.session(engine) as s, s.begin():
        sms.record(s, campaign, "+22376123456", "NOM Oumar Sangaré, infirmier, Gao", "k" * 40)


def _svg(page: str, ident: str) -> str:
    return re.search(rf'<svg [^>]*aria-labelledby="{ident}-t {ident}-d".*?</svg>', page).group(0)


def _widths(svg: str) -> list[str]:
    return re.findall(r'<rect x="0" y="\d+" width="([^"]*)" height="10"', svg)


def test_stats_before_any_campaign_is_a_clear_page(client):
    response = client.get("/stats", headers=EN)

    assert response.status_code == 200
    assert "The campaign in figures No campaign has been set up yet." in text_of(response.text)


def test_stats_before_nominations_open_show_zeros(client, engine):
    make_campaign(engine, "upcoming")

    page = text_of(client.get("/stats", headers=EN).text)

    assert "Nominations 0 People nominated 0 Volunteers who entered paper forms 0" in page
    assert "Regions reached 0 of 20" in page
    assert "Nominations per week Nominations have not opened yet." in page
    assert "Kayes 0 0%" in page


def test_stats_key_figures(client, engine, campaign):
    _seed(engine, campaign)

    html = client.get("/stats", headers=EN).text

    assert (
        "Nominations 5 People nominated 4 Volunteers who entered paper forms 2 "
        "Regions reached 2 of 20 Votes counted The vote has not started. "
        "Audio spots published 0"
    ) in text_of(html)
    assert "<td>2\u00a0of\u00a020</td>" in html  # never broken over two lines
    assert "Language Spots published Bamanankan 0 Français 0 Songhay 0" in text_of(html)


def test_stats_region_table_keeps_every_region_with_zeros(client, engine, campaign):
    _seed(engine, campaign)

    page = text_of(client.get("/stats", headers=EN).text)

    assert (
        "Region Nominations Share District de Bamako 0 0% Kayes 2 40% Koulikoro 2 40% Sikasso 0 0%"
    ) in page
    assert "Koutiala 0 0% No region 1 20%" in page
    assert "Channel Nominations Share Web 1 20% SMS 1 20% Paper form 3 60%" in page
    assert "Week Nominations 1 0 2 5" in page


def test_stats_draws_the_charts_largest_region_first(client, engine, campaign):
    _seed(engine, campaign)

    page = client.get("/stats", headers=EN).text

    regions = _svg(page, "chart-regions")
    assert 'role="img"' in regions
    assert '<title id="chart-regions-t">Nominations by region</title>' in regions
    assert _widths(regions) == ["256", "256", "128"] + ["0"] * 18
    assert re.findall(r'font-size="13" fill="#1b1b1b">([^<]*)<', regions)[:4] == [
        "Kayes", "Koulikoro", "No region", "District de Bamako",
    ]  # fmt: skip
    assert _widths(_svg(page, "chart-channels")) == ["85.3", "85.3", "256"]
    assert 'height="72"' in _svg(page, "chart-weeks")


def test_stats_show_no_personal_data(client, engine, campaign):
    _seed(engine, campaign)

    page = client.get("/stats", headers=EN).text

    for secret in ("Fanta", "Traoré", "+223", "66 12", "Goïta", "Keïta", "Sangaré",
                   "awa@example.org", "Oumou"):  # fmt: skip
        assert secret not in page


@pytest.fixture
def voting(engine):
    return make_campaign(engine, "voting")


@pytest.fixture
def hidden_round(engine, voting, manager):
    shortlist(engine, voting.id, ["Awa Diallo", "Bakary Koné", "Coumba Sow"])
    r = round_changes.create_round(engine, manager.id, voting.id, form(title="Grande finale"))
    add_ballots(engine, r.id, [(1, "sms", False)] * 1234 + [(2, "web", False)] * 7)
    add_ballots(engine, r.id, [(3, "web", True)] * 5)
    return r


def test_stats_hide_the_counts_of_a_round_until_it_closes(client, engine, hidden_round):
    page = text_of(client.get("/stats", headers=EN).text)

    assert (
        "Votes counted Voting under way: the count is published when the round closes. "
        "Audio spots published 0"
    ) in page
    assert "Grande finale Voting under way: the count is published when the round closes." in page
    assert "1,234" not in page and "1,241" not in page
    assert "<td>7</td>" not in client.get("/stats", headers=EN).text


def test_stats_show_the_counts_once_the_round_closes(client, engine, manager, hidden_round):
    round_changes.close_round(engine, manager.id, hidden_round.id)

    page = text_of(client.get("/stats", headers=EN).text)

    assert "Votes counted 1,241 " in page
    assert "Round Web SMS Total Grande finale 7 1,234 1,241" in page


def test_stats_numbers_in_french_use_a_narrow_no_break_space(client, engine, manager, hidden_round):
    round_changes.close_round(engine, manager.id, hidden_round.id)

    html = client.get("/stats", headers=FR).text

    assert "<td>7</td><td>1\u202f234</td><td>1\u202f241</td>" in html
    assert "<td>3</td><td>100\u00a0%</td>" in html  # Kayes: the shortlist's three nominations
    assert "<td>1,241</td>" in client.get("/stats", headers=EN).text


def _selects(client, engine) -> int:
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/stats", headers=EN).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sum(1 for q in statements if q.lstrip().upper().startswith("SELECT"))


@pytest.mark.parametrize("regions", [1, 6])
def test_stats_query_count_does_not_grow_with_regions(client, engine, campaign, regions):
    volunteer = make_user(engine, "volunteer")
    for region in campaign.regions[:regions]:
        make_nomination(engine, volunteer.id, nominee_region=region,
                        nominee_name=f"Agent {region}")  # fmt: skip

    # 14, then the years of the editions (links between them) and their interface languages
    assert _selects(client, engine) == 16
