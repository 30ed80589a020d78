import threading

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from campaign import db
from campaign.models import AuditEvent, SmsMessage


def test_sqlite_read_then_write_units_wait_instead_of_failing(engine, database_url):
    """Three threads each read, then write, many times over: none may fail with a lock error."""
    errors: list[str] = []

    def worker(n: int) -> None:
        for _ in range(20):
            try:
                with db.session(engine) as s, s.begin():
                    count = len(s.exec(select(AuditEvent.id)).all())
                    s.add(AuditEvent(action="test.write", details={"worker": n, "seen": count}))
            except Exception as exc:  # noqa: BLE001 - the test reports any failure
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.session(engine) as s:
        written = len(s.exec(select(AuditEvent.id)).all())
    assert errors == []
    assert written == 60


def _synchronous(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA synchronous").scalar()


def test_sqlite_synchronous_is_full_by_default_and_a_setting(tmp_path):
    from campaign.settings import SettingsError, load_settings

    env = {"ICON_ENV": "development", "ICON_SECRET_KEY": "x" * 40}
    assert load_settings(env).sqlite_synchronous == "full"
    assert load_settings(env | {"ICON_SQLITE_SYNCHRONOUS": "NORMAL"}).sqlite_synchronous == "normal"
    with pytest.raises(SettingsError, match="ICON_SQLITE_SYNCHRONOUS must be full"):
        load_settings(env | {"ICON_SQLITE_SYNCHRONOUS": "off"})
    url = f"sqlite:///{tmp_path / 's.db'}"
    full, normal = db.make_engine(url), db.make_engine(url, "normal")
    assert (_synchronous(full), _synchronous(normal)) == (2, 1)  # SQLite's FULL and NORMAL
    full.dispose()
    normal.dispose()


@pytest.mark.parametrize("fault", ["same id", "no body"])
def test_a_failed_statement_does_not_quote_its_values(engine, fault):
    # An error's text goes to the log (web/app.py, the batch writers): the values it would quote
    # are numbers and texts waiting to be sent. PostgreSQL quotes them itself, in its DETAIL:
    # "Key (id)=(1) already exists", "Failing row contains (..., +22376000001, ...)".
    row = {
        "id": 1,
        "to": "+223 76 •• •• 01",
        "to_hash": "h",
        "body": "",
        "pending_to": "+22376000001",
        "pending_body": "Votre code 493021",
        "backend": "kannel",
        "status": "queued",
    }
    if fault == "same id":
        with db.session(engine) as s, s.begin():
            s.add(SmsMessage(**row))
    else:
        row["body"] = None
    with pytest.raises(IntegrityError) as failed, db.session(engine) as s, s.begin():
        s.add(SmsMessage(**row))
    message = str(failed.value)
    assert "76000001" not in message and "493021" not in message and "queued" not in message
    assert "[SQL parameters hidden due to hide_parameters=True]" in message
    assert "DETAIL" not in message
