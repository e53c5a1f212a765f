"""An item as the taker sees it: its content, options in the form's order, the stored answer.

Versions in a form are never edited (a change makes a new version), so a worker keeps the
content it has read (`CONTENT`): a room reads the same few hundred versions all day.

Figures travel inside the item as `data:` URIs, not as URLs of their own: an item the page
keeps is then whole (moving to it offline shows its figures too), and showing a figural item
costs no further request (each figure URL was a request of its own through the ORM path).
The SVGs were checked at bank import (app/bank/svg_check.py); an SVG shown as an image runs
no script.
"""

import base64
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


def figure_uri(svg: str | None) -> str | None:
    if not svg:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


@dataclass(frozen=True)
class Content:
    """An item version as shown: text, and figures as `data:` URIs."""

    stem: str
    figure: str | None
    options: dict[str, tuple[str | None, str | None]]  # id → (text, figure)

    @classmethod
    def of(cls, stem: str, figure_svg: str | None, options: list[dict[str, Any]]) -> "Content":
        by_id = {o["id"]: (o.get("text"), figure_uri(o.get("figure_svg"))) for o in options}
        return cls(stem, figure_uri(figure_svg), by_id)

    @classmethod
    def of_version(cls, version: ItemVersion) -> "Content":
        return cls.of(version.stem, version.figure_svg, version.options)


@dataclass(frozen=True)
class OptionView:
    option_id: str
    label: str
    text: str | None
    figure: str | None = None  # a data: URI

    @property
    def has_figure(self) -> bool:
        return self.figure is not None


@dataclass(frozen=True)
class ItemView:
    position: int
    section_position: int
    stem: str
    figure: str | None
    options: list[OptionView]
    option_id: str | None
    flagged: bool
    answer_seq: int | None
    adaptive: bool = False  # in an adaptive section: answered once, with no going back

    @property
    def has_figure(self) -> bool:
        return self.figure is not None


def item_view(ref: ItemRef, content: Content, answer: StoredAnswer | None) -> ItemView:
    return ItemView(
        position=ref.position,
        section_position=ref.section_position,
        stem=content.stem,
        figure=content.figure,
        options=[
            OptionView(option_id, LABELS[i], *content.options[option_id])
            for i, option_id in enumerate(ref.option_order)
        ],
        option_id=answer.option_id if answer else None,
        flagged=answer.flagged if answer else False,
        answer_seq=answer.seq if answer else None,
        adaptive=ref.adaptive,
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
