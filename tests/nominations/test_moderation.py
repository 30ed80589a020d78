from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from campaign import db
from campaign.errors import Invalid, NotFound
from campaign.models import AuditEvent
from nominations import grouping, intake, moderation, nominees
from nominations.models import Nomination
from nominations.moderation import Filters
from tests.factories import make_campaign, make_nomination, make_user, nomination_form

KAYES = {"nominee_region": "Kayes", "nominee_institution": "CSCOM de Kayes N'Di"}
KEITA = {
    "nominee_name": "Moussa Keïta",
    "nominee_gender": "male",
    "nominee_position": "Greffier",
    "nominee_institution": "TGI de Kati",
}


def _web(engine, **overrides) -> Nomination:
    intake.submit_web(engine, "k" * 40, nomination_form(**overrides), "10.0.0.1", "")
    with db.session(engine) as s:
        return s.exec(select(Nomination).order_by(Nomination.id.desc())).first()


def _names(page: moderation.Page) -> list[str]:
    return [row.nominee_name for row in page.rows]


def _set_created(engine, nomination_id: int, when: datetime) -> None:
    with db.session(engine) as s, s.begin():
        s.get(Nomination, nomination_id).created_at = when


def _statuses(engine) -> dict[int, tuple[str, str]]:
    with db.session(engine) as s:
        rows = s.exec(select(Nomination.id, Nomination.status, Nomination.status_reason))
        return {i: (status, reason) for i, status, reason in rows}


def _audited(engine) -> list[tuple[str, dict]]:
    with db.session(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "nomination.status"))
        return [(e.target_id, e.details) for e in events]


def test_list_nominations_newest_first_with_volunteer_and_nominee_count(engine, campaign):
    volunteer = make_user(engine, "volunteer", "awa@example.org")
    first = make_nomination(engine, volunteer.id)
    second = make_nomination(engine, volunteer.id, nominee_name="Goïta Aminata")
    web = _web(engine, **KEITA)
    page = moderation.list_nominations(engine, campaign.id, Filters())
    assert [r.id for r in page.rows] == [web.id, second.id, first.id]
    assert [(r.channel, r.volunteer, r.nominee_count) for r in page.rows] == [
        ("web", "", 1),
        ("paper", "awa@example.org", 2),
        ("paper", "awa@example.org", 2),
    ]
    assert (page.total, page.page, page.pages) == (3, 1, 1)
    assert page.volunteers == [moderation.VolunteerOption(volunteer.id, "awa@example.org")]


def test_list_nominations_filters_by_region_status_channel_and_volunteer(engine, campaign):
    manager = make_user(engine, "manager")
    awa, bina = make_user(engine, "volunteer"), make_user(engine, "volunteer")
    in_kayes = make_nomination(engine, awa.id, **KAYES)
    by_bina = make_nomination(engine, bina.id, **KEITA)
    web = _web(engine)
    moderation.set_status(engine, manager.id, [by_bina.id], "eligible", "")

    def ids(**params) -> list[int]:
        page = moderation.list_nominations(engine, campaign.id, Filters.parse(params))
        return [r.id for r in page.rows]

    assert ids(region="Kayes") == [in_kayes.id]
    assert ids(status="eligible") == [by_bina.id]
    assert ids(status="received") == [web.id, in_kayes.id]
    assert ids(channel="web") == [web.id]
    assert ids(volunteer=str(bina.id)) == [by_bina.id]
    assert ids(channel="paper", region="Koulikoro") == [by_bina.id]


def test_list_nominations_dates_are_days_in_the_campaign_timezone(engine):
    campaign = make_campaign(engine, timezone="Asia/Kathmandu")
    volunteer = make_user(engine, "volunteer")
    late = make_nomination(engine, volunteer.id)
    # 20:00 UTC on 1 March is 01:45 on 2 March in Kathmandu.
    _set_created(engine, late.id, datetime(2026, 3, 1, 20, 0, tzinfo=UTC))

    def total(**dates) -> int:
        return moderation.list_nominations(engine, campaign.id, Filters(**dates)).total

    assert total(since=date(2026, 3, 2), until=date(2026, 3, 2)) == 1
    assert total(until=date(2026, 3, 1)) == 0
    assert total(since=date(2026, 3, 3)) == 0


