import pytest
from sqlmodel import select

from campaign import db
from campaign.errors import Invalid, NotFound
from campaign.models import AuditEvent
from nominations import grouping
from nominations.models import Nomination, Nominee
from tests.factories import make_nomination, make_user

KAYES = {
    "nominee_region": "Kayes",
    "nominee_institution": "CSCOM de Kayes N'Di",
    "nominee_town": "Kayes",
}


def _placement(engine) -> dict[int, int]:
    """Nomination id -> nominee id."""
    with db.session(engine) as s:
        return dict(s.exec(select(Nomination.id, Nomination.nominee_id)).all())


def _nominees(engine) -> dict[int, tuple[str, int]]:
    with db.session(engine) as s:
        rows = s.exec(select(Nominee.id, Nominee.name, Nominee.nomination_count)).all()
    return {i: (name, count) for i, name, count in rows}


def _events(engine, action: str) -> list[AuditEvent]:
    with db.session(engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)))


def test_attach_same_person_spelt_differently_joins_the_same_nominee(engine, campaign):
    first = make_nomination(engine, nominee_name="Dr Aminata GOITA")
    second = make_nomination(engine, nominee_name="Goïta Aminata")
    namesake = make_nomination(engine, nominee_name="Aminata Goïta", **KAYES)
    assert first.nominee_id == second.nominee_id
    assert namesake.nominee_id != first.nominee_id
    assert sorted(count for _name, count in _nominees(engine).values()) == [1, 2]


def test_merge_joins_nominees_pins_them_and_is_audited(engine, campaign):
    manager = make_user(engine, "manager")
    a = make_nomination(engine)
    b = make_nomination(engine, **KAYES)
    merged = grouping.merge(engine, manager.id, a.nominee_id, [b.nominee_id], "  Same  person ")
    with db.session(engine) as s:
        rows = s.exec(select(Nomination.nominee_id, Nomination.pinned)).all()
    (event,) = _events(engine, "nominee.merge")
    assert merged.nomination_count == 2
    assert sorted(rows) == [(a.nominee_id, True), (a.nominee_id, True)]
    assert list(_nominees(engine)) == [a.nominee_id]
    assert (event.actor_id, event.target_type, event.target_id) == (
        manager.id,
        "nominee",
        str(a.nominee_id),
    )
    assert event.details == {"merged": [b.nominee_id], "reason": "Same person"}


def test_merge_without_reason_or_with_unknown_nominee_changes_nothing(engine, campaign):
    manager = make_user(engine, "manager")
    a = make_nomination(engine)
    b = make_nomination(engine, **KAYES)
    before = _placement(engine)
    with pytest.raises(Invalid) as no_reason:
        grouping.merge(engine, manager.id, a.nominee_id, [b.nominee_id], "   ")
    with pytest.raises(NotFound):
        grouping.merge(engine, manager.id, a.nominee_id, [b.nominee_id, 999], "Same person")
    assert no_reason.value.errors == {"reason": "Say why."}
    assert _placement(engine) == before
    assert _events(engine, "nominee.merge") == []


def test_split_moves_nominations_to_a_new_nominee_and_is_audited(engine, campaign):
    manager = make_user(engine, "manager")
    a = make_nomination(engine)
    b = make_nomination(engine, nominee_name="Aminata Goita")
    c = make_nomination(engine, nominee_name="Mme Aminata Goïta")
    new = grouping.split(engine, manager.id, a.nominee_id, [c.id], "Two midwives")
    (event,) = _events(engine, "nominee.split")
    assert _placement(engine) == {a.id: a.nominee_id, b.id: a.nominee_id, c.id: new.id}
    assert _nominees(engine)[new.id] == ("Mme Aminata Goïta", 1)
    assert event.details == {"new_nominee": new.id, "nominations": [c.id], "reason": "Two midwives"}


