"""All scoring queries."""

import uuid
from collections.abc import Iterator
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from app.bank.models import Item, ItemVersion
from app.delivery.models import AdaptiveStep, Answer, Attempt, PurgedAttempt
from app.exams.eselon import eselon_is
from app.exams.models import (
    Agency,
    BlueprintSection,
    Event,
    ExamSession,
    Form,
    FormItem,
    Participant,
)
from app.scoring.models import (
    KeyCorrection,
    NeutralisedItem,
    Norm,
    NormEntry,
    ParameterEntry,
    ParameterSet,
    ScoreRecord,
    ScoringRun,
    SelfViewLogin,
)

# (participant, attempt, attempt status, item version, option): outer joins leave None
Response = tuple[uuid.UUID, uuid.UUID | None, str | None, uuid.UUID, str | None]
Row = TypeVar("Row", bound=tuple[Any, ...])


def responses(db: Session, event_id: uuid.UUID) -> Iterator[Response]:
    """(participant, attempt, status, version, option) for every drawn item of every
    participant of the event, in one streamed query."""
    query = (
        select(
            Participant.id, Attempt.id, Attempt.status, FormItem.item_version_id, Answer.option_id
        )
        .join(Form, Form.participant_id == Participant.id)
        .join(FormItem, FormItem.form_id == Form.id)
        .outerjoin(Attempt, Attempt.participant_id == Participant.id)
        .outerjoin(
            Answer, and_(Answer.attempt_id == Attempt.id, Answer.position == FormItem.position)
        )
        .where(Participant.event_id == event_id)
        .order_by(Participant.id, FormItem.position)
    )
    yield from db.execute(query).tuples()


# (participant, attempt, attempt status, item version, option, section position)
AdaptiveResponse = tuple[uuid.UUID, uuid.UUID, str, uuid.UUID, str | None, int]


def adaptive_responses(db: Session, event_id: uuid.UUID) -> Iterator[AdaptiveResponse]:
    """The answered items of every adaptive section (delivery_adaptive_step; not in the
    form's table, so `responses` does not see them), with the option chosen. An item chosen
    but not answered (the section's time ran out on it) carries no response and is left out."""
    query = (
        select(
            Participant.id,
            Attempt.id,
            Attempt.status,
            AdaptiveStep.item_version_id,
            Answer.option_id,
            AdaptiveStep.section_position,
        )
        .join(Attempt, Attempt.id == AdaptiveStep.attempt_id)
        .join(Participant, Participant.id == Attempt.participant_id)
        .outerjoin(
            Answer,
            and_(Answer.attempt_id == Attempt.id, Answer.position == AdaptiveStep.position),
        )
        .where(Participant.event_id == event_id, AdaptiveStep.response.is_not(None))
        .order_by(Participant.id, AdaptiveStep.position)
    )
    yield from db.execute(query).tuples()


def adaptive_sections(db: Session, event_id: uuid.UUID) -> list[BlueprintSection]:
    """The event's adaptive sections, in the test's order."""
    query = (
        select(BlueprintSection)
        .where(BlueprintSection.event_id == event_id, BlueprintSection.mode == "adaptive")
        .order_by(BlueprintSection.position)
    )
    return list(db.scalars(query))


def subtest_modes(db: Session, event_id: uuid.UUID) -> dict[str, str]:
    """Each subtest of the blueprint: "fixed", "adaptive" or "mixed" (in both kinds of
    section)."""
    query = select(BlueprintSection.subtest_code, BlueprintSection.mode).where(
        BlueprintSection.event_id == event_id
    )
    kinds: dict[str, set[str]] = {}
    for code, mode in db.execute(query).tuples():
        kinds.setdefault(code, set()).add(mode)
    return {code: "mixed" if len(m) > 1 else next(iter(m)) for code, m in kinds.items()}


def answers_purged(db: Session, event_id: uuid.UUID) -> bool:
    """Whether the retention purge removed answers of this event (app/privacy)."""
    query = (
        select(PurgedAttempt.attempt_id)
        .join(Attempt, Attempt.id == PurgedAttempt.attempt_id)
        .join(Participant, Participant.id == Attempt.participant_id)
        .where(Participant.event_id == event_id)
        .limit(1)
    )
    return db.scalar(query) is not None


