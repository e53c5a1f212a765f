"""The answer journal's hash chain: each row carries a hash over its content and the hash of
the row before it, and the attempt carries the last hash (the head) and the row count.

A row is chained when it is written, on the answer-save path: the attempt's row (read there
under its lock anyway) holds the head and count, so a save computes one SHA-256 and writes
the new head with its other attempt columns, in the same round trip. Editing, deleting or
reordering a row afterwards no longer leads to the head the attempt holds; `check` finds it
(docs/sync.md, "The journal chain").

The hash covers what the save decides (`HASHED`), not the row's `old_*` values: on
PostgreSQL the save reads the stored answer inside its one statement, so they are not known
before it. They follow from the chain instead (a row's old values are the new values of the
previous row for the same position), and `check` holds them to that.

The chain has no key: whoever may write the database may also recompute it. What it gives is
that nothing changes unseen once the head has left the server (a results file, a scores
export) or through a change that does not rewrite every later row and the attempt.
"""

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from app.i18n import N_, translate

CHAIN_FORMAT = 1
EMPTY = ""  # the head of an attempt with no journal rows
HASHED = (
    "id",
    "attempt_id",
    "position",
    "new_option_id",
    "new_flagged",
    "seq",
    "recorded_at",
    "login_id",
)


def _text_id(value: Any) -> str | None:
    return None if value is None else str(uuid.UUID(str(value)))


def _text_time(value: Any) -> str:
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def row_hash(previous: str, index: int, row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over the chain format, the previous row's hash (EMPTY for the first
    row), the row's place in the chain and its hashed columns. `row` may hold the columns'
    values as the database returns them or as JSON (UUID and time strings)."""
    content = [
        CHAIN_FORMAT,
        previous,
        index,
        _text_id(row["id"]),
        _text_id(row["attempt_id"]),
        int(row["position"]),
        row["new_option_id"],
        bool(row["new_flagged"]),
        int(row["seq"]),
        _text_time(row["recorded_at"]),
        _text_id(row["login_id"]),
    ]
    encoded = json.dumps(content, separators=(",", ":"), ensure_ascii=True).encode()
    return hashlib.sha256(encoded).hexdigest()


def link(head: str, rows: int, row: Mapping[str, Any]) -> dict[str, Any]:
    """The chain columns of the row a save adds after `rows` rows ending in `head`, and the
    attempt's new head and count: {chain_index, chain_hash, journal_rows, journal_head}."""
    index = rows + 1
    digest = row_hash(head, index, row)
    return {
        "chain_index": index,
        "chain_hash": digest,
        "journal_rows": index,
        "journal_head": digest,
    }


def check(
    attempt_id: Any, head: str, count: int, rows: Iterable[Mapping[str, Any]], whole: bool = True
) -> list[str]:
    """What is wrong with one attempt's journal against its head and count (empty: nothing).
    `whole=False`: rows past `count` may exist (the journal read after the attempt while
    the attempt still runs) and are not judged."""
    where = translate(N_("delivery_answer_journal (attempt %(id)s)"), {"id": attempt_id})
    chained, problems = [], []
    for row in rows:
        if row.get("chain_index") is None:
            outside = translate(N_("row outside the chain"))
            problems.append(f"{where} {row['id']}: {outside}")
        elif whole or row["chain_index"] <= count:
            chained.append(row)
    chained.sort(key=lambda r: r["chain_index"])
    indices = [r["chain_index"] for r in chained]
    if indices != list(range(1, count + 1)):
        missing = sorted(set(range(1, count + 1)) - set(indices))
        extra = sorted(i for i in set(indices) if not 1 <= i <= count)
        doubled = sorted({i for i in indices if indices.count(i) > 1})
        message = N_(
            "chain %(count)s rows, in the file %(found)s (missing %(missing)s, extra "
            "%(extra)s, doubled %(doubled)s)"
        )
        found = {"count": count, "found": len(indices), "missing": missing[:10]}
        found |= {"extra": extra[:10], "doubled": doubled[:10]}
        problems.append(f"{where}: {translate(message, found)}")
        return problems
    previous = EMPTY
    last: dict[int, tuple[str | None, bool]] = {}  # position → its newest (option, flag)
    for row in chained:
        digest = row_hash(previous, row["chain_index"], row)
        if digest != row.get("chain_hash"):
            mismatch = N_("hash of row %(index)s does not match")
            wrong_hash = translate(mismatch, {"index": row["chain_index"]})
            problems.append(f"{where} {row['id']}: {wrong_hash}")
            return problems
        before = last.get(row["position"], (None, None))
        if (row.get("old_option_id"), row.get("old_flagged")) != before:
            message = N_("old values are not the previous row's values for item %(position)s")
            old = translate(message, {"position": row["position"]})
            problems.append(f"{where} {row['id']}: {old}")
        last[row["position"]] = (row["new_option_id"], bool(row["new_flagged"]))
        previous = digest
    if previous != (head or EMPTY):
        wrong_head = translate(N_("chain head does not match the attempt"))
        problems.append(f"{where}: {wrong_head}")
    return problems
