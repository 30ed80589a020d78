"""Time the juror's board and saving one score: 1,000 nominees, 7 jurors, 3 readings each, 5
criteria, on a SQLite file in a temporary folder (nothing else is touched).

Run from the repository root: ``.venv/bin/python bench/bench_jury.py``.
Requests go through the whole app in process (Starlette's TestClient: middleware, session, CSRF,
templates, gzip). The baseline is ``GET /healthz`` through the same client in the same run (one
trivial query), so the ratio reads "the board costs N health checks" and stays comparable across
machines. Targets: board median <= 50 ms, saving a score <= 20 ms.
"""

from __future__ import annotations

import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from campaign import db, migrations, people  # noqa: E402
from campaign.models import Campaign, User  # noqa: E402
from campaign.settings import Settings  # noqa: E402
from nominations.models import Nomination, Nominee, Status  # noqa: E402
from shortlist.criteria import ensure_defaults  # noqa: E402
from shortlist.models import Assignment, Criterion, Score  # noqa: E402
from web.app import create_app  # noqa: E402

NOMINEES, JURORS, READINGS = 1_000, 7, 3
RUNS = 61
SEED = 2020
PASSWORD = secrets.token_urlsafe(16)
REGIONS = ["District de Bamako", "Kayes", "Koulikoro", "Sikasso", "Ségou", "Mopti", "Gao"]
FIRST = ["Aminata", "Moussa", "Fatoumata", "Ibrahim", "Kadiatou", "Seydou", "Oumou", "Bakary"]
LAST = ["Traoré", "Diarra", "Keïta", "Coulibaly", "Sissoko", "Maïga", "Diallo", "Touré"]


def seed(engine) -> tuple[int, list[int], int]:
    """Fill the database; returns how many readings the first juror has, their open readings,
    and a criterion id. Readings go round-robin to the jurors, the first of each one blind."""
    rng = random.Random(SEED)
    now = db.utcnow()
    start = now - timedelta(days=50)
    with db.session(engine) as s, s.begin():
        campaign = Campaign(
            country="ML", year=now.year, title="Integrity Icon Mali (bench)",
            timezone="Africa/Bamako", regions=REGIONS, languages=[], eligibility=[],
            nominations_start=start, nominations_end=start + timedelta(days=40),
            review_start=start + timedelta(days=40), review_end=start + timedelta(days=80),
            voting_start=start + timedelta(days=80), voting_end=start + timedelta(days=120),
            results_at=start + timedelta(days=120),
        )  # fmt: skip
        s.add(campaign)
        s.flush()
        cid = campaign.id
        password = people.hash_password(PASSWORD)
        for j in range(JURORS):
            s.add(User(email=f"juror{j}@example.org", name=f"Juror {j}", role="juror",
                       password_hash=password))  # fmt: skip
        s.flush()
        jurors = list(s.exec(select(User.id).order_by(User.id)).scalars())
        ensure_defaults(s, cid)
        criteria = list(s.exec(select(Criterion.id).where(Criterion.campaign_id == cid)).scalars())
        # Core inserts: the bench measures the pages, not building 1,000 ORM objects.
        people_rows = []
        for i in range(NOMINEES):
            people_rows.append(dict(
                campaign_id=cid, name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                gender="unknown", position="Agent", institution=f"Service {i % 37}",
                region=REGIONS[i % len(REGIONS)], nomination_count=1, created_at=now,
            ))  # fmt: skip
        s.execute(insert(Nominee), people_rows)
        nominees = list(s.exec(select(Nominee.id).order_by(Nominee.id)).scalars())
        s.execute(insert(Nomination), [
            dict(
                campaign_id=cid, nominee_id=nid, pinned=False, tracking_code=f"B{nid:011d}",
                channel="paper", status=Status.eligible, status_reason="",
                nominee_name=row["name"], nominee_gender="unknown", nominee_position="Agent",
                nominee_institution=row["institution"], nominee_region=row["region"],
                nominee_town="", nominee_phone="", story="Elle a refusé un cadeau. " * 20,
                referees=[{"name": "Oumou Diarra", "phone": "+22376112233", "email": ""}],
                nominator_name="Fanta Traoré", nominator_phone="+22366123456",
                nominator_email="", nominator_relation="Patiente", eligibility={},
                consent=True, region_key="", name_words="", created_at=now,
            )
            for nid, row in zip(nominees, people_rows, strict=True)
        ])  # fmt: skip
        readings = []
        for k, nid in enumerate(nominees):
            for r in range(READINGS):
                readings.append(dict(
                    campaign_id=cid, nominee_id=nid, juror_id=jurors[(k * READINGS + r) % JURORS],
                    blind=r == 0, status="assigned", comment="", recusal_reason="", version=0,
                    updated_at=now,
                ))  # fmt: skip
        s.execute(insert(Assignment), readings)
        rows = s.exec(select(Assignment.id, Assignment.juror_id)).all()
        scores, submitted = [], []
        for aid, _juror in rows:
            done = rng.randint(0, len(criteria))  # partial sheets; full ones half submitted
            for crit in criteria[:done]:
                scores.append(dict(assignment_id=aid, criterion_id=crit,
                                   value=round(rng.uniform(2, 9), 1)))  # fmt: skip
            if done == len(criteria) and rng.random() < 0.5:
                submitted.append(aid)
        s.execute(insert(Score), scores)
        s.execute(
            Assignment.__table__.update()
            .where(Assignment.__table__.c.id.in_(submitted))
            .values(status="submitted", submitted_at=now)
        )
        mine = select(Assignment.id).where(Assignment.juror_id == jurors[0])
        open_ids = list(s.exec(mine.where(Assignment.status == "assigned")).scalars())
        total = sum(juror == jurors[0] for _aid, juror in rows)
    return total, open_ids, criteria[0]


