"""Loading a package on a site: every check first, then one idempotent merge by id.

Nothing is written unless every check passes (like the bank and event imports). Loading the
same package again changes nothing; a newer package of the same event brings its changes; an
older one is refused. An adaptive section's frozen pool, like an item version, never changes:
one already held must come back equal. What the site itself changes while it runs a session
is kept: once a session is open here its status and room tokens are the site's, and a
participant who has started keeps their form.
"""

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.models import StaffUser
from app.bank.models import Item, ItemVersion, Subtest
from app.db import Base
from app.exams import repository as exams_repository
from app.exams.models import (
    AdaptivePool,
    Agency,
    BlueprintSection,
    Event,
    ExamSession,
    Form,
    Participant,
)
from app.i18n import N_
from app.proctoring.models import ProctorAssignment
from app.sync import repository, rows
from app.sync.errors import SyncRefused
from app.sync.package import READABLE_FORMATS

Progress = Callable[[int], None]
# A site session's own state once it has opened here; a package never takes it back.
SITE_RUNTIME = (
    "status",
    "opened_at",
    "closed_at",
    "room_token",
    "previous_room_token",
    "previous_token_valid_until",
    "token_rotated_at",
)


@dataclass
class LoadReport:
    event_code: str
    event_version: int
    sessions: list[str]
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated or +self.removed)


