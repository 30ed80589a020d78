from sqlalchemy import event

from campaign.demo import MALI_REGIONS
from nominations import intake, moderation, stats
from nominations.stats import Count, RegionCount
from tests.factories import make_nomination, make_user, nomination_form

KEITA = {
    "nominee_name": "Moussa Keïta",
    "nominee_gender": "male",
    "nominee_position": "Greffier",
    "nominee_institution": "TGI de Kayes",
    "nominee_region": "Kayes",
}


def _seed(engine) -> tuple[int, int]:
    """Four nominations of three people: two paper (two volunteers), two web."""
    manager = make_user(engine, "manager")
    awa = make_user(engine, "volunteer", "awa@example.org")
    bina = make_user(engine, "volunteer", "bina@example.org")
    a = make_nomination(engine, awa.id)
    make_nomination(engine, awa.id, nominee_name="Goïta Aminata")
    intake.submit_web(engine, "k" * 40, nomination_form(**KEITA), "10.0.0.1", "")
    form = nomination_form(nominee_name="Awa Diallo", nominee_gender="female")
    intake.submit_web(engine, "k" * 40, form | {"nominee_region": "Kayes"}, "10.0.0.1", "")
    moderation.set_status(engine, manager.id, [a.id], "eligible", "")
    return awa.id, bina.id


def test_figures_count_by_region_in_campaign_order_with_zeros(engine, campaign):
    _seed(engine)
    figures = stats.figures(engine, campaign.id)
    by_region = {r.region: r for r in figures.by_region}
    assert [r.region for r in figures.by_region] == MALI_REGIONS
    assert by_region["Koulikoro"] == RegionCount("Koulikoro", 2, 1, 50)
    assert by_region["Kayes"] == RegionCount("Kayes", 2, 2, 50)
    assert by_region["Gao"] == RegionCount("Gao", 0, 0, 0)
    assert (figures.nominations, figures.nominees) == (4, 3)


def test_figures_count_by_channel_status_gender_and_volunteer(engine, campaign):
    _seed(engine)
    figures = stats.figures(engine, campaign.id)
    assert figures.by_channel == [Count("web", 2, 50), Count("sms", 0, 0), Count("paper", 2, 50)]
    assert figures.by_status == [
        Count("received", 3, 75),
        Count("to_complete", 0, 0),
        Count("eligible", 1, 25),
        Count("ineligible", 0, 0),
        Count("spam", 0, 0),
    ]
    assert figures.nominee_gender == [
        Count("female", 2, 67),
        Count("male", 1, 33),
        Count("unknown", 0, 0),
    ]
    assert figures.nomination_gender == [
        Count("female", 3, 75),
        Count("male", 1, 25),
        Count("unknown", 0, 0),
    ]
    assert figures.by_volunteer == [Count("awa@example.org", 2, 50)]
    assert figures.without_volunteer == 2


def test_figures_of_an_empty_campaign_are_zeros(engine, campaign):
    figures = stats.figures(engine, campaign.id)
    assert (figures.nominations, figures.nominees, figures.by_volunteer) == (0, 0, [])
    assert {r.nominations for r in figures.by_region} == {0}
    assert figures.by_channel == [Count("web", 0, 0), Count("sms", 0, 0), Count("paper", 0, 0)]


def test_figures_keep_a_region_removed_from_the_settings(engine, campaign):
    from campaign import db
    from campaign.models import Campaign

    make_nomination(engine, nominee_region="Gao")
    with db.session(engine) as s, s.begin():
        s.get(Campaign, campaign.id).regions = ["Kayes"]
    figures = stats.figures(engine, campaign.id)
    assert figures.by_region == [RegionCount("Kayes", 0, 0, 0), RegionCount("Gao", 1, 1, 100)]


def test_figures_query_count_does_not_grow_with_the_data(engine, campaign):
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    stats.figures(engine, campaign.id)
    empty = len(statements)
    _seed(engine)
    statements.clear()
    stats.figures(engine, campaign.id)
    assert len(statements) == empty