def timings_ms(funcs: list[Callable[[], object]], runs: int) -> list[list[float]]:
    """Interleaved runs, so that the baseline and the pages see the same machine load."""
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(runs):
        for func, mine in zip(funcs, times, strict=True):
            start = time.perf_counter()
            func()
            mine.append((time.perf_counter() - start) * 1000)
    return times


def summary(label: str, took: list[float], base: list[float]) -> str:
    median, p90 = statistics.median(took), statistics.quantiles(took, n=10)[-1]
    base_median = statistics.median(base)
    return (
        f"{label}: median {median:.1f} ms, p90 {p90:.1f} ms "
        f"(baseline /healthz {base_median:.1f} ms, ratio {median / base_median:.1f}x)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-jury-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = db.make_engine(url)
        migrations.upgrade(engine)
        total, open_ids, criterion = seed(engine)
        settings = Settings(
            secret_key=secrets.token_urlsafe(48),
            environment="development",
            database_url=url,
            media_dir=Path(tmp) / "media",
        )
        app = create_app(settings, engine)
        with TestClient(app, base_url="http://testserver") as client:
            client.get("/healthz")
            token = client.cookies["icon_csrf"]
            login = {"email": "juror0@example.org", "password": PASSWORD, "csrf_token": token}
            assert client.post("/login", data=login, follow_redirects=False).status_code == 303
            rng = random.Random(SEED)

            def board() -> None:
                assert client.get("/jury").status_code == 200

            def search() -> None:
                # A name filter reads every nominee of the juror, not just one page.
                assert client.get("/jury?q=traore").status_code == 200

            def save() -> None:
                value = f"{rng.randint(0, 20) / 2:g}"
                data = {"criterion": criterion, f"score_{criterion}": value, "version": 0}
                headers = {"HX-Request": "true", "X-CSRF-Token": token}
                url = f"/jury/readings/{open_ids[0]}/score"
                response = client.post(url, data=data, headers=headers)
                assert response.status_code == 200, response.text

            def healthz() -> None:
                assert client.get("/healthz").status_code == 200

            for warm in (board, search, save, healthz):
                warm()
            base, took_board, took_search, took_save = timings_ms(
                [healthz, board, search, save], RUNS
            )
        engine.dispose()
    print(f"{NOMINEES} nominees, {JURORS} jurors, {READINGS} readings each, {RUNS} runs")
    print(summary(f"juror board ({total} readings)", took_board, base))
    print(summary("juror board searched by name", took_search, base))
    print(summary("save score", took_save, base))


if __name__ == "__main__":
    main()