def _typed(model: type[Base], documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [rows.load(model, d) for d in documents]


@dataclass
class _Incoming:
    """The payload as typed row values."""

    event: dict[str, Any]
    sections: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    subtests: list[dict[str, Any]]
    items: list[dict[str, Any]]
    versions: list[dict[str, Any]]
    agencies: list[dict[str, Any]]
    participants: list[dict[str, Any]]
    forms: list[tuple[dict[str, Any], list[list[Any]]]]
    staff: list[dict[str, Any]]
    assignments: list[dict[str, Any]]
    pools: list[dict[str, Any]]

    @classmethod
    def of(cls, payload: dict[str, Any]) -> "_Incoming":
        if payload.get("format") not in READABLE_FORMATS:
            raise SyncRefused(N_("The package's content has an unknown format."))
        return cls(
            event=rows.load(Event, payload["event"]),
            sections=_typed(BlueprintSection, payload["sections"]),
            # A site runs its sessions: none is "packaged for a site" here, whatever came.
            sessions=[s | {"packaged_for": None} for s in _typed(ExamSession, payload["sessions"])],
            subtests=_typed(Subtest, payload["subtests"]),
            items=_typed(Item, payload["items"]),
            versions=_typed(ItemVersion, payload["item_versions"]),
            agencies=_typed(Agency, payload["agencies"]),
            participants=_typed(Participant, payload["participants"]),
            forms=[(rows.load(Form, f), f["items"]) for f in payload["forms"]],
            staff=_typed(StaffUser, payload["staff"]),
            assignments=_typed(ProctorAssignment, payload["assignments"]),
            pools=_typed(AdaptivePool, payload.get("adaptive_pools", [])),  # format 1: none
        )


def load_package(
    db: Session, payload: dict[str, Any], progress: Progress | None = None
) -> LoadReport:
    """Check the package against what this site holds, then merge it (see the module doc)."""
    incoming = _Incoming.of(payload)
    event = db.get(Event, incoming.event["id"])
    _check(db, incoming, event)
    report = LoadReport(
        incoming.event["code"], incoming.event["version"], [s["code"] for s in incoming.sessions]
    )
    _merge_bank(db, incoming, report)
    event = _merge_event(db, incoming, event, report)
    # Frozen once at the centre: only new ones enter (equal ones checked above).
    _merge_by_id(db, AdaptivePool, incoming.pools, report, "adaptive_pools", keys=())
    _merge_by_id(db, Agency, incoming.agencies, report, "agencies")
    _merge_sessions(db, incoming, report)
    _remove_absent(db, incoming, report)
    _merge_by_id(db, Participant, incoming.participants, report, "participants")
    db.flush()
    _merge_forms(db, incoming, report, progress)
    _merge_by_id(db, StaffUser, incoming.staff, report, "staff")
    db.flush()
    _merge_by_id(db, ProctorAssignment, incoming.assignments, report, "assignments")
    db.flush()
    return report


# --- checks (nothing written yet) -----------------------------------------------------------


def _check(db: Session, incoming: _Incoming, event: Event | None) -> None:
    code, version = incoming.event["code"], incoming.event["version"]
    clash = repository.codes_held_by_others(db, Event, {code: incoming.event["id"]})
    if clash:
        raise SyncRefused(
            N_(
                "Event %(code)s is held here under another id: a site takes events from "
                "packages only."
            ),
            code=code,
        )
    if event is not None and event.version > version:
        raise SyncRefused(
            N_(
                "The package holds version %(version)s of event %(code)s; this site holds "
                "the newer version %(held)s."
            ),
            version=version,
            code=code,
            held=event.version,
        )
    if (
        event is not None
        and event.blueprint_hash != incoming.event["blueprint_hash"]
        and repository.event_has_attempts(db, event.id)
    ):
        raise SyncRefused(
            N_("The package changes the blueprint of event %(code)s, and tests have started here."),
            code=code,
        )
    _check_clashes(db, incoming)
    if event is not None:
        _check_participants(db, incoming, event)


def _check_clashes(db: Session, incoming: _Incoming) -> None:
    """Codes, usernames and item contents held here under other ids or hashes."""
    problems = []
    for model, documents, what in (
        (Item, incoming.items, "bank_item"),
        (Agency, incoming.agencies, "agency"),
        (StaffUser, incoming.staff, "staff_user"),
    ):
        key = "username" if model is StaffUser else "code"
        by_code = {d[key]: d["id"] for d in documents}
        problems += [f"{what} {c}" for c in repository.codes_held_by_others(db, model, by_code)]
    held = repository.rows_by_id(db, ItemVersion, [v["id"] for v in incoming.versions])
    problems += [
        f"bank_item_version {v['id']}"
        for v in incoming.versions
        if v["id"] in held and held[v["id"]].content_hash != v["content_hash"]
    ]
    problems += _pool_clashes(db, incoming)
    sessions = repository.sessions_of_event(db, incoming.event["id"])
    problems += [
        f"exam_session {s['code']}"
        for s in incoming.sessions
        if s["code"] in sessions and sessions[s["code"]].id != s["id"]
    ]
    if problems:
        raise SyncRefused(
            N_("This site holds other records under the package's names: %(names)s."),
            names=", ".join(problems[:10]) + (" …" if len(problems) > 10 else ""),
        )


def _pool_clashes(db: Session, incoming: _Incoming) -> list[str]:
    """Frozen pools held here with other content, or under another id for the same section
    and blueprint."""
    by_id = repository.rows_by_id(db, AdaptivePool, [p["id"] for p in incoming.pools])
    by_key = {
        (p.section_position, p.blueprint_hash): p.id
        for p in repository.adaptive_pools(db, incoming.event["id"])
    }
    problems = []
    for values in incoming.pools:
        held = by_id.get(values["id"])
        other = by_key.get((values["section_position"], values["blueprint_hash"]), values["id"])
        if other != values["id"] or (
            held is not None and any(getattr(held, k) != v for k, v in values.items())
        ):
            problems.append(f"exam_adaptive_pool {values['section_position']}/{values['id']}")
    return problems


def _check_participants(db: Session, incoming: _Incoming, event: Event) -> None:
    by_nip = repository.participant_ids_by_nip(db, event.id)
    clashes = [p["nip"] for p in incoming.participants if by_nip.get(p["nip"], p["id"]) != p["id"]]
    if clashes:
        raise SyncRefused(
            N_("Participants held here under another id: %(nips)s."), nips=", ".join(clashes[:10])
        )
    held_forms = repository.forms_of(db, [p["id"] for p in incoming.participants])
    changed = [
        f["participant_id"]
        for f, _ in incoming.forms
        if f["participant_id"] in held_forms and held_forms[f["participant_id"]].id != f["id"]
    ]
    gone = _absent_participants(db, incoming)
    started = repository.started_participants(db, changed + gone)
    if started:
        raise SyncRefused(
            N_(
                "%(count)s participants have started here, and the package removes them or "
                "changes their forms."
            ),
            count=len(started),
        )


def _absent_participants(db: Session, incoming: _Incoming) -> list[uuid.UUID]:
    """This site's participants of the package's sessions whom the package no longer holds."""
    keep = {p["id"] for p in incoming.participants}
    held = repository.participants_in_sessions(db, [s["id"] for s in incoming.sessions])
    return [p.id for p in held if p.id not in keep]


# --- merge ----------------------------------------------------------------------------------


def _merge_by_id(
    db: Session,
    model: type[Base],
    documents: list[dict[str, Any]],
    report: LoadReport,
    what: str,
    keys: tuple[str, ...] | None = None,
) -> None:
    held = repository.rows_by_id(db, model, [d["id"] for d in documents])
    for values in documents:
        row = held.get(values["id"])
        if row is None:
            db.add(model(**values))
            report.created[what] += 1
        elif rows.apply(row, values, keys):
            report.updated[what] += 1


def _merge_event(
    db: Session, incoming: _Incoming, event: Event | None, report: LoadReport
) -> Event:
    if event is None:
        event = Event(**incoming.event)
        db.add(event)
        report.created["events"] += 1
    elif rows.apply(event, incoming.event):
        report.updated["events"] += 1
    db.flush()
    held = {s.id for s in repository.sections_of_event(db, event.id)}
    if held != {s["id"] for s in incoming.sections}:
        repository.replace_sections(db, event.id, incoming.sections)
        report.updated["blueprint"] += 1
    return event


def _merge_bank(db: Session, incoming: _Incoming, report: LoadReport) -> None:
    held = repository.subtests_by_code(db, [s["code"] for s in incoming.subtests])
    for values in incoming.subtests:  # subtests are keyed by code everywhere
        subtest = held.get(values["code"])
        if subtest is None:
            db.add(Subtest(**values))
            report.created["subtests"] += 1
        elif rows.apply(subtest, values):
            report.updated["subtests"] += 1
    db.flush()
    _merge_by_id(db, Item, incoming.items, report, "items")
    db.flush()
    # An item version's content never changes (checked above by hash); only new ones enter.
    _merge_by_id(db, ItemVersion, incoming.versions, report, "item_versions", keys=())


def _merge_sessions(db: Session, incoming: _Incoming, report: LoadReport) -> None:
    held = repository.rows_by_id(db, ExamSession, [s["id"] for s in incoming.sessions])
    for values in incoming.sessions:
        session = held.get(values["id"])
        if session is None:
            db.add(ExamSession(**values))
            report.created["sessions"] += 1
            continue
        keys = tuple(values)
        if session.status in ("open", "closed"):
            keys = tuple(k for k in keys if k not in SITE_RUNTIME)
        if rows.apply(session, values, keys):
            report.updated["sessions"] += 1
    db.flush()


def _remove_absent(db: Session, incoming: _Incoming, report: LoadReport) -> None:
    gone = _absent_participants(db, incoming)
    if gone:
        repository.delete_participants(db, gone)
        report.removed["participants"] += len(gone)
    keep = {a["id"] for a in incoming.assignments}
    extra = [
        a.id
        for a in repository.assignments_of_sessions(db, [s["id"] for s in incoming.sessions])
        if a.id not in keep
    ]
    if extra:
        repository.delete_assignments(db, extra)
        report.removed["assignments"] += len(extra)


def _merge_forms(
    db: Session, incoming: _Incoming, report: LoadReport, progress: Progress | None
) -> None:
    held = repository.forms_of(db, [f["participant_id"] for f, _ in incoming.forms])
    redrawn = [
        held[f["participant_id"]].id
        for f, _ in incoming.forms
        if f["participant_id"] in held and held[f["participant_id"]].id != f["id"]
    ]
    if redrawn:  # drawn again at the centre; nobody has started on them (checked)
        repository.delete_forms(db, redrawn)
        report.removed["forms"] += len(redrawn)
    kept = {f.id for f in held.values()} - set(redrawn)
    for values, items in incoming.forms:
        if values["id"] not in kept:
            db.add(Form(**values))
            db.flush()
            exams_repository.add_form_items(db, _form_item_rows(values["id"], items))
            report.created["forms"] += 1
        if progress:
            progress(1)


def _form_item_rows(form_id: uuid.UUID, items: list[list[Any]]) -> list[dict[str, Any]]:
    return [
        {
            "form_id": form_id,
            "position": position,
            "section_position": section,
            "item_version_id": uuid.UUID(version_id),
            "option_order": option_order,
        }
        for position, section, version_id, option_order in items
    ]
