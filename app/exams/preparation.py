"""Preparing exam sessions: drawing every participant's form before the session opens,
so that starting an exam costs little and every form can be reproduced later."""

import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from app.bank import repository as bank_repository
from app.bank.models import ItemVersion
from app.bank.points import item_maximum
from app.exams import adaptive_pools, repository
from app.exams.forms import DrawnItem, PoolItem, SectionSpec, check_satisfiable, draw_form
from app.exams.models import BlueprintSection, Event, ExamSession, Form, Participant
from app.i18n import N_, translate
from app.kit import clock

Progress = Callable[[int], None]

OPENED_STATUSES = ("open", "closed")


class SessionNotPreparable(ValueError):
    pass


@dataclass
class PrepareReport:
    forms_drawn: dict[str, int] = field(default_factory=dict)  # session code → forms drawn


def section_specs(sections: Sequence[BlueprintSection]) -> list[SectionSpec]:
    return [
        SectionSpec(
            s.position, s.title, s.subtest_code, s.theme, s.item_count, s.mode == "adaptive"
        )
        for s in sections
    ]


def pools_for(db: Session, specs: Sequence[SectionSpec], at: datetime) -> dict[int, list[PoolItem]]:
    """The fixed sections' pools at `at` (an adaptive section draws nothing: empty)."""

    def versions(spec: SectionSpec) -> list[tuple[ItemVersion, str]]:
        if spec.adaptive:
            return []
        return bank_repository.pool_as_of(db, spec.subtest, spec.theme, at)

    return {
        spec.position: [
            PoolItem(
                v.id,
                code,
                tuple(o["id"] for o in v.options),
                v.shuffle_options,
                v.subtest_code,
                item_maximum(v),
            )
            for v, code in versions(spec)
        ]
        for spec in specs
    }


def blueprint_problems(db: Session, specs: Sequence[SectionSpec]) -> list[str]:
    """Why the bank as it is now cannot satisfy these sections (empty when it can)."""
    return check_satisfiable(specs, pools_for(db, specs, clock.now()))


def draw_forms(
    db: Session,
    event: Event,
    participants: Sequence[Participant],
    progress: Progress | None = None,
) -> int:
    """Draw and store a form for each participant (who must not have one yet)."""
    if not participants:
        return 0
    specs = section_specs(repository.sections(db, event.id))
    now = clock.now()
    adaptive_pools.ensure_pools(db, event, now)
    pools = pools_for(db, specs, now)
    in_pool = {item.version_id: item for pool in pools.values() for item in pool}
    positions = sum(spec.item_count for spec in specs)  # an adaptive section's reserved too
    used_versions: set[uuid.UUID] = set()
    for participant in participants:
        seed = secrets.randbits(63)
        drawn = draw_form(seed, specs, pools, event.shuffle_items, event.shuffle_options)
        totals = subtest_totals(drawn, in_pool)
        _store_form(db, participant, event, seed, drawn, now, positions, totals)
        used_versions.update(d.version_id for d in drawn)
        if progress:
            progress(1)
    bank_repository.freeze_versions(db, used_versions, now)
    db.flush()
    return len(participants)


def subtest_totals(
    drawn: Sequence[DrawnItem], in_pool: dict[uuid.UUID, PoolItem]
) -> dict[str, list[int]]:
    """{subtest: [items, maximum]} of a drawn form (stored with it for scoring)."""
    totals: dict[str, list[int]] = {}
    for d in drawn:
        item = in_pool[d.version_id]
        total = totals.setdefault(item.subtest, [0, 0])
        total[0] += 1
        total[1] += item.maximum
    return totals


def _store_form(
    db: Session,
    participant: Participant,
    event: Event,
    seed: int,
    drawn: Sequence[DrawnItem],
    now: datetime,
    positions: int,
    totals: dict[str, list[int]] | None = None,
) -> None:
    form = Form(
        participant_id=participant.id,
        seed=seed,
        blueprint_hash=event.blueprint_hash,
        item_count=positions,
        drawn_at=now,
        subtest_totals=totals,
    )
    db.add(form)
    db.flush()
    repository.add_form_items(
        db,
        [
            {
                "form_id": form.id,
                "position": d.position,
                "section_position": d.section_position,
                "item_version_id": d.version_id,
                "option_order": list(d.option_order),
            }
            for d in drawn
        ],
    )


def prepare_sessions(
    db: Session,
    event: Event,
    session_codes: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> PrepareReport:
    """Draw the missing forms of the chosen sessions (all by default) and mark them prepared."""
    report = PrepareReport()
    chosen = _chosen_sessions(db, event, session_codes)
    now = clock.now()
    for exam_session in chosen:
        waiting = repository.participants_without_form(db, exam_session.id)
        report.forms_drawn[exam_session.code] = draw_forms(db, event, waiting, progress)
        if exam_session.status == "planned":
            exam_session.status = "prepared"
            exam_session.prepared_at = now
    if any(report.forms_drawn.values()):
        event.version += 1  # new forms: a site's package made before lacks them
    db.flush()
    return report


def _chosen_sessions(
    db: Session, event: Event, session_codes: Sequence[str] | None
) -> list[ExamSession]:
    all_sessions = repository.sessions(db, event.id)
    if session_codes is None:
        return [s for s in all_sessions if s.status != "closed"]
    by_code = {s.code: s for s in all_sessions}
    unknown = [c for c in session_codes if c not in by_code]
    if unknown:
        message = N_("unknown sessions: %(codes)s")
        raise SessionNotPreparable(translate(message, {"codes": ", ".join(unknown)}))
    closed = [c for c in session_codes if by_code[c].status == "closed"]
    if closed:
        message = N_("sessions already closed: %(codes)s")
        raise SessionNotPreparable(translate(message, {"codes": ", ".join(closed)}))
    return [by_code[c] for c in session_codes]


def reproduce_form(db: Session, event: Event, form: Form) -> list[DrawnItem]:
    """Draw the form again from its seed and the bank as it was when it was drawn."""
    specs = section_specs(repository.sections(db, event.id))
    pools = pools_for(db, specs, form.drawn_at)
    return draw_form(form.seed, specs, pools, event.shuffle_items, event.shuffle_options)
