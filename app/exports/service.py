"""Building the scores export of a scoring run (schema in exports/schema.py)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.service import Actor, record, record_subjects_from
from app.exams import repository as exams_repository
from app.exams.eselon import eselon_is
from app.exams.models import Agency, Event, ExamSession, Participant
from app.exports import schema
from app.i18n import N_
from app.kit.errors import Refusal
from app.scoring import repository as scoring_repository
from app.scoring.models import Norm, ScoreRecord, ScoringRun

FORMATS = ("csv", "xlsx", "ndjson")


class ExportRefused(Refusal):
    status, code = 404, "export_refused"


@dataclass(frozen=True)
class ExportFilter:
    event: str
    run: int | None = None
    session: str | None = None
    agency: str | None = None
    eselon: str | None = None


@dataclass
class ScoresExport:
    event: Event
    run: ScoringRun
    norm: Norm
    header: list[str]
    codes: list[str]
    count: int
    filter: ExportFilter

    def rows(
        self, db: Session, progress: Callable[[int], None] | None = None
    ) -> Iterator[dict[str, Any]]:
        for record_, participant, agency, exam_session, head in scoring_repository.export_rows(
            db, self.run.id, self.filter.session, self.filter.agency, self.filter.eselon
        ):
            yield _row(self, record_, participant, agency, exam_session, head)
            if progress:
                progress(1)


def choose_run(db: Session, event: Event, number: int | None) -> ScoringRun:
    """The run asked for; by default the published one, else the latest."""
    runs = scoring_repository.runs(db, event.id)
    if number is not None:
        for run in runs:
            if run.number == number:
                return run
        raise ExportRefused(N_("Event %(event)s has no run %(run)s"), run=number, event=event.code)
    published = scoring_repository.published_run(db, event.id)
    if published is not None:
        return published
    if not runs:
        raise ExportRefused(N_("Event %(event)s has not been scored"), event=event.code)
    return runs[-1]


def prepare_export(db: Session, actor: Actor, f: ExportFilter, fmt: str) -> ScoresExport:
    """Resolve the run, count the rows and write the audit entry (who, what filter, rows)."""
    if fmt not in FORMATS:
        raise ExportRefused(N_("The format must be one of %(choices)s"), choices=", ".join(FORMATS))
    event = exams_repository.event_by_code(db, f.event)
    if event is None:
        raise ExportRefused(N_("Event %(event)s not found"), event=f.event)
    _check_filter(db, event, f)
    run = choose_run(db, event, f.run)
    norm = db.get(Norm, run.norm_id)
    assert norm is not None
    codes = run.settings.get("subtests") or sorted(
        {c for r in scoring_repository.records(db, run.id) for c in r.subtests}
    )  # runs made before the subtest list was recorded
    count = _count(db, run, f)
    entry = record(
        db,
        actor,
        "export.scores",
        target_type="scoring_run",
        target_id=run.id,
        target_label=f"{event.code} run {run.number}",
        format=fmt,
        rows=count,
        filter={"session": f.session, "agency": f.agency, "eselon": f.eselon},
    )
    nips = scoring_repository.export_nips(run.id, f.session, f.agency, f.eselon)
    record_subjects_from(db, entry, nips)
    return ScoresExport(event, run, norm, schema.columns(codes), codes, count, f)


def _check_filter(db: Session, event: Event, f: ExportFilter) -> None:
    """A session or agency the event does not have is a mistake, not an empty export."""
    if f.session and exams_repository.session_by_code(db, event.id, f.session) is None:
        raise ExportRefused(
            N_("Event %(event)s has no session %(session)s"), session=f.session, event=event.code
        )
    if f.agency and f.agency not in exams_repository.agency_codes_of_event(db, event.id):
        raise ExportRefused(
            N_("Event %(event)s has no agency %(agency)s"), agency=f.agency, event=event.code
        )


def _count(db: Session, run: ScoringRun, f: ExportFilter) -> int:
    query = (
        select(func.count())
        .select_from(ScoreRecord)
        .join(Participant, Participant.id == ScoreRecord.participant_id)
        .join(Agency, Agency.id == Participant.agency_id)
        .join(ExamSession, ExamSession.id == Participant.session_id)
        .where(ScoreRecord.run_id == run.id)
    )
    if f.session:
        query = query.where(ExamSession.code == f.session)
    if f.agency:
        query = query.where(Agency.code == f.agency)
    if f.eselon:
        query = query.where(eselon_is(Participant.eselon, f.eselon))
    return db.scalar(query) or 0


def _row(
    export: ScoresExport,
    record_: ScoreRecord,
    participant: Participant,
    agency: Agency,
    exam_session: ExamSession,
    journal_head: str | None,
) -> dict[str, Any]:
    context = {
        "scoring_run_id": str(export.run.id),
        "scoring_run_number": export.run.number,
        "norm_id": str(export.norm.id),
        "norm": f"{export.norm.name} v{export.norm.version}",
        "event_code": export.event.code,
        "event_name": export.event.name,
        "session_code": exam_session.code,
        "nip": participant.nip,
        "name": participant.name,
        "agency_code": agency.code,
        "agency_name": agency.name,
        "position": participant.position,
        "eselon": participant.eselon,
        "attempt_status": record_.attempt_status,
        "journal_head": journal_head or None,  # no attempt, or no answer saved
    }
    composite = {
        "composite": record_.composite,
        "composite_t": record_.composite_t,
        "composite_percentile": record_.composite_percentile,
        "composite_se_z": record_.composite_se_z,
        "stanine": record_.stanine,
        "potency_level": record_.level,
        # no level (absent, not finished): no band, so no edge either — empty, not false
        "near_band_edge": record_.near_band_edge if record_.level is not None else None,
    }
    modes = export.run.settings.get("modes")  # runs before adaptive scoring: all fixed
    return schema.row(context, record_.subtests, export.codes, composite, modes)
