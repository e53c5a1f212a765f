"""The page's prefetch policy (app/delivery/prefetch.py; taker.js implements the same, and
tests/browser/test_page_requests.py holds the page to the bench client that uses this)."""

from app.delivery.prefetch import Prefetch, batches_for


def plan(position: int, had: set[int], first: int = 1, last: int = 700) -> list[tuple[int, int]]:
    return batches_for(position, first, last, had.__contains__)


def test_a_page_just_loaded_asks_for_one_batch_around_its_item() -> None:
    assert plan(1, {1}) == [(2, 23)]  # nothing behind item 1
    assert plan(300, {300}) == [(299, 320)]  # the one behind, the one shown again, 20 ahead
    assert plan(695, {695}) == [(694, 700)]  # never past the last item


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
