"""Reliability tests run only by ``make reliability`` (ICON_RELIABILITY=1), so ``make test``
does not run them twice. They drive real ``icon serve`` processes on free ports."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config, items):
    if os.environ.get("ICON_RELIABILITY") == "1":
        return
    skip = pytest.mark.skip(reason="run by make reliability (ICON_RELIABILITY=1)")
    for item in items:
        if "tests/reliability/" in str(item.fspath):
            item.add_marker(skip)
