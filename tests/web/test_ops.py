import dataclasses

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from campaign.settings import SettingsError, load_settings
from web.app import create_app


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


def test_healthz_fails_when_the_database_is_gone(app, client, engine, database_url):
    from campaign import db

    if database_url.startswith("sqlite"):
        app.state.engine = db.make_engine("sqlite:////nonexistent-dir/x.db")
    else:
        app.state.engine = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1


def _sample(name: str, labels: dict) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_count_requests_by_route_template(client, campaign):
    labels = {"method": "GET", "route": "/", "status": "200"}
    before = _sample("icon_http_requests_total", labels)
    client.get("/")
    client.get("/")
    after = _sample("icon_http_requests_total", labels)
    latency = _sample("icon_http_request_duration_seconds_count", {"route": "/"})
    assert after - before == 2
    assert latency >= 2


def test_each_request_is_logged_by_its_route_never_by_what_it_carries(client, campaign, caplog):
    caplog.set_level("INFO", logger="icon.access")
    client.get("/sms/kannel/sms-test-secret?sender=76000001&message=ICON+2&id=gw-1")
    client.get("/track?code=ABCD-EFGH")
    client.get("/wp-admin/setup.php?user=76000002")
    lines = [r.getMessage().rsplit(" ", 2)[0] for r in caplog.records if r.name == "icon.access"]
    assert lines == [
        '"GET /sms/{name}/{token}" 404',  # Kannel is not this site's gateway: refused
        '"GET /track" 200',
        '"GET unmatched" 404',
    ]
    text = caplog.text
    for carried in ("sms-test-secret", "76000001", "ICON", "ABCD", "wp-admin", "76000002"):
        assert carried not in text


def _local(app) -> TestClient:
    """A client on this machine (the test client's default address is "testclient")."""
    return TestClient(app, base_url="http://testserver", client=("127.0.0.1", 50000))


def test_metrics_label_unknown_paths_without_the_path(app, client):
    client.get("/wp-admin/setup.php")
    body = _local(app).get("/metrics").text
    assert 'route="unmatched",status="404"' in body
    assert "wp-admin" not in body


def test_metrics_exposition_is_prometheus_text(app):
    response = _local(app).get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE icon_http_requests_total counter" in response.text
    assert "# TYPE icon_sms_sent_total counter" in response.text


def test_metrics_without_a_token_refuse_other_machines(client, app):
    refused = client.get("/metrics")
    remote = TestClient(app, base_url="http://testserver", client=("203.0.113.9", 40000))
    assert (refused.status_code, remote.get("/metrics").status_code) == (403, 403)
    assert "icon_http_requests_total" not in refused.text
    ipv6 = TestClient(app, base_url="http://testserver", client=("::1", 40000))
    assert ipv6.get("/metrics").status_code == 200


TOKEN = "scraper-token-0123456789"


def test_metrics_with_a_token_want_it_from_everyone(settings, engine):
    app = create_app(dataclasses.replace(settings, metrics_token=TOKEN), engine)
    local = _local(app)
    remote = TestClient(app, base_url="http://testserver", client=("203.0.113.9", 40000))
    wrong = remote.get("/metrics", headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
    missing = local.get("/metrics")
    right = remote.get("/metrics", headers={"Authorization": "Bearer " + TOKEN})
    assert (wrong.status_code, missing.status_code, right.status_code) == (401, 401, 200)
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "# TYPE icon_http_requests_total counter" in right.text


@pytest.mark.parametrize("value", ["short-token", "sixteen chars\x01!!"])
def test_metrics_token_too_short_or_odd_is_refused(value, tmp_path):
    env = {"ICON_ENV": "development", "ICON_METRICS_TOKEN": value}
    with pytest.raises(SettingsError, match="ICON_METRICS_TOKEN must be 16 to 200 printable"):
        load_settings(env, dev_key_file=tmp_path / "key")
    env["ICON_METRICS_TOKEN"] = TOKEN
    assert load_settings(env, dev_key_file=tmp_path / "key").metrics_token == TOKEN
