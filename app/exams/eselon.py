"""Eselon filters: "III" means III, III.a and III.b — not II or IV."""

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute


def eselon_is(column: InstrumentedAttribute[str], level: str) -> ColumnElement[bool]:
    level = level.strip()
    return or_(column == level, column.startswith(level + "."))
