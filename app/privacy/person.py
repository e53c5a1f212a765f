"""Everything held about one official, as one document (UU 27/2022: the right to access and
obtain one's personal data): identity and its corrections, sessions and attempts, published
scores with their norm, released talent boxes, SKP ratings, profile records with their
verification (the talent box's part: app/privacy/holders.py), and who viewed, exported or
changed the record (from the audit log).

The same document is the JSON download and, rendered, the printable page; `proasn data
export-person` writes it for a written request handled by the agency."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.audit import repository as audit_repository
from app.audit.models import AuditEntry
from app.audit.service import Actor, record
from app.delivery.models import Attempt
from app.exams.models import Agency, Event, ExamSession, Participant
from app.kit import clock
from app.privacy import holders, repository
from app.scoring.models import Norm, ScoreRecord, ScoringRun

FORMAT = "proasn-data-pribadi"
VERSION = 1
# Actions on the person's record shown as "who viewed or exported it" (all others that name
# them — corrections, the purge of their answers — are listed too, under what they did).
VIEW_ACTIONS = frozenset(
    {
        "talentbox.view_person",
        "talentbox.view_box",
        "talentbox.view_group",
        "talentbox.view_movement",
        "talentbox.view_profile",
        "talentbox.export",
        "talentbox.recommendation_download",
        "talentbox.recommendation_preview",
        "export.scores",
        "privacy.export_person",
        "privacy.self_export",
        "privacy.research_export",
        "audit.view_person",
        "selfview.view",
        "privacy.view_registrations",
    }
)


def person_data(
    db: Session, nip: str, participant_ids: Sequence[uuid.UUID] | None = None
) -> dict[str, Any]:
    """The document for a NIP (or only the registrations `participant_ids` opened, for the
    self-view; talent-box and profile data follow the NIP either way)."""
    registrations = repository.registrations(db, nip, participant_ids)
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": _time(clock.now()),
        "nip": nip,
        "registrations": [_registration(db, *row) for row in registrations],
        **{k: v for h in holders.registered for k, v in h.person_sections(db, nip).items()},
        "access_log": [_access(e) for e in audit_repository.person_entries(db, nip)],
    }


def record_export(db: Session, actor: Actor, nip: str, action: str, **details: Any) -> None:
    """The export itself is audited (and so appears in the next export's access log)."""
    record(db, actor, action, target_type="person", target_id=nip, subjects=[nip], **details)


def _registration(
    db: Session, participant: Participant, event: Event, agency: Agency, exam_session: ExamSession
) -> dict[str, Any]:
    attempt, purged_at = repository.attempt_of(db, participant.id)
    result = repository.published_record(db, participant)
    return {
        "event": {"code": event.code, "name": event.name, "organiser": event.organiser},
        "identity": {
            "name": participant.name,
            "nip": participant.nip,
            "position": participant.position,
            "eselon": participant.eselon,
            "agency": {"code": agency.code, "name": agency.name},
        },
        "accommodations": {
            "extra_time_percent": participant.extra_time_percent,
            "large_print": participant.large_print,
        },
        "corrections": [
            {
                "field": c.field,
                "old": c.old_value,
                "new": c.new_value,
                "reason": c.reason,
                "at": _time(c.corrected_at),
                "by": c.corrected_by,
            }
            for c in repository.corrections(db, participant.id)
        ],
        "session": {
            "code": exam_session.code,
            "venue": exam_session.venue,
            "room": exam_session.room,
            "starts_at": _time(exam_session.starts_at),
            "time_zone": exam_session.time_zone,
        },
        "attempt": _attempt(db, attempt, purged_at),
        "result": _result(*result) if result else None,
    }


def _attempt(
    db: Session, attempt: Attempt | None, purged_at: datetime | None
) -> dict[str, Any] | None:
    if attempt is None:
        return None
    return {
        "status": attempt.status,
        "started_at": _time(attempt.started_at),
        "submitted_at": _time(attempt.submitted_at),
        "submitted_by": attempt.submitted_by,
        "answers_held": repository.answer_count(db, attempt.id),
        "answers_purged_at": _time(purged_at),
        # the answers themselves (position in the form and the option chosen), not the items
        "answers": [
            {"position": p, "option": o, "flagged": f, "at": _time(at)}
            for p, o, f, at in repository.answers_of(db, attempt.id)
        ],
    }


def _result(run: ScoringRun, norm: Norm, score: ScoreRecord) -> dict[str, Any]:
    return {
        "run": run.number,
        "published_at": _time(run.published_at),
        "norm": {"name": norm.name, "version": norm.version},
        "level": score.level,
        "composite_t": score.composite_t,
        "composite_percentile": score.composite_percentile,
        "stanine": score.stanine,
        "subtests": {
            code: {k: v.get(k) for k in ("raw", "max", "theta", "se", "t", "percentile") if k in v}
            for code, v in sorted(score.subtests.items())
        },
    }


def _access(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": _time(entry.at),
        "who": entry.actor_username,
        "role": entry.actor_role,
        "action": entry.action,
        "reason": entry.reason,
        "kind": "view_or_export" if entry.action in VIEW_ACTIONS else "change",
    }


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
