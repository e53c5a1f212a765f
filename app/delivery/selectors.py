"""Where the next item comes from.

Delivery asks an ItemSelector for "the item at position n of this attempt" and never reads
forms itself, so an adaptive selector can later choose items at answer time without touching
delivery. The pre-drawn fixed form is the selector used today.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.delivery.models import Attempt
from app.exams.models import Form, FormItem


@dataclass(frozen=True)
class ItemRef:
    position: int
    section_position: int
    version_id: uuid.UUID
    option_order: tuple[str, ...]


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


_SELECTORS: dict[str, Callable[[], ItemSelector]] = {FixedFormSelector.name: FixedFormSelector}


def register_selector(name: str, factory: Callable[[], ItemSelector]) -> None:
    _SELECTORS[name] = factory


def selector_for(attempt: Attempt) -> ItemSelector:
    return _SELECTORS[attempt.selector]()
