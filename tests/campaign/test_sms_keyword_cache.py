"""The webhook's keyword cache: one read per expiry, however many requests find it expired."""

from __future__ import annotations

import pytest

from campaign import sms_commands


def _cache(reads: list) -> sms_commands.KeywordCache:
    def load():
        reads.append(len(reads))
        return sms_commands.Keywords.of({"vote": f"V{len(reads)}"})

    return sms_commands.KeywordCache(load, ttl=-1.0)  # expired as soon as read


def test_expired_keywords_send_one_caller_to_read_them_and_the_others_keep_the_last():
    reads: list = []
    cache = _cache(reads)
    assert cache.peek() is None  # nothing read yet: read them
    first = cache.get()

    assert cache.peek() is None  # expired: this caller reads them again...
    assert [cache.peek(), cache.peek()] == [first, first]  # ...the others keep the last
    second = cache.get()

    assert (reads, first.words("vote")[0], second.words("vote")[0]) == ([0, 1], "V1", "V2")
    assert cache.peek() is None  # the read done, the next expiry sends a caller again


def test_a_failed_read_lets_the_next_caller_try_again():
    calls: list = []

    def load():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database gone")
        return sms_commands.Keywords.of({})

    cache = sms_commands.KeywordCache(load, ttl=-1.0)
    cache.get()
    assert cache.peek() is None
    with pytest.raises(RuntimeError, match="database gone"):
        cache.get()
    assert cache.peek() is None  # not stuck serving the old words for ever
    assert len(calls) == 2
