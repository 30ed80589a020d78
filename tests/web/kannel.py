"""Debian's Kannel for tests and the benchmark: bearerbox and smsbox run deploy/kannel/kannel.conf
(ports, paths, secret and smsc replaced) on free loopback ports, and fakesmsc plays the operator
and the phones: what it is fed on stdin are phones' messages, what it prints are the SMS that
reached the phones."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote_from_bytes, unquote_to_bytes

import httpx

BEARERBOX, SMSBOX = "/usr/sbin/bearerbox", "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
SAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "kannel" / "kannel.conf"
SHORT_CODE = "36000"
SENDSMS_PASSWORD = "sendsms-test-password"
GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (text|data) (.*)>$")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {seconds} s")


def missing() -> str | None:
    absent = [p for p in (BEARERBOX, SMSBOX, FAKESMSC) if not Path(p).exists()]
    if absent:
        missing = ", ".join(absent)
        return f"Debian's kannel and kannel-extras are missing ({missing}): run `make kannel`."
    return None


def configuration(site: str, secret: str, ports: dict[str, int], tmp: Path, pending=16) -> str:
    text = SAMPLE.read_text()
    smsc = (
        f"group = smsc\nsmsc = fake\nsmsc-id = fake\nport = {ports['smsc']}\n"
        'connect-allow-ip = "127.0.0.1"\n'
    )
    text = re.sub(r"group = smsc\n.*?# end of the smsc group\n", smsc, text, flags=re.S)
    replacements = {
        r"admin-port = \d+": f"admin-port = {ports['admin']}",
        r"smsbox-port = \d+": f"smsbox-port = {ports['box']}",
        r"bearerbox-port = \d+": f"bearerbox-port = {ports['box']}",
        r"sendsms-port = \d+": f"sendsms-port = {ports['sendsms']}",
        r'"/var/log/kannel/': f'"{tmp}/',
        r'store-location = "[^"]*"': f'store-location = "{tmp}/store"',
        r"CHANGE-ME-sendsms": SENDSMS_PASSWORD,
        r"http://127\.0\.0\.1:8000/sms/kannel/CHANGE-ME-ICON_SMS_SECRET": (
            f"{site}/sms/kannel/{secret}"
        ),
        r"max-pending-requests = \d+": f"max-pending-requests = {pending}",
    }
    for pattern, value in replacements.items():
        text = re.sub(pattern, value.replace("\\", "\\\\"), text)
    return text


def phone_text(body: bytes) -> str:
    """What a phone shows: fakesmsc prints the bytes bearerbox would hand the operator, UCS-2
    (UTF-16BE) or 8-bit text; a NUL byte only occurs in the former."""
    if b"\x00" in body and len(body) % 2 == 0:
        return body.decode("utf-16-be", "replace")
    return body.decode("utf-8", "replace")


class Phones:
    """fakesmsc in interactive mode: ``send(sender, text)`` is a phone texting the short code;
    ``received`` are the (to, text) that reached phones, in arrival order."""

    def __init__(self, port: int, log: Path) -> None:
        self.received: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [FAKESMSC, "-H", "127.0.0.1", "-r", str(port), "-i", "0", "-v", "0"],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self._log.write(line + "\n")
            found = GOT.search(line)
            if found:
                _sender, to, kind, data = found.groups()
                body = unquote_to_bytes(data) if kind == "data" else data.encode()
                with self._lock:
                    self.received.append((to, phone_text(body)))

    def send(self, sender: str, text: str) -> None:
        # fakesmsc reads one line per wake-up of its stdin: one write each, a moment apart.
        self.process.stdin.write(f"{sender} {SHORT_CODE} text {text}\n".encode())
        self.process.stdin.flush()
        time.sleep(0.004)

    def send_ucs2(self, sender: str, text: str) -> None:
        """A phone's message in UCS-2 (emoji, Arabic script), as fakesmsc's ``ucs2`` type."""
        data = quote_from_bytes(text.encode("utf-16-be"))
        self.process.stdin.write(f"{sender} {SHORT_CODE} ucs2 {data}\n".encode())
        self.process.stdin.flush()
        time.sleep(0.004)

    def send_many(self, messages: list[tuple[str, str]]) -> None:
        """All at once (the benchmark): fakesmsc takes a line each time its stdin has unread
        bytes, so blank lines after the messages push the last ones out of its buffer."""
        lines = "".join(f"{sender} {SHORT_CODE} text {text}\n" for sender, text in messages)
        self.process.stdin.write(lines.encode() + b"\n" * 16384)
        self.process.stdin.flush()

    def wait_for(self, count: int, seconds: float) -> list[tuple[str, str]]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            self.process.stdin.write(b"\n")  # lets fakesmsc read a line left in its buffer
            self.process.stdin.flush()
            time.sleep(0.05)
        with self._lock:
            return list(self.received)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(5)
        self._log.close()


class Kannel:
    """bearerbox + smsbox on free ports, calling ``site``; ``sendsms_url`` for the site."""

    def __init__(self, site: str, secret: str, tmp: Path, pending: int = 16) -> None:
        self.ports = {k: free_port() for k in ("admin", "box", "sendsms", "smsc")}
        (tmp / "store").mkdir(parents=True, exist_ok=True)
        self.conf = tmp / "kannel.conf"
        self.conf.write_text(configuration(site, secret, self.ports, tmp, pending))
        self.tmp = tmp
        self.processes: list[subprocess.Popen] = []
        self.sendsms_url = f"http://127.0.0.1:{self.ports['sendsms']}/cgi-bin/sendsms"

    def start(self) -> Phones:
        for binary, name in ((BEARERBOX, "bearerbox"), (SMSBOX, "smsbox")):
            out = (self.tmp / f"{name}.out").open("w")
            self.processes.append(
                subprocess.Popen([binary, str(self.conf)], stdout=out, stderr=subprocess.STDOUT)
            )
            wait_for_port(self.ports["box" if name == "bearerbox" else "sendsms"], name)
        phones = Phones(self.ports["smsc"], self.tmp / "fakesmsc.log")
        self._wait_smsc_online()
        return phones

    def _wait_smsc_online(self, seconds: float = 10) -> None:
        status = f"http://127.0.0.1:{self.ports['admin']}/status.txt"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                text = httpx.get(status, params={"password": "CHANGE-ME-admin"}, timeout=2).text
            except httpx.HTTPError:
                text = ""
            if "(online" in text:
                return
            time.sleep(0.05)
        raise RuntimeError("fakesmsc did not come online in bearerbox's status")

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def start_site(database_url: str, secret_key: str, tmp: Path, env: dict[str, str], port=0):
    """``icon serve`` on ``port`` (or a free one); returns (process, base URL)."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    full_env = os.environ | {
        "ICON_ENV": "development",
        "ICON_SECRET_KEY": secret_key,
        "ICON_DATABASE_URL": database_url,
        "ICON_BASE_URL": base,
        "ICON_MEDIA_DIR": str(tmp / "media"),
        **env,
    }
    full_env.pop("PYTHONASYNCIODEBUG", None)
    log = (tmp / f"site-{port}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "campaign.cli", "serve", "--port", str(port)],
        env=full_env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"the site did not start: see {tmp}/site-{port}.log")
