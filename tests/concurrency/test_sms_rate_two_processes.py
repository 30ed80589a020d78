"""``ICON_SMS_RATE`` holds across processes: two senders on one database (SQLite and
PostgreSQL), 40 queued messages at 20 a second take about two seconds, not one. Each process
runs the real Sender in batches of 5 (so both take turns) against Kannel's sendsms answered in
process by httpx's MockTransport, which notes the wall-clock time of each send."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from sqlmodel import select

from campaign import db
from campaign.models import SmsMessage
from tests.campaign.test_sms_queue import queue

RATE, MESSAGES = 20, 40
CHILD = r"""
import json, sys, time
from pathlib import Path
import httpx
from campaign import db, sms_queue
from campaign.gateways.kannel import Kannel
from campaign.settings import Settings

url, start_at, media = sys.argv[1], float(sys.argv[2]), sys.argv[3]
sms_queue.BATCH = 5  # small batches: the two processes take turns at the queue
settings = Settings(secret_key="k" * 40, environment="development", database_url=url,
                    media_dir=Path(media), sms_gateways=("kannel",), sms_username="icon",
                    sms_api_key="pw", sms_gateway_url="http://kannel:13013/cgi-bin/sendsms")
sent = []
def handle(request):
    sent.append(time.time())
    return httpx.Response(202, text="0: Accepted for delivery")
client = httpx.Client(transport=httpx.MockTransport(handle))
engine = db.make_engine(url)
sender = sms_queue.Sender(engine, Kannel(settings), rate=float(sys.argv[4]), client=client)
time.sleep(max(0.0, start_at - time.time()))
idle = time.monotonic()
while time.monotonic() - idle < 1.0:  # a claim lost to the other process is not the end
    if sender.run_once():
        idle = time.monotonic()
print(json.dumps(sent))
"""


def test_two_processes_share_the_gateways_rate(database_url, engine, tmp_path):
    queue(engine, *[f"message {i}" for i in range(MESSAGES)])
    start_at = time.time() + 4  # both processes imported and connected by then
    env = os.environ | {"PYTHONPATH": os.getcwd()}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, database_url, str(start_at), str(tmp_path), str(RATE)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=60) for child in children]
    assert [child.returncode for child in children] == [0, 0], [err for _, err in outputs]
    per_process = [json.loads(out) for out, _ in outputs]
    times = sorted(t for sends in per_process for t in sends)
    with db.session(engine) as s:
        statuses = s.exec(select(SmsMessage.status)).all()
    assert statuses == ["sent"] * MESSAGES
    assert len(times) == MESSAGES and all(per_process), [len(p) for p in per_process]
    # 40 sends 50 ms apart: 1.95 s from the first to the last (each process pacing itself
    # alone would have sent its share at 20/s too, all 40 within about one second).
    span = times[-1] - times[0]
    assert 1.85 <= span < 3.0, span
    busiest = max(sum(1 for t in times if start <= t < start + 1) for start in times)
    assert busiest <= RATE + 1, busiest
