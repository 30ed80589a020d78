"""A fresh, migrated database per test: SQLite by default, PostgreSQL when
ICON_TEST_DATABASE_URL is set. Migrations run once per session; each test then gets a copy of
the migrated SQLite file, or emptied PostgreSQL tables."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel
from starlette.testclient import TestClient

from campaign import db, languages, migrations
from campaign.settings import Settings
from tests.factories import make_campaign, make_user
from web.app import create_app

PG_URL = os.environ.get("ICON_TEST_DATABASE_URL", "")
SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture(scope="session")
def migrated(tmp_path_factory):
    """The URL of a migrated template database (SQLite) or of the migrated PG database."""
    if PG_URL:
        engine = db.make_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        migrations.upgrade(engine)
        engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    engine.dispose()
    return str(path)


@pytest.fixture
def database_url(migrated, tmp_path):
    if PG_URL:
        engine = db.make_engine(PG_URL)
        names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return PG_URL
    path = tmp_path / "icon.db"
    shutil.copy(migrated, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url):
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        secret_key=SECRET,
        environment="development",
        database_url=database_url,
        media_dir=tmp_path / "media",
        sms_secret="sms-test-secret",
    )


@pytest.fixture
def campaign(engine):
    return make_campaign(engine)


@pytest.fixture
def manager(engine):
    """A campaign manager (the role most staff tests act as)."""
    return make_user(engine, "manager")


@pytest.fixture
def languages_every_request(monkeypatch):
    """Every request reads the languages, as after their short copy expires: a test comparing two
    pages' query counts then counts alike however long the rows between them took to write."""
    monkeypatch.setattr(languages, "LANGUAGES_TTL", 0.0)


@pytest.fixture
def app(settings, engine):
    return create_app(settings, engine)


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def run_async(awaitable):
    """Runs a coroutine to the end in a thread with its own event loop: in a full run the browser
    tests' Playwright keeps a loop running in the main thread, where asyncio.run() refuses."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(awaitable)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def session_data(client: TestClient) -> dict:
    """What the signed session cookie holds (its payload is plain base64 JSON before the
    signature; reading it needs no key)."""
    cookie = client.cookies.get("icon_session")
    if not cookie:
        return {}
    payload = cookie.split(".")[0]
    return json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))


def csrf_token(client: TestClient) -> str:
    """The visitor's CSRF token, as a page would embed it (fetching one page if needed): once
    signed in, the session's own."""
    own = session_data(client).get("csrf")
    if own:
        return own
    if "icon_csrf" not in client.cookies:
        client.get("/healthz")
        client.get("/")
    return client.cookies["icon_csrf"]


def post(client: TestClient, url: str, data: dict | None = None, **kwargs):
    """A form post carrying the CSRF token, as the site's own forms do: upload forms (files)
    carry it in their action's query string, since their bodies are streamed unread."""
    token = csrf_token(client)
    if "files" in kwargs:
        url += ("&" if "?" in url else "?") + f"csrf_token={token}"
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def login(client: TestClient, email: str, password: str):
    return post(client, "/login", {"email": email, "password": password}, follow_redirects=False)


def text_of(html: str) -> str:
    """The visible text of a page, whitespace collapsed: assertions read what a person reads."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


ONE_DAY = timedelta(days=1)
