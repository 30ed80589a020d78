"""The group-commit writer: results after the batch, one bad item fails alone, idle threads end."""

from __future__ import annotations

import asyncio
import threading

import pytest

from campaign import batching
from campaign.batching import BatchWriter
from tests.conftest import run_async


def test_items_queued_together_are_processed_in_one_batch_with_results_in_order():
    release, seen = threading.Event(), []

    def process(items):
        release.wait(5)  # hold the first batch so the others queue up behind it
        seen.append(list(items))
        return [item * 10 for item in items]

    writer = BatchWriter(process)

    async def main():
        first = asyncio.ensure_future(writer.submit(1))
        await asyncio.sleep(0.05)
        rest = [asyncio.ensure_future(writer.submit(n)) for n in (2, 3, 4)]
        await asyncio.sleep(0.05)
        release.set()
        return await first, await asyncio.gather(*rest)

    assert run_async(main()) == (10, [20, 30, 40])
    assert seen == [[1], [2, 3, 4]]
    assert (writer.batches, writer.items) == (2, 4)
    writer.close()


def test_a_failing_batch_is_retried_item_by_item_so_one_bad_item_fails_alone():
    calls = []

    def process(items):
        calls.append(list(items))
        if 13 in items:
            raise ValueError("bad item")
        return [f"ok {item}" for item in items]

    writer = BatchWriter(process)

    async def main():
        gate = asyncio.ensure_future(writer.submit(0))
        others = [asyncio.ensure_future(writer.submit(n)) for n in (12, 13, 14)]
        return await gate, await asyncio.gather(*others, return_exceptions=True)

    first, results = run_async(main())
    assert first == "ok 0"
    assert results[0] == "ok 12" and results[2] == "ok 14"
    assert isinstance(results[1], ValueError) and str(results[1]) == "bad item"
    assert [12] in calls and [13] in calls and [14] in calls
    writer.close()


def test_an_idle_writer_ends_its_thread_and_a_later_submit_starts_another(monkeypatch):
    monkeypatch.setattr(batching, "IDLE_SECONDS", 0.05)
    writer = BatchWriter(lambda items: list(items), name="idle-test")

    assert run_async(writer.submit("a")) == "a"
    threading.Event().wait(0.3)
    assert [t for t in threading.enumerate() if t.name == "idle-test"] == []
    assert run_async(writer.submit("b")) == "b"
    writer.close()
    assert [t for t in threading.enumerate() if t.name == "idle-test"] == []


@pytest.mark.parametrize("size", [1, 300])
def test_close_finishes_what_is_queued(size):
    done = []
    writer = BatchWriter(lambda items: [done.append(i) or i for i in items], max_batch=256)

    async def main():
        return await asyncio.gather(*(writer.submit(n) for n in range(size)))

    assert run_async(main()) == list(range(size))
    writer.close()
    assert sorted(done) == list(range(size))


def test_a_stop_token_left_over_does_not_stop_a_later_thread():
    release = threading.Event()
    writer = BatchWriter(lambda items: [release.wait(5) and i for i in items], name="stale-stop")

    async def first():
        return await writer.submit(1)

    runner = threading.Thread(target=lambda: asyncio.run(first()))  # its own thread already
    runner.start()
    threading.Event().wait(0.1)
    writer.close(timeout=0.01)  # times out while the batch is held: its token stays queued...
    writer.close(timeout=0.01)
    release.set()
    runner.join(5)
    writer.close()

    # ...and is addressed to that thread: a new thread ignores it and answers.
    assert run_async(asyncio.wait_for(writer.submit(2), 5)) == 2
    writer.close()


def test_a_process_returning_too_few_results_fails_each_item_and_the_writer_goes_on():
    writer = BatchWriter(lambda items: [] if len(items) > 1 or items[0] == "bad" else items)

    async def main():
        return await asyncio.gather(
            writer.submit("bad"), writer.submit("good"), return_exceptions=True
        )

    results = run_async(main())
    assert isinstance(results[0], RuntimeError) and results[1] == "good"
    assert run_async(writer.submit("later")) == "later"
    writer.close()


def _batches_of_two_spaced(writer: BatchWriter, seen: list, warm_up: bool) -> list[list[int]]:
    """Optionally a batch of several first (load), then two items 0.1 s apart."""

    async def main():
        if warm_up:
            first = asyncio.ensure_future(writer.submit(1))
            await asyncio.sleep(0.05)  # 1 is being processed (held): 2 and 3 queue behind it
            await asyncio.gather(first, writer.submit(2), writer.submit(3))
        a = asyncio.ensure_future(writer.submit(10))
        await asyncio.sleep(0.1)
        await asyncio.gather(a, writer.submit(11))

    run_async(main())
    writer.close()
    return seen


def test_under_load_a_batch_waits_a_little_for_company():
    seen: list[list[int]] = []

    def process(items):
        if items == [1]:
            threading.Event().wait(0.2)
        seen.append(list(items))
        return list(items)

    writer = BatchWriter(process, linger=1.0)
    assert _batches_of_two_spaced(writer, seen, warm_up=True) == [[1], [2, 3], [10, 11]]


def test_a_lone_item_at_a_quiet_time_does_not_wait():
    seen: list[list[int]] = []

    def process(items):
        seen.append(list(items))
        return list(items)

    writer = BatchWriter(process, linger=1.0)
    assert _batches_of_two_spaced(writer, seen, warm_up=False) == [[10], [11]]


def test_a_batch_wakes_its_event_loop_once_whatever_its_size():
    release = threading.Event()
    writer = BatchWriter(lambda items: [release.wait(5) and i * 2 for i in items])
    wakes: list[int] = []

    async def main():
        loop = asyncio.get_running_loop()
        original = loop.call_soon_threadsafe

        def counted(callback, *args):
            wakes.append(len(args[0]) if isinstance(args[0], list) else 1)
            return original(callback, *args)

        loop.call_soon_threadsafe = counted
        first = asyncio.ensure_future(writer.submit(1))
        await asyncio.sleep(0.05)  # 1 is held: the next five queue behind it
        rest = [asyncio.ensure_future(writer.submit(n)) for n in range(2, 7)]
        await asyncio.sleep(0.05)
        release.set()
        return await first, await asyncio.gather(*rest)

    assert run_async(main()) == (2, [4, 6, 8, 10, 12])
    assert wakes == [1, 5]  # one call per batch, carrying every item of it
    writer.close()