def test_split_of_all_or_none_of_the_nominations_is_refused(engine, campaign):
    manager = make_user(engine, "manager")
    a = make_nomination(engine)
    b = make_nomination(engine)
    for ids in ([a.id, b.id], [], [12345]):
        with pytest.raises(Invalid):
            grouping.split(engine, manager.id, a.nominee_id, ids, "Two people")
    assert _placement(engine) == {a.id: a.nominee_id, b.id: a.nominee_id}
    assert _events(engine, "nominee.split") == []


def test_manager_merge_survives_regroup(engine, campaign):
    manager = make_user(engine, "manager")
    a = make_nomination(engine)
    b = make_nomination(engine, **KAYES)
    grouping.merge(engine, manager.id, a.nominee_id, [b.nominee_id], "Moved to Kayes last year")
    result = grouping.regroup(engine, campaign.id, manager.id)
    assert _placement(engine) == {a.id: a.nominee_id, b.id: a.nominee_id}
    assert result == {"nominations": 2, "nominees": 1, "moved": 0}


def test_manager_split_survives_regroup(engine, campaign):
    manager = make_user(engine, "manager")
    a = make_nomination(engine)
    b = make_nomination(engine, nominee_name="Aminata Goita")
    new = grouping.split(engine, manager.id, a.nominee_id, [b.id], "Two midwives, same name")
    result = grouping.regroup(engine, campaign.id, manager.id)
    assert _placement(engine) == {a.id: a.nominee_id, b.id: new.id}
    assert result == {"nominations": 2, "nominees": 2, "moved": 0}


def test_new_nomination_after_a_merge_joins_the_merged_nominee_and_stays_after_regroup(
    engine, campaign
):
    manager = make_user(engine, "manager")
    a = make_nomination(engine)
    b = make_nomination(engine, **KAYES)
    grouping.merge(engine, manager.id, a.nominee_id, [b.nominee_id], "Same person")
    c = make_nomination(engine, nominee_name="Goïta Aminata")
    grouping.regroup(engine, campaign.id)
    assert _placement(engine) == {a.id: a.nominee_id, b.id: a.nominee_id, c.id: a.nominee_id}


def test_regroup_of_unpinned_data_is_stable(engine, campaign):
    volunteer = make_user(engine, "volunteer")
    for name, overrides in [
        ("Aminata Goïta", {}),
        ("Dr Aminata GOITA", {}),
        ("Aminata Goïta", KAYES),
        ("Moussa Keïta", {"nominee_position": "Greffier", "nominee_institution": "TGI de Kati"}),
        ("Keita Moussa", {"nominee_position": "Greffier", "nominee_institution": "TGI Kati"}),
    ]:
        make_nomination(engine, volunteer.id, nominee_name=name, **overrides)
    before = _placement(engine)
    first = grouping.regroup(engine, campaign.id)
    after_first = _placement(engine)
    second = grouping.regroup(engine, campaign.id)
    assert (first, second) == (
        {"nominations": 5, "nominees": 3, "moved": 0},
        {"nominations": 5, "nominees": 3, "moved": 0},
    )
    assert before == after_first == _placement(engine)


def test_regroup_moves_a_free_nomination_out_of_a_nominee_a_manager_settled(engine, campaign):
    # A free nomination filed under a manager's nominee (an earlier, looser grouping) that dedup
    # now sees as someone else must leave, whatever order the groups come in.
    manager = make_user(engine, "manager")
    stray = make_nomination(engine, nominee_name="Moussa Keïta", nominee_position="Greffier")
    a = make_nomination(engine)
    b = make_nomination(engine, nominee_name="Aminata Goita")
    new = grouping.split(engine, manager.id, a.nominee_id, [b.id], "Two midwives, same name")
    with db.session(engine) as s, s.begin():
        s.get(Nomination, stray.id).nominee_id = a.nominee_id
    first = grouping.regroup(engine, campaign.id)
    placement = _placement(engine)
    second = grouping.regroup(engine, campaign.id)
    assert (placement[a.id], placement[b.id]) == (a.nominee_id, new.id)
    assert placement[stray.id] not in (a.nominee_id, new.id)
    assert (first["moved"], second["moved"], first["nominees"]) == (1, 0, 3)
    assert _nominees(engine)[placement[stray.id]] == ("Moussa Keïta", 1)
