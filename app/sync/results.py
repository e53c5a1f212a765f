"""What a site sends back (the site's side): everything its sessions of one event produced.

Attempts with their timed sections, the items their adaptive sections gave (each step with
its response, θ and SE: the centre scores and replays them), current answers, the answer
journal and raw scores; the taker logins the journal names (without their token hashes);
attendance (seats), pauses, extra time, broadcasts, incidents; each session's state; and the
audit rows about those sessions. A file made while a session runs holds what exists so far
and says so; a later file holds it all again plus what is new (so any one file is also a copy
of the results so far).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry, AuditSubject
from app.delivery import chain
from app.delivery.models import (
    AdaptiveStep,
    Answer,
    AnswerJournal,
    Attempt,
    AttemptScore,
    AttemptSection,
    Broadcast,
    TakerLogin,
)
from app.exams.models import Event, Participant
from app.i18n import N_, translate
from app.proctoring.models import AttemptPause, ExtraTime, Incident, Seat
from app.sync import repository
from app.sync.errors import SyncRefused
from app.sync.tables import dump_where, plain

# `adaptive_steps` came without a new format: a file without it holds none (sites ran no
# adaptive sections before), and only a centre that packages adaptive sections receives steps.
RESULTS_FORMAT = 1
Progress = Callable[[int], None]
# The payload's lists, in the order the centre inserts them (parents before children).
PARTS: tuple[tuple[str, type[Any]], ...] = (
    ("logins", TakerLogin),
    ("attempts", Attempt),
    ("attempt_sections", AttemptSection),
    ("adaptive_steps", AdaptiveStep),
    ("answers", Answer),
    ("journal", AnswerJournal),
    ("scores", AttemptScore),
    ("pauses", AttemptPause),
    ("extra_time", ExtraTime),
    ("seats", Seat),
    ("broadcasts", Broadcast),
    ("incidents", Incident),
    ("audit", AuditEntry),
    ("audit_subjects", AuditSubject),
)
# The parts that belong to an attempt (by attempt_id).
ATTEMPT_PARTS = (
    "attempt_sections",
    "adaptive_steps",
    "answers",
    "journal",
    "scores",
    "pauses",
    "extra_time",
)
SESSION_STATE = ("id", "code", "status", "opened_at", "closed_at")


@dataclass(frozen=True)
class Results:
    payload: dict[str, Any]
    running: list[str]  # sessions not closed yet
    unfinished: int  # attempts not submitted yet

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.payload.items() if isinstance(v, list)}


def collect_results(db: Session, event: Event, progress: Progress | None = None) -> Results:
    sessions = sorted(repository.sessions_of_event(db, event.id).values(), key=lambda s: s.code)
    session_ids = [s.id for s in sessions]
    people = list(db.scalars(select(Participant.id).where(Participant.session_id.in_(session_ids))))
    step = progress or (lambda _n: None)
    payload: dict[str, Any] = {
        "format": RESULTS_FORMAT,
        "event": {"id": str(event.id), "code": event.code, "version": event.version},
        "sessions": [{k: plain(getattr(s, k)) for k in SESSION_STATE} for s in sessions],
    }
    payload["logins"] = dump_where(
        db, TakerLogin, "participant_id", people, exclude=("token_hash",)
    )
    step(1)
    payload["attempts"] = dump_where(db, Attempt, "participant_id", people)
    attempt_ids = [uuid.UUID(a["id"]) for a in payload["attempts"]]
    for name in ATTEMPT_PARTS:
        payload[name] = dump_where(db, dict(PARTS)[name], "attempt_id", attempt_ids)
        step(1)
    payload["seats"] = dump_where(db, Seat, "participant_id", people)
    payload["broadcasts"] = dump_where(db, Broadcast, "exam_session_id", session_ids)
    payload["incidents"] = dump_where(db, Incident, "exam_session_id", session_ids)
    payload["audit"] = dump_where(db, AuditEntry, "exam_session_id", session_ids)
    payload["audit_subjects"] = dump_where(
        db, AuditSubject, "audit_id", [uuid.UUID(a["id"]) for a in payload["audit"]]
    )
    step(1)
    return Results(
        payload,
        running=[s.code for s in sessions if s.status != "closed"],
        unfinished=sum(a["status"] != "submitted" for a in payload["attempts"]),
    )


NO_ATTEMPT = N_("no such attempt")


class JournalBroken(SyncRefused):
    message_id = N_(
        "The answer journal of %(count)s attempts does not lead to the head their attempt "
        "holds: rows were changed, removed or reordered; nothing was loaded."
    )

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__(count=len(problems))
        self.problems = [p for found in problems.values() for p in found]


def journal_problems(payload: dict[str, Any]) -> dict[str, list[str]]:
    """Attempt id → what is wrong with its journal in a results payload, against the head
    and count the attempt carries (delivery/chain.py). A running attempt's journal may hold
    rows past its count (read after the attempt); a submitted attempt's may not."""
    by_attempt: dict[str, list[dict[str, Any]]] = {}
    for row in payload.get("journal", []):
        by_attempt.setdefault(row["attempt_id"], []).append(row)
    problems = {}
    for attempt in payload.get("attempts", []):
        rows = by_attempt.pop(attempt["id"], [])
        whole = attempt["status"] == "submitted"
        head, count = attempt.get("journal_head") or chain.EMPTY, attempt.get("journal_rows") or 0
        found = chain.check(attempt["id"], head, count, rows, whole=whole)
        if found:
            problems[attempt["id"]] = found
    for attempt_id in by_attempt:
        where = translate(N_("delivery_answer_journal (attempt %(id)s)"), {"id": attempt_id})
        problems[attempt_id] = [f"{where}: {translate(NO_ATTEMPT)}"]
    return problems


def check_journals(payload: dict[str, Any]) -> int:
    """Refused when any attempt's journal breaks its chain; else how many attempts hold."""
    problems = journal_problems(payload)
    if problems:
        raise JournalBroken(problems)
    return len(payload.get("attempts", []))