def participants_with_eselon(db: Session, event_id: uuid.UUID, level: str) -> set[uuid.UUID]:
    query = select(Participant.id).where(
        Participant.event_id == event_id, eselon_is(Participant.eselon, level)
    )
    return set(db.scalars(query))


def participants_matching(
    db: Session,
    event_id: uuid.UUID,
    session: str | None,
    agency: str | None,
    eselon: str | None,
    run_number: int | None,
) -> set[uuid.UUID]:
    """The event's participants in this session / agency / eselon, scored in this run."""
    query = (
        select(Participant.id)
        .join(ExamSession, ExamSession.id == Participant.session_id)
        .join(Agency, Agency.id == Participant.agency_id)
        .where(Participant.event_id == event_id)
    )
    query = _narrowed(query, session, agency, eselon)
    if run_number is not None:
        query = (
            query.join(ScoreRecord, ScoreRecord.participant_id == Participant.id)
            .join(ScoringRun, ScoringRun.id == ScoreRecord.run_id)
            .where(ScoringRun.event_id == event_id, ScoringRun.number == run_number)
        )
    return set(db.scalars(query))


def groups_of(db: Session, event_id: uuid.UUID) -> dict[uuid.UUID, tuple[str, str]]:
    """Each participant's NIP and agency code (the DIF groups: sex, province)."""
    query = (
        select(Participant.id, Participant.nip, Agency.code)
        .join(Agency, Agency.id == Participant.agency_id)
        .where(Participant.event_id == event_id)
    )
    return {pid: (nip, code) for pid, nip, code in db.execute(query).tuples()}


def participants(db: Session, event_id: uuid.UUID) -> list[uuid.UUID]:
    return list(db.scalars(select(Participant.id).where(Participant.event_id == event_id)))


def neutralised(db: Session, event_id: uuid.UUID) -> list[NeutralisedItem]:
    return list(db.scalars(select(NeutralisedItem).where(NeutralisedItem.event_id == event_id)))


def key_corrections(db: Session, event_id: uuid.UUID) -> dict[uuid.UUID, KeyCorrection]:
    query = select(KeyCorrection).where(KeyCorrection.event_id == event_id)
    return {k.item_version_id: k for k in db.scalars(query)}


def runs(db: Session, event_id: uuid.UUID) -> list[ScoringRun]:
    query = select(ScoringRun).where(ScoringRun.event_id == event_id).order_by(ScoringRun.number)
    return list(db.scalars(query))


def next_run_number(db: Session, event_id: uuid.UUID) -> int:
    query = select(func.max(ScoringRun.number)).where(ScoringRun.event_id == event_id)
    return (db.scalar(query) or 0) + 1


def selfview_login(db: Session, token_hash: str) -> SelfViewLogin | None:
    """The self-view login behind a cookie, if it was not ended (expiry is the caller's)."""
    query = select(SelfViewLogin).where(
        SelfViewLogin.token_hash == token_hash, SelfViewLogin.ended_at.is_(None)
    )
    return db.scalar(query)


def published_run(db: Session, event_id: uuid.UUID) -> ScoringRun | None:
    query = (
        select(ScoringRun)
        .where(ScoringRun.event_id == event_id, ScoringRun.published_at.is_not(None))
        .order_by(ScoringRun.published_at.desc())
        .limit(1)
    )
    return db.scalar(query)


def norms(db: Session) -> list[Norm]:
    return list(db.scalars(select(Norm).order_by(Norm.name, Norm.version)))


def norm_entries(db: Session, norm_id: uuid.UUID) -> dict[str, NormEntry]:
    query = select(NormEntry).where(NormEntry.norm_id == norm_id)
    return {e.subtest_code: e for e in db.scalars(query)}


def next_norm_version(db: Session, name: str) -> int:
    return (db.scalar(select(func.max(Norm.version)).where(Norm.name == name)) or 0) + 1


def records(db: Session, run_id: uuid.UUID) -> list[ScoreRecord]:
    return list(db.scalars(select(ScoreRecord).where(ScoreRecord.run_id == run_id)))


