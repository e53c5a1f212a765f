"""Parsing what a form or query string carries, with a refusal that names the field.

Route parameters typed `str` because an empty value means "none" (an optional agency, norm,
participant …) are parsed here: `uuid.UUID("abc")` in a route was a 500. Numbers that reach a
query are bounded to the database's integer range: a page or period of 99999999999999999999
was a 500 on PostgreSQL (integer out of range) and on SQLite (too large to bind).
"""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query

from app.i18n import N_
from app.kit.errors import Refusal

INT_MAX = 2**31 - 1  # PostgreSQL's integer: every integer column of the schema
Page = Annotated[int, Query(ge=1, le=100_000)]
Period = Annotated[int, Query(ge=1900, le=2200)]


class InvalidField(Refusal):
    status, code = 422, "invalid_field"
    message_id = N_("The field %(field)s holds a value that is not valid here.")

    def __init__(self, field: str) -> None:
        super().__init__(field=field)
        self.field = field


def optional_uuid(value: str, field: str) -> uuid.UUID | None:
    """An id from a form field; None when empty, InvalidField when not an id."""
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise InvalidField(field) from None


def optional_int(value: str, field: str, low: int = 1, high: int = INT_MAX) -> int | None:
    """A whole number from a form field within [low, high]; None when empty."""
    if not value.strip():
        return None
    try:
        number = int(value.strip())
    except ValueError:
        raise InvalidField(field) from None
    if not low <= number <= high:
        raise InvalidField(field)
    return number


def optional_time(value: str, field: str) -> datetime | None:
    """An ISO 8601 time (as the board's polls send back); None when empty."""
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidField(field) from None
