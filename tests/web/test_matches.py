"""The probable-match queue: listed for managers, merged or marked different, kept by regroup."""

from __future__ import annotations

from sqlmodel import select

from campaign import db
from nominations import grouping
from nominations.models import DistinctPair, Nomination
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_nomination, make_user

EN = {"Accept-Language": "en"}
SAME, DISTINCT = "/manage/nominees/matches/same", "/manage/nominees/matches/distinct"
NO_FOLLOW = {"follow_redirects": False}
BANCONI = {"nominee_institution": "CSCOM de Banconi", "nominee_region": "District de Bamako"}
KATI = {"nominee_institution": "CSCOM de Kati", "nominee_region": "Koulikoro"}


def _as_manager(client, engine):
    user = make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    return user


def _two_probable_pairs(engine):
    """Two pairs grouping leaves to a manager: another orthography or a diminutive, at the same
    workplace, in another post."""
    people = [
        ("Moussa Traoré", "Infirmier", BANCONI),
        ("Moussa Tarawele", "Médecin", BANCONI),
        ("Fatoumata Koné", "Sage-femme", KATI),
        ("Fatim Koné", "Matrone", KATI),
    ]
    return [
        make_nomination(engine, nominee_name=name, nominee_position=post, **where)
        for name, post, where in people
    ]


def _placement(engine) -> dict[int, int]:
    with db.session(engine) as s:
        return dict(s.exec(select(Nomination.id, Nomination.nominee_id)).all())


def _pairs(engine) -> list[tuple[list[int], list[int]]]:
    with db.session(engine) as s:
        return [(p.left, p.right) for p in s.exec(select(DistinctPair))]


def test_matches_page_lists_probable_pairs_for_managers(client, engine, campaign):
    a, b, c, d = _two_probable_pairs(engine)
    _as_manager(client, engine)

    page = text_of(client.get("/manage/nominees/matches", headers=EN).text)

    assert "Moussa Traoré Infirmier CSCOM de Banconi District de Bamako 1" in page
    assert "Moussa Tarawele Médecin CSCOM de Banconi District de Bamako 1" in page
    assert "Fatoumata Koné Sage-femme CSCOM de Kati Koulikoro 1" in page
    assert page.count("Same person: merge") == 2


def test_matches_page_refuses_other_roles(client, engine, campaign):
    make_user(engine, "juror", "juror@example.org")
    login(client, "juror@example.org", PASSWORD)

    response = client.get("/manage/nominees/matches", headers=EN)

    assert response.status_code == 403
    assert "Moussa" not in response.text


def test_merge_one_mark_another_different_and_regroup_keeps_both(client, engine, campaign):
    a, b, c, d = _two_probable_pairs(engine)
    _as_manager(client, engine)

    merged = post(client, SAME, {"left": a.nominee_id, "right": b.nominee_id}, **NO_FOLLOW)
    kept = post(client, DISTINCT, {"left": c.nominee_id, "right": d.nominee_id}, **NO_FOLLOW)
    grouping.regroup(engine, campaign.id)
    grouping.regroup(engine, campaign.id)

    placement = _placement(engine)
    assert (merged.status_code, kept.status_code) == (303, 303)
    assert placement[a.id] == placement[b.id]
    assert placement[c.id] != placement[d.id]
    assert _pairs(engine) == [([c.id], [d.id])]
    assert "None." in text_of(client.get("/manage/nominees/matches", headers=EN).text)


def test_matches_bad_or_unknown_ids_change_nothing(client, engine, campaign):
    a, b, c, d = _two_probable_pairs(engine)
    _as_manager(client, engine)
    before = _placement(engine)

    answers = [
        post(client, SAME, {"left": "x", "right": b.nominee_id}),
        post(client, DISTINCT, {"left": a.nominee_id, "right": 99999}),
        post(client, DISTINCT, {"left": a.nominee_id, "right": a.nominee_id}),
        post(client, SAME, {"left": a.nominee_id}),
    ]

    assert [r.status_code for r in answers] == [404, 404, 404, 404]
    assert _placement(engine) == before
    assert _pairs(engine) == []
