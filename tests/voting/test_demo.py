from sqlmodel import select

from campaign import cli, db
from tests.conftest import SECRET
from voting import fraud_review, rounds
from voting.models import Ballot, Candidate


def test_demo_voting_phase_seeds_an_open_round_with_votes_and_a_cluster(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("ICON_ENV", "development")
    monkeypatch.setenv("ICON_SECRET_KEY", SECRET)
    monkeypatch.setenv("ICON_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["migrate"]) == 0
    assert cli.main(["demo", "--phase", "voting"]) == 0
    engine = db.make_engine(url)
    with db.session(engine) as s:
        ballots = len(s.exec(select(Ballot.id)).all())
        candidates = len(s.exec(select(Candidate.id)).all())
    detail = rounds.detail(engine, 1)
    clusters = [(c.kind, c.key, len(c.vote_ids)) for c in fraud_review.clusters(engine, 1)]
    assert (detail.state, ballots, candidates) == ("open", 3000, 5)
    assert clusters == [("shared_address", "41.73.96.12", 25)]
