"""Creating or updating an exam event from an event file and a participant list.

Everything is checked before anything is written; the caller commits once. Any problem —
in the event file, the bank, or any participant row — rejects the whole import.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.adaptive.rules import pool_shortages
from app.config import get_settings
from app.exams import repository
from app.exams.adaptive_pools import pool_source
from app.exams.event_file import EventDoc, SectionDoc, SessionDoc
from app.exams.forms import SectionSpec
from app.exams.models import (
    Agency,
    AgencyQuota,
    BlueprintSection,
    Event,
    ExamSession,
    Participant,
)
from app.exams.participant_file import FileProblem, Row
from app.exams.preparation import (
    OPENED_STATUSES,
    Progress,
    blueprint_problems,
    draw_forms,
)
from app.exams.registration import Registration, Seats, check_rows, over_limits
from app.i18n import N_, translate
from app.kit import clock
from app.kit.errors import Refusal
from app.kit.secrets_gen import hash_access_code, hash_pin, new_pin, unambiguous_code


class EventImportRejected(Exception):
    """Nothing was imported; `setup_problems` are about the event, `row_problems` about rows."""

    def __init__(self, setup_problems: list[str], row_problems: list[FileProblem]) -> None:
        count = len(setup_problems) + len(row_problems)
        super().__init__(translate(N_("%(count)s errors; nothing imported"), {"count": count}))
        self.setup_problems = setup_problems
        self.row_problems = row_problems


@dataclass(frozen=True)
class IssuedCode:
    nip: str
    name: str
    session_code: str
    access_code: str  # "" for a participant who only got a PIN (login_pin switched on)
    pin: str | None = None  # the login PIN, when the event asks for one


@dataclass
class EventImportReport:
    event_created: bool = False
    sessions_created: list[str] = field(default_factory=list)
    participants_created: int = 0
    participants_updated: int = 0
    participants_moved: int = 0
    participants_not_in_file: int = 0
    forms_redrawn: int = 0
    forms_drawn: int = 0
    issued_codes: list[IssuedCode] = field(default_factory=list)


def import_event(
    db: Session,
    doc: EventDoc,
    rows: Sequence[Row],
    redraw: bool = False,
    progress: Progress | None = None,
) -> EventImportReport:
    """Create or update the event `doc.code` with its participants, all or nothing."""
    event = repository.event_by_code(db, doc.code)
    existing_sessions = {s.code: s for s in repository.sessions(db, event.id)} if event else {}
    existing = {p.nip: p for p in repository.participants(db, event.id)} if event else {}
    setup_problems = _blueprint_problems(db, doc)
    stale_sessions, redraw_problems = _stale_sessions(db, event, doc, existing_sessions, redraw)
    setup_problems += redraw_problems
    seats = _seats(db, doc, existing_sessions, existing, rows)
    registrations, row_problems = check_rows(rows, seats, clock.now().date())
    setup_problems += over_limits(registrations, seats)
    if setup_problems or row_problems:
        raise EventImportRejected(setup_problems, row_problems)

    report = EventImportReport(event_created=event is None)
    event = _upsert_event(db, event, doc)
    agencies = _upsert_agencies(db, event, doc)
    sessions = _upsert_sessions(db, event, doc, existing_sessions, report)
    if stale_sessions:
        repository.delete_forms_of_sessions(db, [s.id for s in stale_sessions])
    _register(db, event, registrations, existing, agencies, sessions, report)
    report.participants_not_in_file = len(set(existing) - {r.nip for r in registrations})
    db.flush()
    report.forms_redrawn, report.forms_drawn = _draw_needed_forms(
        db, event, sessions, stale_sessions, progress
    )
    return report


def _blueprint_problems(db: Session, doc: EventDoc) -> list[str]:
    sections = list(enumerate(doc.blueprint.sections, start=1))
    specs = [
        SectionSpec(i, s.title, s.subtest, s.theme, s.item_count)
        for i, s in sections
        if s.mode == "fixed"
    ]
    problems = blueprint_problems(db, specs)
    for i, section in sections:
        if section.adaptive is not None:
            problems += _adaptive_problems(db, i, section)
    return [f"blueprint: {p}" for p in problems]


# Delivery serves adaptive sections (delivery/adaptive.py). Off, an event with one is checked
# in full and then refused (the switch a rollback would turn off).
ADAPTIVE_DELIVERY = True


def _adaptive_problems(db: Session, position: int, section: SectionDoc) -> list[str]:
    """Why the bank's pool cannot serve this adaptive section, each naming the section and
    the field a fix would change."""
    assert section.adaptive is not None
    where = translate(
        N_("section %(position)s (%(title)s)"), {"position": position, "title": section.title}
    )
    try:
        source = pool_source(db, section.subtest, section.adaptive, clock.now())
    except Refusal as exc:  # the parameter set named is not found
        return [f"{where} adaptive.parameters: {exc.message}"]
    counts, unparametrised = source.counts(), source.unparametrised
    problems = [
        f"{where} {s.field}: {s.message}" for s in pool_shortages(section.adaptive.rules(), counts)
    ]
    if unparametrised:
        shown = ", ".join(unparametrised[:5]) + (" …" if len(unparametrised) > 5 else "")
        missing = {"count": len(unparametrised), "shown": shown, "set": source.parameters}
        message = (
            N_(
                "%(count)s pool items without IRT parameters (%(shown)s); an adaptive section "
                "needs the parameters of every item in set %(set)s"
            )
            if source.parameters
            else N_(
                "%(count)s pool items without IRT parameters (%(shown)s); an adaptive section "
                "needs the parameters of every item"
            )
        )
        problems.append(f"{where} adaptive.themes: {translate(message, missing)}")
    if not ADAPTIVE_DELIVERY:
        later = translate(N_("adaptive sections are switched off on this server"))
        problems.append(f"{where} mode: {later}")
    return problems


def _stale_sessions(
    db: Session,
    event: Event | None,
    doc: EventDoc,
    existing_sessions: dict[str, ExamSession],
    redraw: bool,
) -> tuple[list[ExamSession], list[str]]:
    """Sessions whose forms a blueprint change makes stale, and why the change is refused."""
    if event is None or event.blueprint_hash == doc.blueprint.canonical_hash():
        return [], []
    form_counts = repository.forms_by_session(db, event.id)
    with_forms = [s for s in existing_sessions.values() if form_counts.get(s.id)]
    opened = [s.code for s in with_forms if s.status in OPENED_STATUSES]
    if opened:
        message = N_(
            "blueprint changed, but sessions already opened must not be redrawn: %(codes)s"
        )
        return [], [translate(message, {"codes": ", ".join(opened)})]
    if with_forms and not redraw:
        codes = ", ".join(s.code for s in with_forms)
        message = N_(
            "blueprint changed and forms are already drawn for sessions %(codes)s; repeat "
            "with --redraw to redraw them"
        )
        return [], [translate(message, {"codes": codes})]
    return with_forms, []


def _seats(
    db: Session,
    doc: EventDoc,
    existing_sessions: dict[str, ExamSession],
    existing: dict[str, Participant],
    rows: Sequence[Row],
) -> Seats:
    capacity = {code: s.capacity for code, s in existing_sessions.items()}
    capacity.update({s.code: s.capacity for s in doc.sessions})
    agency_codes = {a.code.lower(): a.code for a in doc.agencies}
    agency_codes.update({a.name.strip().lower(): a.code for a in doc.agencies})
    in_file = {"".join(r.values.get("nip", "").split()) for r in rows}
    kept = _kept_seats(db, existing, existing_sessions, in_file)
    return Seats(
        session_capacity=capacity,
        agency_codes=agency_codes,
        agency_seats={a.code: a.seats for a in doc.agencies},
        kept=kept,
    )


def _kept_seats(
    db: Session,
    existing: dict[str, Participant],
    existing_sessions: dict[str, ExamSession],
    in_file: set[str],
) -> list[tuple[str, str]]:
    kept = [p for nip, p in existing.items() if nip not in in_file]
    if not kept:
        return []
    session_code = {s.id: code for code, s in existing_sessions.items()}
    agency_code = repository.agency_codes_by_id(db, {p.agency_id for p in kept})
    return [(session_code[p.session_id], agency_code[p.agency_id]) for p in kept]


def _upsert_event(db: Session, event: Event | None, doc: EventDoc) -> Event:
    now = clock.now()
    if event is None:
        event = Event(code=doc.code, created_at=now, version=0)
        db.add(event)
    event.version += 1  # every import may change what a site's package holds
    event.name = doc.name
    event.organiser = doc.organiser
    event.time_zone = doc.time_zone
    event.show_results_to_takers = doc.show_results_to_takers
    event.require_admission = doc.require_admission
    event.safe_exam_browser = (
        doc.safe_exam_browser.model_dump(mode="json") if doc.safe_exam_browser else None
    )
    event.login_pin = doc.login_pin
    event.total_time_minutes = doc.blueprint.total_time_minutes
    event.shuffle_items = doc.blueprint.shuffle_items
    event.shuffle_options = doc.blueprint.shuffle_options
    event.blueprint_hash = doc.blueprint.canonical_hash()
    event.updated_at = now
    db.flush()
    repository.delete_sections(db, event.id)
    db.add_all(
        BlueprintSection(
            event_id=event.id,
            position=position,
            title=s.title,
            subtest_code=s.subtest,
            theme=s.theme,
            item_count=s.item_count,
            mode=s.mode,
            adaptive=s.adaptive.model_dump(mode="json") if s.adaptive else None,
            time_limit_minutes=s.time_limit_minutes,
            instructions=s.instructions,
        )
        for position, s in enumerate(doc.blueprint.sections, start=1)
    )
    return event


def _upsert_agencies(db: Session, event: Event, doc: EventDoc) -> dict[str, Agency]:
    agencies = repository.agencies_by_code(db, [a.code for a in doc.agencies])
    for entry in doc.agencies:
        agency = agencies.get(entry.code)
        if agency is None:
            agency = agencies[entry.code] = Agency(code=entry.code, name=entry.name)
            db.add(agency)
        agency.name = entry.name
    db.flush()
    quotas = repository.quotas(db, event.id)
    for entry in doc.agencies:
        agency = agencies[entry.code]
        quota = quotas.get(agency.id)
        if quota is None:
            db.add(AgencyQuota(event_id=event.id, agency_id=agency.id, seats=entry.seats))
        else:
            quota.seats = entry.seats
    return agencies


def _upsert_sessions(
    db: Session,
    event: Event,
    doc: EventDoc,
    existing: dict[str, ExamSession],
    report: EventImportReport,
) -> dict[str, ExamSession]:
    sessions = dict(existing)
    token_length = get_settings().room_token_length
    for entry in doc.sessions:
        exam_session = sessions.get(entry.code)
        if exam_session is None:
            exam_session = ExamSession(
                event_id=event.id,
                code=entry.code,
                room_token=unambiguous_code(token_length),
                status="planned",
            )
            sessions[entry.code] = exam_session
            db.add(exam_session)
            report.sessions_created.append(entry.code)
        _apply_session(exam_session, doc, entry)
    db.flush()
    return sessions


def _apply_session(exam_session: ExamSession, doc: EventDoc, entry: SessionDoc) -> None:
    zone = doc.session_zone(entry)
    exam_session.venue = entry.venue
    exam_session.room = entry.room
    exam_session.time_zone = zone
    exam_session.starts_at = local_to_utc(entry.date, entry.start, zone)
    exam_session.capacity = entry.capacity


def local_to_utc(day: date, start: time, zone: str) -> datetime:
    """A room's local date and time → aware UTC (Indonesia has no daylight saving time)."""
    return datetime.combine(day, start, tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def _register(
    db: Session,
    event: Event,
    registrations: Sequence[Registration],
    existing: dict[str, Participant],
    agencies: dict[str, Agency],
    sessions: dict[str, ExamSession],
    report: EventImportReport,
) -> None:
    now = clock.now()
    code_length = get_settings().access_code_length
    for r in registrations:
        participant = existing.get(r.nip)
        session = sessions[r.session_code]
        code = ""
        if participant is None:
            code = unambiguous_code(code_length)
            participant = Participant(
                event_id=event.id,
                nip=r.nip,
                access_code_hash=hash_access_code(code),
                created_at=now,
            )
            db.add(participant)
            report.participants_created += 1
        else:
            # Moving to another session keeps the participant's form.
            report.participants_moved += participant.session_id != session.id
            report.participants_updated += 1
        # A PIN for everyone who has none while the event asks for one (also when a later
        # event file switches it on); the cards print new ones (proctoring.issue_cards).
        pin = new_pin() if event.login_pin and participant.login_pin_hash is None else None
        if pin is not None:
            participant.login_pin_hash = hash_pin(pin)
        if code or pin:
            report.issued_codes.append(IssuedCode(r.nip, r.name, r.session_code, code, pin))
        participant.name = r.name
        participant.agency_id = agencies[r.agency_code].id
        participant.position = r.position
        participant.eselon = r.eselon
        if r.extra_time_percent is not None:
            participant.extra_time_percent = r.extra_time_percent
        if r.large_print is not None:
            participant.large_print = r.large_print
        participant.session_id = session.id
        participant.updated_at = now


def _draw_needed_forms(
    db: Session,
    event: Event,
    sessions: dict[str, ExamSession],
    stale_sessions: Sequence[ExamSession],
    progress: Progress | None,
) -> tuple[int, int]:
    """Sessions already prepared (or opened) always have every form drawn: redraw stale ones
    and draw forms for participants newly registered into them."""
    stale_ids = {s.id for s in stale_sessions}
    redrawn = drawn = 0
    for exam_session in sessions.values():
        if exam_session.status == "planned":
            continue
        waiting = repository.participants_without_form(db, exam_session.id)
        count = draw_forms(db, event, waiting, progress)
        if exam_session.id in stale_ids:
            redrawn += count
        else:
            drawn += count
    return redrawn, drawn
