"""Time the managers' board (GET /manage/shortlist) on 1,000 eligible nominees, 7 jurors,
3 readings each (one blind), 5 criteria.

Run from the repository root: ``.venv/bin/python bench/bench_board.py``.
Everything lives in a temporary directory: a migrated SQLite file filled by bulk inserts, the app
served in-process through Starlette's TestClient to a signed-in manager. The baseline is
GET /healthz through the same client in the same run (routing, middleware, session, one trivial
query), so the ratio reads "the board costs N bare requests" and stays comparable across
machines. Requests are interleaved so both see the same load. The target is a median of at most
150 ms.
"""

from __future__ import annotations

import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from campaign import db, migrations, people  # noqa: E402
from campaign.demo import MALI_REGIONS  # noqa: E402
from campaign.models import Campaign, User  # noqa: E402
from campaign.settings import Settings  # noqa: E402
from nominations.models import Nomination, Nominee, Status  # noqa: E402
from shortlist.criteria import ensure_defaults  # noqa: E402
from shortlist.models import Assignment, AssignmentStatus, Criterion, Score  # noqa: E402
from web.app import create_app  # noqa: E402

NOMINEES, JURORS, READINGS = 1_000, 7, 3
RUNS = 31
SEED = 2020
# Throwaway credentials for the temporary database, fresh each run.
PASSWORD, SECRET = secrets.token_urlsafe(16), secrets.token_urlsafe(48)


def fill(engine) -> None:
    draw = random.Random(SEED)
    day, now = timedelta(days=1), db.utcnow()
    with db.session(engine) as s, s.begin():
        # In the middle of the review phase.
        campaign = Campaign(
            country="ML", year=now.year, title="Integrity Icon Mali (bench)", regions=MALI_REGIONS,
            nominations_start=now - 50 * day, nominations_end=now - 10 * day,
            review_start=now - 10 * day, review_end=now + 30 * day, voting_start=now + 30 * day,
            voting_end=now + 60 * day, results_at=now + 60 * day,
        )  # fmt: skip
        s.add(campaign)
        s.flush()
        ensure_defaults(s, campaign.id)
    regions = campaign.regions
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [{"email": "boss@example.org", "name": "Boss", "role": "manager", "active": True,
              "invite_nonce": "", "password_hash": people.hash_password(PASSWORD),
              "created_at": db.utcnow()}]
            + [{"email": f"juror{j}@example.org", "name": f"Juror {j}", "role": "juror",
                "active": True, "invite_nonce": "", "password_hash": None,
                "created_at": db.utcnow()}
               for j in range(JURORS)],
        )  # fmt: skip
        jurors = [
            row.id for row in conn.execute(User.__table__.select().where(User.role == "juror"))
        ]
        criteria = [row.id for row in conn.execute(Criterion.__table__.select())]
        conn.execute(
            insert(Nominee),
            [{"id": i, "campaign_id": campaign.id, "name": f"Nominee {i}",
              "gender": draw.choice(["female", "male", "unknown"]), "region": draw.choice(regions),
              "position": "Agent", "institution": "Service", "nomination_count": 1,
              "created_at": now}
             for i in range(1, NOMINEES + 1)],
        )  # fmt: skip
        conn.execute(
            insert(Nomination),
            [{"campaign_id": campaign.id, "nominee_id": i, "pinned": False,
              "tracking_code": f"B{i:07d}", "channel": "paper", "status": Status.eligible,
              "status_reason": "", "nominee_name": f"Nominee {i}", "nominee_gender": "unknown",
              "nominee_position": "", "nominee_institution": "", "nominee_region": "",
              "nominee_town": "", "nominee_phone": "", "story": "", "referees": [],
              "nominator_name": "", "nominator_phone": "", "nominator_email": "",
              "nominator_relation": "", "eligibility": {}, "consent": True, "region_key": "",
              "name_words": "", "created_at": now}
             for i in range(1, NOMINEES + 1)],
        )  # fmt: skip
        assignments, scores, next_id = [], [], 1
        for nominee in range(1, NOMINEES + 1):
            merit = draw.uniform(2, 8)
            for k, juror in enumerate(draw.sample(jurors, READINGS)):
                submitted = draw.random() < 0.9
                assignments.append(
                    {"id": next_id, "campaign_id": campaign.id, "nominee_id": nominee,
                     "juror_id": juror, "blind": k == 0, "comment": "", "recusal_reason": "",
                     "status": AssignmentStatus.submitted if submitted else
                     AssignmentStatus.assigned, "version": 1, "updated_at": now,
                     "submitted_at": now if submitted else None}
                )  # fmt: skip
                for c in criteria:
                    value = round(min(10, max(0, merit + draw.gauss(0, 1.5))))
                    scores.append({"assignment_id": next_id, "criterion_id": c, "value": value})
                next_id += 1
        conn.execute(insert(Assignment), assignments)
        conn.execute(insert(Score), scores)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = db.make_engine(url)
        migrations.upgrade(engine)
        fill(engine)
        settings = Settings(secret_key=SECRET, database_url=url, media_dir=Path(tmp) / "media")
        app = create_app(settings, engine)
        with TestClient(app) as client:
            client.get("/healthz")
            token = client.cookies["icon_csrf"]
            form = {"csrf_token": token, "email": "boss@example.org", "password": PASSWORD}
            login = client.post("/login", data=form, follow_redirects=False)
            assert login.status_code == 303, login.status_code
            page = client.get("/manage/shortlist")
            assert page.status_code == 200 and page.text.count('name="nominee"') == NOMINEES
            board, base = [], []
            for _ in range(RUNS):
                for url_, times in (("/healthz", base), ("/manage/shortlist", board)):
                    start = time.perf_counter()
                    response = client.get(url_)
                    times.append(time.perf_counter() - start)
                    assert response.status_code == 200
        engine.dispose()
    median, p90 = statistics.median(board) * 1000, statistics.quantiles(board, n=10)[-1] * 1000
    baseline = statistics.median(base) * 1000
    print(
        f"managers' board ({NOMINEES} nominees): median {median:.0f} ms, p90 {p90:.0f} ms "
        f"(baseline /healthz {baseline:.1f} ms, ratio {median / baseline:.0f}x)"
    )


if __name__ == "__main__":
    main()
