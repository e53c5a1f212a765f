"""Where the next item comes from.

Delivery asks an ItemSelector for "the item at position n of this attempt" and never reads
forms itself. The pre-drawn fixed form is one selector; an attempt of an event with an
adaptive section takes the adaptive one, which adds to the form's drawn items those chosen
so far in its adaptive sections (delivery/adaptive.py chooses them as the taker answers).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.delivery.models import AdaptiveStep, Attempt
from app.exams.models import Form, FormItem


@dataclass(frozen=True)
class ItemRef:
    position: int
    section_position: int
    version_id: uuid.UUID
    option_order: tuple[str, ...]
    adaptive: bool = False  # chosen in an adaptive section
    # An adaptive item already answered: no going back to it (only the current one is shown).
    answered: bool = False


class ItemSelector(Protocol):
    def total_items(self, db: Session, attempt: Attempt) -> int: ...

    def item_at(self, db: Session, attempt: Attempt, position: int) -> ItemRef | None: ...

    def all_items(self, db: Session, attempt: Attempt) -> list[ItemRef]: ...

    def items_between(
        self, db: Session, attempt: Attempt, first: int, last: int
    ) -> list[ItemRef]: ...


class FixedFormSelector:
    """Items in the order of the participant's pre-drawn form."""

    name = "fixed-form"

    def total_items(self, db: Session, attempt: Attempt) -> int:
        form = db.get(Form, attempt.form_id)
        return form.item_count if form else 0

    def item_at(self, db: Session, attempt: Attempt, position: int) -> ItemRef | None:
        row = db.get(FormItem, (attempt.form_id, position))
        return _ref(row) if row else None

    def all_items(self, db: Session, attempt: Attempt) -> list[ItemRef]:
        # Columns, not entities: scoring reads every item of every attempt at a deadline.
        return self._refs(db, FormItem.form_id == attempt.form_id)

    def items_between(self, db: Session, attempt: Attempt, first: int, last: int) -> list[ItemRef]:
        """The items at positions `first`..`last` (a page's prefetch: never the whole form)."""
        return self._refs(
            db, FormItem.form_id == attempt.form_id, FormItem.position.between(first, last)
        )

    @staticmethod
    def _refs(db: Session, *where: Any) -> list[ItemRef]:
        query = (
            select(
                FormItem.position,
                FormItem.section_position,
                FormItem.item_version_id,
                FormItem.option_order,
            )
            .where(*where)
            .order_by(FormItem.position)
        )
        return [ItemRef(p, s, v, tuple(o)) for p, s, v, o in db.execute(query).tuples()]


def _ref(row: FormItem) -> ItemRef:
    return ItemRef(row.position, row.section_position, row.item_version_id, tuple(row.option_order))


class AdaptiveSelector:
    """The form's drawn items (its fixed sections) and, in its adaptive sections, the items
    chosen so far (delivery_adaptive_step); a position not chosen yet holds no item."""

    name = "adaptive"
    fixed = FixedFormSelector()

    def total_items(self, db: Session, attempt: Attempt) -> int:
        return self.fixed.total_items(db, attempt)

    def item_at(self, db: Session, attempt: Attempt, position: int) -> ItemRef | None:
        found = self.fixed.item_at(db, attempt, position)
        if found is not None:
            return found
        steps = self._steps(db, attempt, AdaptiveStep.position == position)
        return steps[0] if steps else None

    def all_items(self, db: Session, attempt: Attempt) -> list[ItemRef]:
        refs = self.fixed.all_items(db, attempt) + self._steps(db, attempt)
        return sorted(refs, key=lambda r: r.position)

    def items_between(self, db: Session, attempt: Attempt, first: int, last: int) -> list[ItemRef]:
        chosen = self._steps(db, attempt, AdaptiveStep.position.between(first, last))
        refs = self.fixed.items_between(db, attempt, first, last) + chosen
        return sorted(refs, key=lambda r: r.position)

    @staticmethod
    def _steps(db: Session, attempt: Attempt, *where: Any) -> list[ItemRef]:
        # Columns, not entities: delivery/adaptive.py writes the steps by Core statements.
        query = select(
            AdaptiveStep.position,
            AdaptiveStep.section_position,
            AdaptiveStep.item_version_id,
            AdaptiveStep.option_order,
            AdaptiveStep.response,
        ).where(AdaptiveStep.attempt_id == attempt.id, *where)
        return [
            ItemRef(p, s, v, tuple(o), adaptive=True, answered=r is not None)
            for p, s, v, o, r in db.execute(query).tuples()
        ]


_SELECTORS: dict[str, Callable[[], ItemSelector]] = {
    FixedFormSelector.name: FixedFormSelector,
    AdaptiveSelector.name: AdaptiveSelector,
}


def register_selector(name: str, factory: Callable[[], ItemSelector]) -> None:
    _SELECTORS[name] = factory


def selector_for(attempt: Attempt) -> ItemSelector:
    return _SELECTORS[attempt.selector]()
