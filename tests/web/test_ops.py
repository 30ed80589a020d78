from sqlalchemy import text


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


def test_metrics_label_unknown_paths_without_the_path(client):
    client.get("/wp-admin/setup.php")
    body = client.get("/metrics").text
    assert 'route="unmatched",status="404"' in body
    assert "wp-admin" not in body


def test_metrics_exposition_is_prometheus_text(client):
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE icon_http_requests_total counter" in response.text
    assert "# TYPE icon_sms_sent_total counter" in response.text