def export_rows(
    db: Session,
    run_id: uuid.UUID,
    session_code: str | None = None,
    agency_code: str | None = None,
    eselon: str | None = None,
    batch: int = 1000,
) -> Iterator[tuple[ScoreRecord, Participant, Agency, ExamSession, str | None]]:
    """Score records with their participant, agency, session and the head of their
    attempt's answer journal (None: no attempt), streamed in batches so an export of a
    million rows keeps a flat memory."""
    query = (
        select(ScoreRecord, Participant, Agency, ExamSession, Attempt.journal_head)
        .join(Participant, Participant.id == ScoreRecord.participant_id)
        .join(Agency, Agency.id == Participant.agency_id)
        .join(ExamSession, ExamSession.id == Participant.session_id)
        .outerjoin(Attempt, Attempt.participant_id == Participant.id)
        .where(ScoreRecord.run_id == run_id)
        .order_by(Participant.nip)
        .execution_options(yield_per=batch)
    )
    yield from db.execute(_narrowed(query, session_code, agency_code, eselon)).tuples()


def export_nips(
    run_id: uuid.UUID, session_code: str | None, agency_code: str | None, eselon: str | None
) -> Select[tuple[str]]:
    """The NIPs `export_rows` yields, as a query (the audit log indexes the export by them)."""
    query = (
        select(Participant.nip)
        .join(ScoreRecord, ScoreRecord.participant_id == Participant.id)
        .join(Agency, Agency.id == Participant.agency_id)
        .join(ExamSession, ExamSession.id == Participant.session_id)
        .where(ScoreRecord.run_id == run_id)
    )
    return _narrowed(query, session_code, agency_code, eselon)


def _narrowed(
    query: Select[Row], session: str | None, agency: str | None, eselon: str | None
) -> Select[Row]:
    """A query over participants (joined to their session and agency) narrowed to one
    session, agency and eselon level, each when given."""
    if session:
        query = query.where(ExamSession.code == session)
    if agency:
        query = query.where(Agency.code == agency)
    if eselon:
        query = query.where(eselon_is(Participant.eselon, eselon))
    return query


def parameter_entries(db: Session, set_id: uuid.UUID) -> dict[uuid.UUID, ParameterEntry]:
    """A parameter set's estimates by item version."""
    query = select(ParameterEntry).where(ParameterEntry.set_id == set_id)
    return {entry.item_version_id: entry for entry in db.scalars(query)}


def parameter_set(db: Session, set_id: uuid.UUID | None) -> ParameterSet | None:
    return db.get(ParameterSet, set_id) if set_id else None


def norm(db: Session, norm_id: uuid.UUID) -> Norm | None:
    return db.get(Norm, norm_id)


def participants_by_id(db: Session, event_id: uuid.UUID) -> dict[uuid.UUID, Participant]:
    query = select(Participant).where(Participant.event_id == event_id)
    return {p.id: p for p in db.scalars(query)}


def parameter_sets(db: Session) -> list[ParameterSet]:
    query = select(ParameterSet).order_by(ParameterSet.name, ParameterSet.version.desc())
    return list(db.scalars(query))


def parameter_set_named(db: Session, name: str, version: int | None = None) -> ParameterSet | None:
    """Version `version` of the set `name`, or its latest."""
    query = select(ParameterSet).where(ParameterSet.name == name)
    if version is not None:
        query = query.where(ParameterSet.version == version)
    return db.scalar(query.order_by(ParameterSet.version.desc()).limit(1))


def version_codes(db: Session, version_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """'CODE vN' of each item version, as item analysis names them."""
    query = (
        select(ItemVersion.id, Item.code, ItemVersion.version)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(ItemVersion.id.in_(version_ids))
    )
    return {vid: f"{code} v{version}" for vid, code, version in db.execute(query)}


def runs_with_parameters(db: Session, set_id: uuid.UUID) -> list[tuple[ScoringRun, str]]:
    """The scoring runs that used a parameter set, with their event's code."""
    query = (
        select(ScoringRun, Event.code)
        .join(Event, Event.id == ScoringRun.event_id)
        .where(ScoringRun.parameter_set_id == set_id)
        .order_by(Event.code, ScoringRun.number)
    )
    return [(run, code) for run, code in db.execute(query)]
