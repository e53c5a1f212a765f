"""Form drawing as a pure function: reproducible, blueprint-true, varied."""

import uuid

import pytest

from app.exams.forms import (
    BlueprintUnsatisfiable,
    PoolItem,
    SectionSpec,
    check_satisfiable,
    draw_form,
)


def pool(prefix: str, n: int, shuffle_options: bool = True) -> list[PoolItem]:
    return [
        PoolItem(
            uuid.uuid5(uuid.NAMESPACE_OID, f"{prefix}{i}"),
            f"{prefix}{i:03d}",
            ("A", "B", "C", "D", "E"),
            shuffle_options,
        )
        for i in range(n)
    ]


SECTIONS = [SectionSpec(1, "Verbal", "verbal", None, 10), SectionSpec(2, "SJT", "sjt", None, 5)]
POOLS = {1: pool("V", 40), 2: pool("S", 20)}


def codes(drawn) -> list[str]:
    return [d.code for d in drawn]


def test_same_seed_gives_the_same_form() -> None:
    first = draw_form(12345, SECTIONS, POOLS, True, True)
    assert first == draw_form(12345, SECTIONS, POOLS, True, True)


def test_form_follows_the_blueprint() -> None:
    drawn = draw_form(7, SECTIONS, POOLS, True, True)
    assert [d.position for d in drawn] == list(range(1, 16))
    assert [d.section_position for d in drawn] == [1] * 10 + [2] * 5
    assert all(c.startswith("V") for c in codes(drawn[:10]))
    assert all(c.startswith("S") for c in codes(drawn[10:]))
    assert len(set(codes(drawn))) == 15


def test_different_seeds_give_different_items_orders_and_options() -> None:
    forms = [draw_form(seed, SECTIONS, POOLS, True, True) for seed in range(20)]
    assert len({tuple(codes(f)) for f in forms}) == 20
    option_orders = {d.option_order for f in forms for d in f}
    assert len(option_orders) > 10


def test_no_shuffling_keeps_bank_order_and_option_order() -> None:
    drawn = draw_form(99, SECTIONS, POOLS, shuffle_items=False, shuffle_options=False)
    assert codes(drawn[:10]) == sorted(codes(drawn[:10]))
    assert {d.option_order for d in drawn} == {("A", "B", "C", "D", "E")}


def test_item_that_forbids_option_shuffling_keeps_its_order() -> None:
    pools = {1: pool("V", 40, shuffle_options=False), 2: pool("S", 20)}
    drawn = draw_form(5, SECTIONS, pools, True, True)
    assert {d.option_order for d in drawn[:10]} == {("A", "B", "C", "D", "E")}


def test_overlapping_sections_never_repeat_an_item() -> None:
    shared = pool("V", 12)
    sections = [SectionSpec(1, "a", "verbal", None, 6), SectionSpec(2, "b", "verbal", None, 6)]
    for seed in range(30):
        drawn = draw_form(seed, sections, {1: shared, 2: shared}, True, True)
        assert sorted(codes(drawn)) == sorted(p.code for p in shared)


def test_too_small_pool_is_refused_with_a_clear_message() -> None:
    sections = [SectionSpec(1, "Verbal", "verbal", "analogi", 50)]
    with pytest.raises(
        BlueprintUnsatisfiable, match="meminta 50 butir dari verbal / tema 'analogi'"
    ):
        draw_form(1, sections, {1: pool("V", 40)}, True, True)
    assert check_satisfiable(sections, {1: pool("V", 40)}) == [
        "bagian 1 (Verbal) meminta 50 butir dari verbal / tema 'analogi', tetapi bank hanya "
        "menyediakan 40"
    ]


def test_overlapping_sections_asking_more_than_the_union_are_refused() -> None:
    shared = pool("V", 10)
    sections = [SectionSpec(1, "a", "verbal", None, 6), SectionSpec(2, "b", "verbal", None, 6)]
    [problem] = check_satisfiable(sections, {1: shared, 2: shared})
    assert "meminta 12 butir berbeda" in problem
