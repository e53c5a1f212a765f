"""The canonical form of an item's content, and its hash.

Two imports of the same item must give the same hash whatever the YAML layout (key order,
figure in a file or inline), so the content is normalised to plain JSON-able values first.
"""

import hashlib
import json
from typing import Any

CONTENT_KEYS = [
    "subtest",
    "theme",
    "subtheme",
    "stem",
    "figure_svg",
    "options",
    "scoring",
    "key",
    "points",
    "irt",
    "time_hint_seconds",
    "shuffle_options",
    "meta",
]


def normalise_item(
    item: dict[str, Any], scoring: str, figures: dict[str, str | None], source: str
) -> dict[str, Any]:
    """A validated raw item → the dict stored as an item version (plus code and source)."""
    options = [
        {
            "id": option["id"],
            "text": None if option.get("text") is None else str(option["text"]).strip(),
            "figure_svg": figures.get(option["id"]),
        }
        for option in item["options"]
    ]
    return {
        "code": item["id"],
        "source": source,
        "subtest": item["subtest"],
        "theme": item.get("theme"),
        "subtheme": item.get("subtheme"),
        "stem": item["stem"].strip(),
        "figure_svg": figures.get(""),
        "options": options,
        "scoring": scoring,
        "key": item.get("key") if scoring == "keyed" else None,
        "points": dict(item["points"]) if scoring == "graded" else None,
        "irt": _plain(item.get("irt")),
        "time_hint_seconds": item.get("time_hint_seconds"),
        "shuffle_options": bool(item.get("shuffle_options", True)),
        "meta": _plain(item.get("meta") or {}),
    }


def content_hash(content: dict[str, Any]) -> str:
    payload = {key: content.get(key) for key in CONTENT_KEYS}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _plain(value: Any) -> Any:
    """YAML may give dates and other non-JSON types in metadata; keep them as text."""
    return json.loads(json.dumps(value, default=str)) if value is not None else None
