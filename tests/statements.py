"""The SQL statements a piece of code sends, for tests that hold it to a number of them or to
the tables it touches."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event


@contextmanager
def recorded(bind: Engine | Connection) -> Iterator[list[str]]:
    """Every statement sent through `bind` inside the block, in order."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(bind, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", record)
