"""The page's prefetch policy (app/delivery/prefetch.py; taker.js implements the same, and
tests/browser/test_page_requests.py holds the page to the bench client that uses this)."""

import random

from app.delivery.prefetch import PageLoads, Prefetch, batches_for, for_page_load, page_batch


def plan(position: int, had: set[int], first: int = 1, last: int = 700) -> list[tuple[int, int]]:
    return batches_for(position, first, last, had.__contains__)


def test_a_page_just_loaded_asks_for_one_batch_around_its_item() -> None:
    assert plan(1, {1}) == [(2, 23)]  # nothing behind item 1
    assert plan(300, {300}) == [(299, 320)]  # the one behind, the one shown again, 20 ahead
    assert plan(695, {695}) == [(694, 700)]  # never past the last item


def test_the_page_carries_the_one_batch_it_would_ask_for_first() -> None:
    """What a page just loaded asks for is one batch at most, so the server can build it
    into the page (prefetch.page_batch) and the page's load asks for nothing."""
    assert page_batch(1, 1, 700) == (2, 23) and page_batch(300, 1, 700) == (299, 320)
    assert page_batch(600, 301, 600) == (579, 599)  # the last item of a section
    assert page_batch(7, 7, 7) is None  # an adaptive section's page: its item alone
    policies = [Prefetch(), Prefetch(batch=4, refill=2)]
    for policy in policies:
        for first, last in ((1, 1), (1, 5), (1, 30), (301, 600)):
            for position in range(first, last + 1):
                wanted = batches_for(position, first, last, {position}.__contains__, policy)
                assert len(wanted) <= 1
                assert page_batch(position, first, last, policy) == (wanted[0] if wanted else None)
                # With the batch carried, the page's first prefetch finds nothing missing.
                had = {position} | {p for a, b in wanted for p in range(a, b + 1)}
                assert batches_for(position, first, last, had.__contains__, policy) == []


def test_walking_forward_refills_when_one_of_the_next_ten_is_missing() -> None:
    had = set(range(1, 24))
    assert plan(5, had) == [] and plan(13, had) == []
    assert plan(14, had) == [(24, 45)]


def test_a_jump_asks_for_the_batch_of_the_item_and_walking_back_for_the_ones_behind() -> None:
    had = set(range(1, 24))
    assert plan(400, had) == [(399, 420)]
    had |= set(range(399, 421))
    assert plan(399, had) == [(378, 398)]  # going back from a jump


def test_within_a_section_only() -> None:
    assert plan(301, {301}, first=301, last=600) == [(302, 323)]
    # a page loaded on the last item: the batch behind it
    assert batches_for(5, 1, 5, {5}.__contains__, Prefetch(batch=4, refill=2)) == [(2, 4)]


def test_each_page_load_draws_its_refill_point_so_a_room_does_not_refill_together() -> None:
    """With one refill point, a room that started together asked for its second batches
    together (bench/load's steady 2,000: all within ~16 s, the phase's one stall)."""
    rng = random.Random(14)
    policies = [for_page_load(rng) for _ in range(2000)]
    assert {p.batch for p in policies} == {22}
    assert {p.refill for p in policies} == set(range(6, 15))
    had = set(range(1, 24))  # the first batch of a page loaded on item 1

    def second_batch_at(policy: Prefetch) -> int:
        return next(n for n in range(1, 24) if batches_for(n, 1, 700, had.__contains__, policy))

    # Walking forward one item per answer, the room's second batches come at 9 different
    # answers (10..18), each page with 5 or more items ahead still in hand.
    assert {second_batch_at(p) for p in policies} == set(range(10, 19))
    assert all(23 - second_batch_at(p) >= 5 for p in policies)


def test_each_page_load_opens_its_signal_stream_after_the_rooms_first_seconds() -> None:
    """A room pressing "Mulai tes" together opened a thousand signal streams (1.5 ms of server
    CPU each) beside its first pages and batches; each page now opens its stream between half
    the configured delay and all of it, and at once when the delay is 0."""
    rng = random.Random(3)
    delays = [for_page_load(rng, signal_delay=20).signal_delay for _ in range(2000)]
    assert min(delays) >= 10 and max(delays) <= 20 and len(set(delays)) > 50
    assert for_page_load(rng).signal_delay == 0.0
    # Outside a rush the stream does not wait: a pause reaches a page loaded alone at once.
    assert for_page_load(rng, signal_delay=20, rush=False).signal_delay == 0.0


def test_a_rush_is_more_page_loads_than_the_threshold_within_ten_seconds() -> None:
    now = [100.0]
    loads = PageLoads(clock=lambda: now[0])
    assert [loads.rush(3) for _ in range(3)] == [False, False, False]
    assert loads.rush(3)  # the fourth within 10 s
    now[0] += 10.5  # all four now older than the window
    assert not loads.rush(3)
    assert loads.rush(0)  # 0: every page load is part of a rush (every stream waits)


def test_the_test_page_tells_taker_js_when_to_open_the_stream(monkeypatch) -> None:
    """The item template carries the draw; taker.js reads data-signal-delay."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    template = (root / "templates/delivery/item.html").read_text()
    script = (root / "app/web/static/js/taker.js").read_text()
    assert 'data-signal-delay="{{ prefetch.signal_delay }}"' in template
    assert "root.dataset.signalDelay" in script and "setTimeout(listen, cfg.signalDelay)" in script
