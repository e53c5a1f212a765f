"""The answer journal's hash chain (app/delivery/chain.py): both save paths extend it, and an
edited, dropped or reordered row no longer leads to the attempt's head."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.delivery import chain, service
from app.delivery.models import AnswerJournal, Attempt
from app.kit.clock import FrozenClock, use_clock
from app.kit.ids import new_id
from tests.delivery.factories import open_exam
from tests.delivery.test_hot import item, save, started

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def journal_of(db: Session, attempt_id: Any) -> list[dict[str, Any]]:
    table = AnswerJournal.__table__
    query = select(table).where(table.c.attempt_id == attempt_id)
    return [dict(row) for row in db.execute(query).mappings()]


def built(rows: int) -> tuple[str, list[dict[str, Any]]]:
    """A head and its rows as a site's saves make them (positions 1, 2, 1, 2, …)."""
    attempt, head, made = new_id(), chain.EMPTY, []
    last: dict[int, tuple[str, bool]] = {}
    for n in range(rows):
        position, option = n % 2 + 1, "ABCD"[n % 4]
        row = {
            "id": new_id(),
            "attempt_id": attempt,
            "position": position,
            "old_option_id": last.get(position, (None, None))[0],
            "old_flagged": last.get(position, (None, None))[1],
            "new_option_id": option,
            "new_flagged": False,
            "seq": 1000 + n,
            "recorded_at": START + timedelta(seconds=n),
            "login_id": None,
        }
        linked = chain.link(head, n, row)
        row |= {"chain_index": linked["chain_index"], "chain_hash": linked["chain_hash"]}
        head, last[position] = linked["journal_head"], (option, False)
        made.append(row)
    return head, made


def test_an_untouched_chain_passes_in_any_order_and_as_json() -> None:
    head, rows = built(5)
    assert chain.check("t", head, 5, rows) == []
    assert chain.check("t", head, 5, list(reversed(rows))) == []
    as_json = [r | {"id": str(r["id"]), "attempt_id": str(r["attempt_id"]),
                    "recorded_at": r["recorded_at"].isoformat()} for r in rows]  # fmt: skip
    assert chain.check("t", head, 5, as_json) == []
    assert chain.check("t", chain.EMPTY, 0, []) == []


def test_an_edited_dropped_or_reordered_row_is_found() -> None:
    head, rows = built(5)
    edited = [dict(r) for r in rows]
    edited[2]["new_option_id"] = "D" if rows[2]["new_option_id"] != "D" else "A"
    assert "hash baris ke-3" in chain.check("t", head, 5, edited)[0]
    assert "hilang [3]" in chain.check("t", head, 5, rows[:2] + rows[3:])[0]
    assert "hilang [5]" in chain.check("t", head, 5, rows[:4])[0]  # the last one
    swapped = [dict(r) for r in rows]
    for key in ("chain_index", "chain_hash"):
        swapped[1][key], swapped[3][key] = rows[3][key], rows[1][key]
    assert chain.check("t", head, 5, swapped)
    retimed = [dict(r) for r in rows]
    retimed[1]["recorded_at"], retimed[3]["recorded_at"] = (
        rows[3]["recorded_at"],
        rows[1]["recorded_at"],
    )
    assert chain.check("t", head, 5, retimed)
    old_changed = [dict(r) for r in rows]
    old_changed[2]["old_option_id"] = "Z"  # not hashed: held to the row before it instead
    assert "nilai lama" in chain.check("t", head, 5, old_changed)[0]
    assert "kepala rantai" in chain.check("t", "0" * 64, 5, rows)[0]
    unchained = [dict(r) for r in rows] + [rows[0] | {"id": new_id(), "chain_index": None}]
    assert "di luar rantai" in chain.check("t", head, 5, unchained)[0]


def test_a_running_attempts_later_rows_are_not_judged() -> None:
    head, rows = built(3)
    _, more = built(5)
    assert chain.check("t", head, 3, rows + [more[3] | {"chain_index": 4}], whole=False) == []
    assert chain.check("t", head, 3, rows + [more[3] | {"chain_index": 4}])


def test_both_save_paths_extend_one_chain(db_session: Session, tmp_path: Path) -> None:
    with use_clock(FrozenClock(START)) as frozen:
        exam = open_exam(db_session, tmp_path)
        taker, raw, attempt = started(db_session, exam)
        options = {p: item(db_session, raw, p).ref.option_order for p in (1, 2, 3)}
        base = service.seq_base()
        save(db_session, raw, 1, options[1][0], False, base + 1)
        frozen.advance(seconds=3)
        service.save_answer(db_session, taker, 2, options[2][1], True, seq=base + 2)
        save(db_session, raw, 1, options[1][2], False, base + 3)
        assert save(db_session, raw, 1, options[1][1], False, base + 2).applied is False
        service.save_answer(db_session, taker, 1, options[1][3], False, seq=base + 4)
        save(db_session, raw, 3, None, True, base + 5, shown=True)
        db_session.flush()
        db_session.expire_all()
        stored = db_session.get(Attempt, attempt.id)
        assert stored is not None and stored.journal_rows == 5
        rows = journal_of(db_session, attempt.id)
        assert len(rows) == 5 and sorted(r["chain_index"] for r in rows) == [1, 2, 3, 4, 5]
        assert chain.check(attempt.id, stored.journal_head, stored.journal_rows, rows) == []
