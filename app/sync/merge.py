"""Merging a site's results at the centre: by id, all or nothing, never overwriting.

Only what is final at the site is taken: submitted attempts with everything that belongs to
them, and a session's state once it is closed there. An attempt still running at the site is
counted and left for a later file, so the centre's own sweeper never ends a site's attempt.
Loading the same file again changes nothing; a later file adds what is new. A row the centre
already holds must come back equal (a seat's attendance may move to a higher version); any
other difference is a contradiction, and one contradiction refuses the whole file with the
list of them.
"""

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.delivery.models import Attempt
from app.delivery.scoring import score_attempt
from app.exams.models import Event, ExamSession, Form, Participant
from app.i18n import N_, translate
from app.sync import repository
from app.sync.errors import SyncRefused
from app.sync.results import ATTEMPT_PARTS, PARTS, RESULTS_FORMAT, check_journals
from app.sync.tables import held_rows, insert_rows, key_of, typed, update_row

Progress = Callable[[int], None]
Rule = Callable[[dict[str, Any], dict[str, Any]], list[str]]
MAX_SHOWN = 50


class ResultsContradict(SyncRefused):
    message_id = N_(
        "%(count)s records in the file contradict what the centre holds; nothing was loaded."
    )

    def __init__(self, problems: list[str]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems


@dataclass
class MergeReport:
    site: str
    event_code: str
    sessions: list[str]
    added: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    running: list[str] = field(default_factory=list)  # sessions not closed at the site
    unfinished: int = 0  # attempts still running at the site: left for a later file

    @property
    def changed(self) -> bool:
        return bool(+self.added or +self.updated)


@dataclass
class _Plan:
    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    updates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def merge_results(
    db: Session,
    site: str,
    sent: set[str],
    payload: dict[str, Any],
    progress: Progress | None = None,
    taken_back: set[str] | None = None,
) -> MergeReport:
    """Check the whole file against the centre, then write it (see the module's docstring).
    `sent`: the codes of the sessions that run at `site` (their latest package went there);
    `taken_back`: those packaged for it once and reclaimed by the centre since."""
    if payload.get("format") != RESULTS_FORMAT:
        raise SyncRefused(N_("The results file's content has an unknown format."))
    check_journals(payload)
    event, sessions = _event_and_sessions(db, site, sent, payload, taken_back or set())
    report = MergeReport(site, event.code, [s.code for s in sessions.values()])
    rows = _final_rows(db, payload, sessions, report)
    plan = _Plan()
    for name, model in PARTS:
        _plan_part(db, name, model, rows[name], plan)
        if progress:
            progress(1)
    _plan_sessions(payload, sessions, plan, report)
    if plan.problems:
        raise ResultsContradict(plan.problems)
    for name, model in PARTS:
        insert_rows(db, model, plan.inserts.get(name, []))
        for row in plan.updates.get(name, []):
            update_row(db, model, row)
        report.added[name] += len(plan.inserts.get(name, []))
        report.updated[name] += len(plan.updates.get(name, []))
    db.flush()
    mismatched = _score_problems(db, plan.inserts.get("attempts", []), rows["scores"])
    if mismatched:
        raise ResultsContradict(mismatched)
    for row in plan.updates.get("sessions", []):
        session = sessions[row["id"]]
        session.status, session.opened_at, session.closed_at = (
            row["status"],
            row["opened_at"],
            row["closed_at"],
        )
        report.updated["sessions"] += 1
    db.flush()
    return report


def _event_and_sessions(
    db: Session, site: str, sent: set[str], payload: dict[str, Any], taken_back: set[str]
) -> tuple[Event, dict[uuid.UUID, ExamSession]]:
    event = db.get(Event, uuid.UUID(payload["event"]["id"]))
    if event is None or event.code != payload["event"]["code"]:
        raise SyncRefused(
            N_("Event %(code)s is not held here under the file's id."),
            code=payload["event"]["code"],
        )
    held = {s.id: s for s in repository.sessions_of_event(db, event.id).values()}
    sessions = {}
    for entry in payload["sessions"]:
        session = held.get(uuid.UUID(entry["id"]))
        if session is not None and session.code == entry["code"] and session.code in taken_back:
            raise SyncRefused(
                N_(
                    "Session %(code)s was taken back by the centre from site %(site)s (proasn "
                    "sync reclaim): its results from that site are refused."
                ),
                code=entry["code"],
                site=site,
            )
        if session is None or session.code != entry["code"] or session.code not in sent:
            raise SyncRefused(
                N_("Session %(code)s was not packaged for site %(site)s."),
                code=entry["code"],
                site=site,
            )
        sessions[session.id] = session
    return event, sessions


def _final_rows(
    db: Session,
    payload: dict[str, Any],
    sessions: dict[uuid.UUID, ExamSession],
    report: MergeReport,
) -> dict[str, list[dict[str, Any]]]:
    """The file's rows the centre takes now, typed: those of submitted attempts, and the
    sessions' own records."""
    people = {
        p.id: p
        for p in db.scalars(select(Participant).where(Participant.session_id.in_(list(sessions))))
    }
    rows = {name: typed(model, payload.get(name, [])) for name, model in PARTS}
    attempts = [a for a in rows["attempts"] if a["status"] == "submitted"]
    report.unfinished = len(rows["attempts"]) - len(attempts)
    final = {a["id"] for a in attempts}
    rows["attempts"] = attempts
    for name in ATTEMPT_PARTS:
        rows[name] = [r for r in rows[name] if r["attempt_id"] in final]
    named = {j["login_id"] for j in rows["journal"] if j["login_id"] is not None}
    # A login record without its credential: this hash matches no token ever issued.
    rows["logins"] = [
        r | {"token_hash": f"site:{r['id'].hex}"} for r in rows["logins"] if r["id"] in named
    ]
    strangers = {
        str(r["participant_id"])
        for name in ("logins", "attempts", "seats", "incidents")
        for r in rows[name]
        if r["participant_id"] is not None and r["participant_id"] not in people
    }
    if strangers:
        raise SyncRefused(
            N_("The file names %(count)s participants who are not in its sessions here."),
            count=len(strangers),
        )
    elsewhere = [
        r
        for name in ("broadcasts", "incidents", "audit")
        for r in rows[name]
        if r["exam_session_id"] is not None and r["exam_session_id"] not in sessions
    ]
    if elsewhere or named - {r["id"] for r in rows["logins"]}:
        raise SyncRefused(N_("The file's records point outside its own sessions."))
    return rows


def _plan_part(
    db: Session, name: str, model: type[Any], incoming: list[dict[str, Any]], plan: _Plan
) -> None:
    if not incoming:
        return
    key = key_of(model)
    held = held_rows(db, model, incoming)
    rule = RULES.get(name, _equal)
    if name == "attempts":
        plan.problems += _attempt_problems(db, incoming)
    for row in incoming:
        before = held.get(tuple(row[k] for k in key))
        if before is None:
            plan.inserts.setdefault(name, []).append(row)
            continue
        problems = rule(before, row)
        if problems == ["update"]:
            plan.updates.setdefault(name, []).append(row)
        else:
            where = f"{model.__tablename__} {'/'.join(str(row[k]) for k in key)}"
            plan.problems += [f"{where}: {p}" for p in problems]


DIFFER = N_("centre=%(centre)s file=%(file)s")


def _differences(
    before: dict[str, Any], row: dict[str, Any], skip: tuple[str, ...] = ()
) -> list[str]:
    return [
        f"{k} {_differ(before.get(k), v)}"
        for k, v in row.items()
        if k not in skip and before.get(k) != v
    ]


def _differ(centre: Any, sent: Any) -> str:
    """A column's value at the centre and in the file, shown as Python writes them."""
    return translate(DIFFER, {"centre": repr(centre), "file": repr(sent)})


def _equal(before: dict[str, Any], row: dict[str, Any]) -> list[str]:
    """Final rows: the same again or a contradiction."""
    return _differences(before, row)


def _login(before: dict[str, Any], row: dict[str, Any]) -> list[str]:
    """A login may end or be admitted at the site after a file was made: such a time is
    filled in once; a file that has not seen it yet is an earlier view, not a contradiction."""
    later = ("revoked_at", "revoked_reason", "admitted_at")
    problems = _differences(before, row, skip=later)
    for key in ("revoked_at", "admitted_at"):
        if before[key] is not None and row[key] is not None and before[key] != row[key]:
            problems.append(f"{key} {_differ(before[key], row[key])}")
    if problems:
        return problems
    fills = any(before[k] is None and row[k] is not None for k in ("revoked_at", "admitted_at"))
    if not fills:
        return []
    for key in later:  # what the centre has filled in already stays
        if row[key] is None:
            row[key] = before[key]
    return ["update"]


def _seat(before: dict[str, Any], row: dict[str, Any]) -> list[str]:
    """Attendance may change after a file was made: a higher version replaces a lower one, a
    lower one is an earlier view; the same version must hold the same values."""
    if row["version"] > before["version"]:
        return ["update"]
    if row["version"] < before["version"]:
        return []
    return _differences(before, row)


RULES: dict[str, Rule] = {"logins": _login, "seats": _seat}


def _attempt_problems(db: Session, attempts: list[dict[str, Any]]) -> list[str]:
    """An attempt must sit the form the centre drew, and be the participant's only one."""
    participant_ids = [a["participant_id"] for a in attempts]
    forms = repository.forms_of(db, participant_ids)
    held = {
        a.participant_id: a.id
        for a in db.scalars(select(Attempt).where(Attempt.participant_id.in_(participant_ids)))
    }
    problems = []
    for a in attempts:
        form: Form | None = forms.get(a["participant_id"])
        if form is None or form.id != a["form_id"]:
            wrong_form = translate(N_("form_id is not the form the centre drew"))
            problems.append(f"delivery_attempt {a['id']}: {wrong_form}")
        if held.get(a["participant_id"], a["id"]) != a["id"]:
            other = translate(N_("the participant already has another attempt at the centre"))
            problems.append(f"delivery_attempt {a['id']}: {other}")
    return problems


def _score_problems(
    db: Session, attempts: list[dict[str, Any]], file_scores: list[dict[str, Any]]
) -> list[str]:
    """Raw scores computed here from the merged answers must equal the site's. Scoring writes
    its rows, so it runs inside a savepoint that is rolled back: the site's rows stay."""
    sent: dict[uuid.UUID, dict[str, tuple[int | None, ...]]] = {}
    for s in file_scores:
        sent.setdefault(s["attempt_id"], {})[s["subtest_code"]] = _tally(s)
    problems = []
    for row in attempts:
        attempt = db.get(Attempt, row["id"])
        assert attempt is not None
        savepoint = db.begin_nested()
        computed = {s.subtest_code: _tally(s) for s in score_attempt(db, attempt)}
        savepoint.rollback()
        if computed != sent.get(row["id"], {}):
            differ = translate(DIFFER, {"centre": computed, "file": sent.get(row["id"])})
            problems.append(f"delivery_attempt_score {row['id']}: {differ}")
    return problems


def _tally(score: Any) -> tuple[int | None, ...]:
    get = score.get if isinstance(score, dict) else lambda k: getattr(score, k)
    return (get("raw"), get("maximum"), get("answered"), get("items"))


def _plan_sessions(
    payload: dict[str, Any],
    sessions: dict[uuid.UUID, ExamSession],
    plan: _Plan,
    report: MergeReport,
) -> None:
    """A session closed at the site is closed at the centre too (no one can sit it here)."""
    for entry in typed(ExamSession, payload["sessions"]):
        session = sessions[entry["id"]]
        if entry["status"] != "closed":
            report.running.append(session.code)
            continue
        state = {k: entry[k] for k in ("status", "opened_at", "closed_at")}
        if session.status == "closed":
            problems = _differences({k: getattr(session, k) for k in state}, state)
            plan.problems += [f"exam_session {session.code}: {p}" for p in problems]
        else:
            plan.updates.setdefault("sessions", []).append({"id": session.id} | state)