def test_list_nominations_search_ignores_accents_case_titles_and_word_order(engine, campaign):
    volunteer = make_user(engine, "volunteer")
    make_nomination(engine, volunteer.id, nominee_name="Dr Aminata GOÏTA")
    make_nomination(engine, volunteer.id, **KEITA)

    def search(q: str) -> list[str]:
        return _names(moderation.list_nominations(engine, campaign.id, Filters(q=q)))

    assert search("goita aminata") == ["Dr Aminata GOÏTA"]
    assert search("Goïta") == ["Dr Aminata GOÏTA"]
    assert search("amin") == ["Dr Aminata GOÏTA"]
    assert search("KEITA") == ["Moussa Keïta"]
    assert search("Mme Keita") == ["Moussa Keïta"]
    assert search("mata") == []  # a word is matched from its start
    assert search("Dr") == []
    assert search("Keita Aminata") == []


def test_list_nominations_search_finds_a_tracking_code_as_typed(engine, campaign):
    volunteer = make_user(engine, "volunteer")
    n = make_nomination(engine, volunteer.id)
    make_nomination(engine, volunteer.id, **KEITA)
    typed = f"{n.tracking_code[:4].lower()} {n.tracking_code[4:].lower()}"
    page = moderation.list_nominations(engine, campaign.id, Filters(q=typed))
    assert [r.id for r in page.rows] == [n.id]


def test_list_nominations_pages_and_clamps_the_page_number(engine, campaign):
    volunteer = make_user(engine, "volunteer")
    made = [make_nomination(engine, volunteer.id).id for _ in range(5)]
    second = moderation.list_nominations(engine, campaign.id, Filters(), page=2, per_page=2)
    beyond = moderation.list_nominations(engine, campaign.id, Filters(), page=99, per_page=2)
    assert ([r.id for r in second.rows], second.pages) == ([made[2], made[1]], 3)
    assert (beyond.page, [r.id for r in beyond.rows]) == (3, [made[0]])


def test_filters_parse_drops_malformed_values():
    filters = Filters.parse(
        {"status": "archived", "channel": "fax", "since": "yesterday", "volunteer": "x1",
         "region": " Kayes ", "q": "  Aminata   Goïta ", "until": "2026-03-02"}
    )  # fmt: skip
    assert filters == Filters(region="Kayes", until=date(2026, 3, 2), q="Aminata Goïta")
    assert filters.query() == "region=Kayes&until=2026-03-02&q=Aminata+Go%C3%AFta"


def test_set_status_in_bulk_with_a_reason_is_audited_per_nomination(engine, campaign):
    manager = make_user(engine, "manager")
    volunteer = make_user(engine, "volunteer")
    a, b, c = (make_nomination(engine, volunteer.id).id for _ in range(3))
    changed = moderation.set_status(
        engine, manager.id, [a, b, a], "ineligible", "  Elected   mayor "
    )
    assert changed == 2
    assert _statuses(engine) == {
        a: ("ineligible", "Elected mayor"),
        b: ("ineligible", "Elected mayor"),
        c: ("received", ""),
    }
    assert sorted(_audited(engine)) == [
        (str(i), {"status": "ineligible", "previous": "received", "reason": "Elected mayor"})
        for i in (a, b)
    ]


def test_set_status_same_again_changes_and_audits_nothing(engine, campaign):
    manager = make_user(engine, "manager")
    n = make_nomination(engine)
    moderation.set_status(engine, manager.id, [n.id], "spam", "Advert")
    again = moderation.set_status(engine, manager.id, [n.id], "spam", "Advert")
    assert (again, len(_audited(engine))) == (0, 1)


