"""Prometheus metrics. The HTTP ones are fed by web/middleware.py; later features add their own
counters here (votes counted, nominations received, ...) so /metrics shows them all.

With several worker processes, set PROMETHEUS_MULTIPROC_DIR to an empty folder shared by the
workers; /metrics then aggregates them (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "icon_http_requests_total", "HTTP requests served", ["method", "route", "status"]
)
LATENCY = Histogram(
    "icon_http_request_duration_seconds",
    "Time to serve an HTTP request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# The group-commit writers (campaign/batching.py): how full their batches run and how long one
# takes to write and commit; under load these two say what a vote's acknowledgement waits on.
BATCH_ITEMS = Histogram(
    "icon_batch_items",
    "Items written per batch",
    ["writer"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
BATCH_SECONDS = Histogram(
    "icon_batch_seconds",
    "Time to write and commit one batch",
    ["writer"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
)
SMS_SENT = Counter(
    "icon_sms_sent_total", "Outgoing SMS by backend and status", ["backend", "status"]
)


def exposition() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
