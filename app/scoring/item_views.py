"""What the item-analysis pages show: one compact row per item on the list, and one item's
figures, responses and actions (neutralise, correct the key) on a page of its own, so the list
carries no form per row (issue 22: 25,600 px of forms on a 700-item event)."""

import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from app.scoring.event_analysis import AnalysisFilter, ItemRow, SubtestAnalysis


@dataclass(frozen=True)
class ItemPage:
    subtest: SubtestAnalysis
    row: ItemRow
    previous: ItemRow | None  # the neighbours in the list's order, across subtests
    following: ItemRow | None


def item_page(analysis: list[SubtestAnalysis], version_id: uuid.UUID) -> ItemPage | None:
    """The item among the analysed ones, with its neighbours; None when no chosen taker saw it."""
    rows = [(a, r) for a in analysis for r in a.items]
    for i, (subtest, row) in enumerate(rows):
        if row.version_id == version_id:
            previous = rows[i - 1][1] if i > 0 else None
            following = rows[i + 1][1] if i + 1 < len(rows) else None
            return ItemPage(subtest, row, previous, following)
    return None


def filter_query(only: AnalysisFilter) -> str:
    """The list's filter as a query string (empty fields left out), carried from the list to
    an item and back."""
    fields = {"sesi": only.session, "instansi": only.agency, "eselon": only.eselon}
    fields["run"] = str(only.run) if only.run is not None else None
    return urlencode({k: v for k, v in fields.items() if v})


def with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def return_to(code: str, wanted: str) -> str:
    """Where an action on an item returns: the page it was sent from when that is one of this
    event's item-analysis pages (a local path, never another site), else the list."""
    home = f"/analis/acara/{code}/butir"
    parts = urlsplit(wanted.strip())
    own = re.fullmatch(re.escape(home) + r"(/[0-9a-f-]{36})?", parts.path)
    if parts.scheme or parts.netloc or own is None or any(c in wanted for c in "\\\r\n"):
        return home
    return with_query(parts.path, parts.query)