@pytest.mark.parametrize(
    ("status", "reason", "errors"),
    [
        ("ineligible", "  ", {"reason": "Say why."}),
        ("spam", "", {"reason": "Say why."}),
        ("received", "Reset", {"status": "Choose a status."}),
        ("archived", "Old", {"status": "Choose a status."}),
    ],
)
def test_set_status_refuses_a_bad_status_or_a_missing_reason(
    engine, campaign, status, reason, errors
):
    manager = make_user(engine, "manager")
    n = make_nomination(engine)
    with pytest.raises(Invalid) as caught:
        moderation.set_status(engine, manager.id, [n.id], status, reason)
    assert caught.value.errors == errors
    assert (_statuses(engine), _audited(engine)) == ({n.id: ("received", "")}, [])


def test_set_status_with_an_unknown_id_changes_nothing(engine, campaign):
    manager = make_user(engine, "manager")
    n = make_nomination(engine)
    with pytest.raises(NotFound):
        moderation.set_status(engine, manager.id, [n.id, 999], "eligible", "")
    with pytest.raises(Invalid) as none_chosen:
        moderation.set_status(engine, manager.id, [], "eligible", "")
    assert none_chosen.value.errors == {"nominations": "Choose at least one nomination."}
    assert (_statuses(engine), _audited(engine)) == ({n.id: ("received", "")}, [])


def test_parse_ids_refuses_anything_but_numbers():
    assert moderation.parse_ids(["3", " 1", "3"]) == [3, 1]
    with pytest.raises(NotFound):
        moderation.parse_ids(["3", "1; DROP TABLE"])
    with pytest.raises(NotFound):
        moderation.parse_ids(["-1"])


def test_nominee_detail_has_every_nomination_with_contacts_and_history(engine, campaign):
    manager = make_user(engine, "manager")
    volunteer = make_user(engine, "volunteer", "awa@example.org")
    a = make_nomination(engine, volunteer.id, nominee_phone="76 00 00 01")
    b = make_nomination(engine, volunteer.id, nominee_name="Goïta Aminata")
    moderation.set_status(engine, manager.id, [b.id], "eligible", "Checked by phone")
    detail = nominees.nominee_detail(engine, a.nominee_id)
    first, second = detail.nominations
    assert (detail.nominee.name, detail.nominee.nomination_count) == ("Aminata Goïta", 2)
    assert [first.id, second.id] == [a.id, b.id]
    assert (first.nominee_phone, first.nominator_phone, first.volunteer) == (
        "+22376000001",
        "+22366123456",
        "awa@example.org",
    )
    assert first.referees[1] == {
        "name": "Bakary Koné",
        "phone": "",
        "email": "bakary.kone@example.org",
    }
    assert [(h.action, h.target) for h in detail.history] == [
        ("nomination.status", f"nomination {b.id}"),
        ("nomination.paper", f"nomination {b.id}"),
        ("nomination.paper", f"nomination {a.id}"),
    ]
    assert (detail.duplicates, detail.found) == ([], [])


def test_nominee_detail_unknown_is_not_found(engine, campaign):
    with pytest.raises(NotFound):
        nominees.nominee_detail(engine, 404)


def test_possible_duplicates_share_name_words_and_region_only(engine, campaign):
    manager = make_user(engine, "manager")
    volunteer = make_user(engine, "volunteer")
    a = make_nomination(engine, volunteer.id)
    b = make_nomination(engine, volunteer.id, nominee_name="Goïta Aminata")
    elsewhere = make_nomination(engine, volunteer.id, **KAYES)
    other = make_nomination(engine, volunteer.id, **KEITA)
    new = grouping.split(engine, manager.id, a.nominee_id, [b.id], "Two midwives")
    detail = nominees.nominee_detail(engine, a.nominee_id, find="aminata")
    listed = nominees.list_nominees(engine, campaign.id, q="keita")
    assert [d.id for d in detail.duplicates] == [new.id]
    assert [f.id for f in detail.found] == [elsewhere.nominee_id]
    assert [[n.id for n in group] for group in listed.duplicates] == [[a.nominee_id, new.id]]
    assert [n.id for n in listed.found] == [other.nominee_id]
