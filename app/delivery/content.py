"""An item as the taker sees it: its content, options in the form's order, the stored answer.

Versions in a form are never edited (a change makes a new version), so a worker keeps the
content it has read (`CONTENT`): a room reads the same few hundred versions all day.
"""

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from app.bank.models import ItemVersion
from app.delivery.core import StoredAnswer
from app.delivery.selectors import ItemRef

LABELS = "ABCDEF"
V = ItemVersion.__table__


@dataclass(frozen=True)
class Content:
    """An item version's text (figures only as present or not)."""

    stem: str
    has_figure: bool
    options: dict[str, tuple[str | None, bool]]  # id → (text, has a figure)

    @classmethod
    def of(cls, stem: str, figure_svg: str | None, options: list[dict[str, Any]]) -> "Content":
        by_id = {o["id"]: (o.get("text"), bool(o.get("figure_svg"))) for o in options}
        return cls(stem, bool(figure_svg), by_id)

    @classmethod
    def of_version(cls, version: ItemVersion) -> "Content":
        return cls.of(version.stem, version.figure_svg, version.options)


@dataclass(frozen=True)
class OptionView:
    option_id: str
    label: str
    text: str | None
    has_figure: bool


@dataclass(frozen=True)
class ItemView:
    position: int
    section_position: int
    stem: str
    has_figure: bool
    options: list[OptionView]
    option_id: str | None
    flagged: bool
    answer_seq: int | None


def item_view(ref: ItemRef, content: Content, answer: StoredAnswer | None) -> ItemView:
    return ItemView(
        position=ref.position,
        section_position=ref.section_position,
        stem=content.stem,
        has_figure=content.has_figure,
        options=[
            OptionView(option_id, LABELS[i], *content.options[option_id])
            for i, option_id in enumerate(ref.option_order)
        ],
        option_id=answer.option_id if answer else None,
        flagged=answer.flagged if answer else False,
        answer_seq=answer.seq if answer else None,
    )


class ContentCache:
    """Content by item version id, the least recently used dropped beyond `size`."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[uuid.UUID, Content] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, conn: Connection, version_ids: list[uuid.UUID]) -> dict[uuid.UUID, Content]:
        """The content of each version: what is kept, and the rest in one query."""
        found: dict[uuid.UUID, Content] = {}
        with self._lock:
            for version_id in version_ids:
                content = self._items.get(version_id)
                if content is not None:
                    self._items.move_to_end(version_id)
                    found[version_id] = content
        missing = [v for v in version_ids if v not in found]
        if missing:
            query = select(V.c.id, V.c.stem, V.c.figure_svg, V.c.options).where(V.c.id.in_(missing))
            read = {
                row.id: Content.of(row.stem, row.figure_svg, row.options)
                for row in conn.execute(query)
            }
            self._keep(read)
            found.update(read)
        return found

    def get(self, conn: Connection, version_id: uuid.UUID) -> Content:
        return self.get_many(conn, [version_id])[version_id]

    def _keep(self, read: dict[uuid.UUID, Content]) -> None:
        with self._lock:
            for version_id, content in read.items():
                self._items[version_id] = content
            while len(self._items) > self.size:
                self._items.popitem(last=False)


CONTENT = ContentCache()
