"""Drawing a participant's form from a seed: pure functions, no database.

Given the same seed, blueprint and pools (ordered by item code) the same form comes out, on
any machine and any Python version (see kit/seeded.py).
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.i18n import N_, translate
from app.kit.seeded import SeededStream


@dataclass(frozen=True)
class PoolItem:
    version_id: uuid.UUID
    code: str
    option_ids: tuple[str, ...]
    shuffle_options: bool
    subtest: str = ""
    maximum: int = 1  # its most points (scoring's totals per subtest come from the draw)


@dataclass(frozen=True)
class SectionSpec:
    position: int
    title: str
    subtest: str
    theme: str | None
    item_count: int
    # Adaptive: its `item_count` positions are reserved, and delivery fills them as the
    # taker answers (delivery/adaptive.py); nothing is drawn for it here.
    adaptive: bool = False


@dataclass(frozen=True)
class DrawnItem:
    position: int
    section_position: int
    version_id: uuid.UUID
    code: str
    option_order: tuple[str, ...]


class BlueprintUnsatisfiable(ValueError):
    pass


def draw_form(
    seed: int,
    sections: Sequence[SectionSpec],
    pools: Mapping[int, Sequence[PoolItem]],
    shuffle_items: bool,
    shuffle_options: bool,
) -> list[DrawnItem]:
    """Draw every section in blueprint order; an item appears at most once per form."""
    used: set[str] = set()
    drawn: list[DrawnItem] = []
    position = 0
    for section in sections:
        if section.adaptive:
            position += section.item_count
            continue
        candidates = [p for p in pools[section.position] if p.code not in used]
        if len(candidates) < section.item_count:
            raise BlueprintUnsatisfiable(_shortage(section, len(candidates)))
        chosen = SeededStream(seed, f"section:{section.position}").sample(
            candidates, section.item_count
        )
        if not shuffle_items:
            chosen.sort(key=lambda p: p.code)
        for item in chosen:
            used.add(item.code)
            position += 1
            drawn.append(
                DrawnItem(
                    position=position,
                    section_position=section.position,
                    version_id=item.version_id,
                    code=item.code,
                    option_order=option_order(seed, item, shuffle_options),
                )
            )
    return drawn


def option_order(seed: int, item: PoolItem, shuffle_options: bool) -> tuple[str, ...]:
    """The order this form shows the item's options in (an adaptive item's too)."""
    order = list(item.option_ids)
    if shuffle_options and item.shuffle_options:
        SeededStream(seed, f"options:{item.code}").shuffle(order)
    return tuple(order)


def _shortage(section: SectionSpec, available: int) -> str:
    where = {"position": section.position, "title": section.title, "count": section.item_count}
    where |= {"subtest": section.subtest, "available": available}
    if section.theme:
        message = N_(
            "section %(position)s (%(title)s) asks for %(count)s items of %(subtest)s / theme "
            "'%(theme)s', but the bank only has %(available)s"
        )
        return translate(message, {**where, "theme": section.theme})
    message = N_(
        "section %(position)s (%(title)s) asks for %(count)s items of %(subtest)s, but the "
        "bank only has %(available)s"
    )
    return translate(message, where)


def check_satisfiable(
    sections: Sequence[SectionSpec], pools: Mapping[int, Sequence[PoolItem]]
) -> list[str]:
    """Problems that make the blueprint impossible to draw, whatever the seed.

    Each section needs enough items on its own, and sections drawing from overlapping pools
    need enough items between them, since no item appears twice in one form.
    """
    sections = [s for s in sections if not s.adaptive]  # checked by their own rules
    problems = [
        _shortage(s, len(pools[s.position]))
        for s in sections
        if len(pools[s.position]) < s.item_count
    ]
    by_subtest: dict[str, list[SectionSpec]] = {}
    for section in sections:
        by_subtest.setdefault(section.subtest, []).append(section)
    for subtest, group in by_subtest.items():
        union = {p.code for s in group for p in pools[s.position]}
        demand = sum(s.item_count for s in group)
        if len(group) > 1 and demand > len(union):
            message = N_(
                "the sections of subtest %(subtest)s ask for %(demand)s different items, but "
                "the bank only has %(available)s"
            )
            problems.append(
                translate(message, {"subtest": subtest, "demand": demand, "available": len(union)})
            )
    return problems
