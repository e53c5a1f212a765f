"""All bank queries."""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.bank.models import Item, ItemVersion, Subtest

_CHUNK = 500  # stay below SQLite's bound-parameter limit


def subtests_by_code(db: Session) -> dict[str, Subtest]:
    return {s.code: s for s in db.scalars(select(Subtest))}


def items_by_code(db: Session, codes: Sequence[str]) -> dict[str, Item]:
    found: dict[str, Item] = {}
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start : start + _CHUNK]
        found.update((i.code, i) for i in db.scalars(select(Item).where(Item.code.in_(chunk))))
    return found


def current_versions(db: Session, item_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ItemVersion]:
    found: dict[uuid.UUID, ItemVersion] = {}
    for start in range(0, len(item_ids), _CHUNK):
        chunk = item_ids[start : start + _CHUNK]
        query = select(ItemVersion).where(
            ItemVersion.item_id.in_(chunk), ItemVersion.superseded_at.is_(None)
        )
        found.update((v.item_id, v) for v in db.scalars(query))
    return found


def pool_as_of(
    db: Session, subtest_code: str, theme: str | None, at: datetime
) -> list[tuple[ItemVersion, str]]:
    """The item versions a section could draw from at time `at`, ordered by item code."""
    query = (
        select(ItemVersion, Item.code)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(
            ItemVersion.subtest_code == subtest_code,
            ItemVersion.created_at <= at,
            or_(ItemVersion.superseded_at.is_(None), ItemVersion.superseded_at > at),
        )
        .order_by(Item.code)
    )
    if theme is not None:
        query = query.where(ItemVersion.theme == theme)
    return [(version, code) for version, code in db.execute(query).tuples()]


def count_current(db: Session, subtest_code: str, theme: str | None) -> int:
    query = select(func.count()).where(
        ItemVersion.subtest_code == subtest_code, ItemVersion.superseded_at.is_(None)
    )
    if theme is not None:
        query = query.where(ItemVersion.theme == theme)
    return db.scalar(query) or 0


def freeze_versions(db: Session, version_ids: Iterable[uuid.UUID], at: datetime) -> None:
    ids = list(set(version_ids))
    for start in range(0, len(ids), _CHUNK):
        db.execute(
            update(ItemVersion)
            .where(ItemVersion.id.in_(ids[start : start + _CHUNK]), ItemVersion.frozen_at.is_(None))
            .values(frozen_at=at)
        )


def versions_by_id(db: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ItemVersion]:
    found: dict[uuid.UUID, ItemVersion] = {}
    for start in range(0, len(ids), _CHUNK):
        query = select(ItemVersion).where(ItemVersion.id.in_(ids[start : start + _CHUNK]))
        found.update((v.id, v) for v in db.scalars(query))
    return found
