"""Browser tests: the real server in a subprocess on a free port, driven by Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import SECRET

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PAGE_BUDGET = 30 * 1024  # bytes over the wire: HTML, CSS and JS, compressed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: run `make chromium` (make test does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server_factory(database_url, tmp_path):
    """A function starting ``icon serve`` on the test's database (with extra ``ICON_*``
    settings); returns its base URL. Every server started is stopped after the test."""
    started = []

    def start(extra_env: dict[str, str] | None = None) -> str:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = os.environ | {
            "ICON_ENV": "development",
            "ICON_SECRET_KEY": SECRET,
            "ICON_DATABASE_URL": database_url,
            "ICON_BASE_URL": base,
            "ICON_MEDIA_DIR": str(tmp_path / "media"),
            **(extra_env or {}),
        }
        env.pop("PYTHONASYNCIODEBUG", None)  # the server is not under test for that here
        log_path = tmp_path / f"server-{port}.log"
        log = log_path.open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "campaign.cli", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
        started.append((process, log))
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    return base
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log_path.read_text())
            time.sleep(0.1)

    yield start
    for process, log in started:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def live_server(live_server_factory):
    """``icon serve`` on the test's database; its base URL."""
    return live_server_factory()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    yield context
    context.close()


def wire_bytes(page, url: str) -> tuple[int, list[str]]:
    """Bytes the browser downloads for ``url`` (compressed bodies plus headers), per CDP."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    page.goto(url, wait_until="networkidle")
    return sum(sizes.values()), sorted(urls[r] for r in sizes if r in urls)
