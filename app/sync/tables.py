"""Whole tables in and out with Core statements: a results file holds hundreds of thousands of
answers and journal rows, too many to pass through ORM objects one by one."""

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, Uuid, and_, insert, select, update
from sqlalchemy.orm import Session

from app.db import Base, UTCDateTime

_CHUNK = 500


def table_of(model: type[Base]) -> Table:
    return model.__table__


def key_of(model: type[Base]) -> tuple[str, ...]:
    return tuple(c.name for c in table_of(model).primary_key.columns)


def plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def dump_where(
    db: Session,
    model: type[Base],
    column: str,
    values: Sequence[Any],
    exclude: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Every row whose `column` is one of `values`, as JSON-ready values."""
    table = table_of(model)
    columns = [c for c in table.columns if c.name not in exclude]
    found = []
    for chunk in _chunks(values):
        query = select(*columns).where(table.c[column].in_(chunk)).order_by(*table.primary_key)
        found += [{k: plain(v) for k, v in row.items()} for row in db.execute(query).mappings()]
    return found


def typed(model: type[Base], documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON values back as the table's: UUIDs and aware datetimes; unknown keys dropped."""
    types = {c.name: c.type for c in table_of(model).columns}
    rows = []
    for document in documents:
        row = {}
        for key, value in document.items():
            column_type = types.get(key)
            if column_type is None:
                continue
            if value is not None and isinstance(column_type, Uuid):
                value = uuid.UUID(value)
            elif value is not None and isinstance(column_type, UTCDateTime):
                value = datetime.fromisoformat(value)
            row[key] = value
        rows.append(row)
    return rows


def held_rows(
    db: Session, model: type[Base], incoming: list[dict[str, Any]]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The rows this server holds under the incoming rows' primary keys."""
    table = table_of(model)
    key = key_of(model)
    wanted = {tuple(r[k] for k in key) for r in incoming}
    first = sorted({k[0] for k in wanted}, key=str)
    held: dict[tuple[Any, ...], dict[str, Any]] = {}
    for chunk in _chunks(first):
        for row in db.execute(select(table).where(table.c[key[0]].in_(chunk))).mappings():
            row_key = tuple(row[k] for k in key)
            if row_key in wanted:
                held[row_key] = dict(row)
    return held


def insert_rows(db: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        db.execute(insert(table_of(model)), rows[start : start + 5000])


def update_row(db: Session, model: type[Base], row: dict[str, Any]) -> None:
    table = table_of(model)
    key = key_of(model)
    condition = and_(*(table.c[k] == row[k] for k in key))
    db.execute(
        update(table).where(condition).values({k: v for k, v in row.items() if k not in key})
    )


def _chunks(values: Sequence[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
