"""Rows to JSON and back, column by column, so a row crosses servers with its id and every
value as the model holds it (UUIDs as strings, aware UTC times in ISO 8601)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Uuid, inspect

from app.db import Base, UTCDateTime


def _columns(model: type[Base]) -> list[tuple[str, Any]]:
    return [(attr.key, attr.columns[0].type) for attr in inspect(model).column_attrs]


def dump(row: Base, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as JSON-ready values, every column but `exclude`."""
    values: dict[str, Any] = {}
    for key, _type in _columns(type(row)):
        if key in exclude:
            continue
        value = getattr(row, key)
        if isinstance(value, uuid.UUID):
            value = str(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        values[key] = value
    return values


def load(model: type[Base], data: dict[str, Any]) -> dict[str, Any]:
    """`dump`'s values back as the model's: only the model's columns, typed."""
    values: dict[str, Any] = {}
    for key, column_type in _columns(model):
        if key not in data:
            continue
        value = data[key]
        if value is not None and isinstance(column_type, Uuid):
            value = uuid.UUID(value)
        elif value is not None and isinstance(column_type, UTCDateTime):
            value = datetime.fromisoformat(value)
        values[key] = value
    return values


def apply(row: Base, values: dict[str, Any], keys: tuple[str, ...] | None = None) -> bool:
    """Set the values that differ (all of `values`, or only `keys`); whether any did."""
    changed = False
    for key in values if keys is None else keys:
        if key in values and getattr(row, key) != values[key]:
            setattr(row, key, values[key])
            changed = True
    return changed
