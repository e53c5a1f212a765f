"""`proasn data purge`: remove what has passed its retention period (config/retention.yaml).

Order: answers and journals of settled events first, then technical logs, released
talent-box runs and the imports no kept run uses, and last the identity of registrations
(pseudonymised; their scores stay, unlinked). Each batch is one transaction — all of it or
none — with its own audit row holding counts only, never a NIP or a name: the audit log is
append-only and outlives the data, so it must not become a copy of what was purged.

Never touched: an event whose results are not published (or that has a newer, unpublished
run), a talent-box run that is not released, and an event whose results a kept talent-box
import still names."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.kit import clock
from app.privacy import holders, repository
from app.privacy.retention import Retention

UnitOfWork = Callable[[], AbstractContextManager[Session]]
KINDS = ("answers", "technical_logs", "talentbox", "identity")
# Kinds whose data an optional module keeps and purges itself (app/privacy/holders.py).
HELD_ELSEWHERE = ("talentbox",)


@dataclass
class KindReport:
    kind: str
    cut_off: datetime
    counts: dict[str, int] = field(default_factory=dict)  # table or item → rows
    batches: int = 0
    held_back: dict[str, int] = field(default_factory=dict)  # reason → events or runs

    def add(self, counts: dict[str, int]) -> None:
        self.batches += 1
        for name, n in counts.items():
            self.counts[name] = self.counts.get(name, 0) + n


@dataclass
class PurgeReport:
    dry_run: bool
    at: datetime
    kinds: list[KindReport] = field(default_factory=list)
    failed: str | None = None  # the batch that failed (rolled back) and why; later ones not run

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "at": self.at.isoformat(),
            "failed": self.failed,
            "kinds": [
                {
                    "kind": k.kind,
                    "cut_off": k.cut_off.isoformat(),
                    "batches": k.batches,
                    "removed" if not self.dry_run else "would_remove": k.counts,
                    "held_back": k.held_back,
                }
                for k in self.kinds
            ],
        }


@dataclass(frozen=True)
class Batch:
    kind: str
    part: str  # the table or step within the kind
    ids: list[Any]


def run_purge(
    unit_of_work: UnitOfWork,
    retention: Retention,
    actor: Actor,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> PurgeReport:
    """Kind by kind (in KINDS' order), plan, then remove batch by batch, each batch committed
    on its own. A kind is planned only once the kinds before it ran, so what they freed counts
    (the identity of an event the talent box named until its rows went this run is
    pseudonymised in the same run, not the next: an outside check found that). A dry run
    removes nothing, so it cannot see what earlier kinds would free. A failing batch is rolled
    back whole and stops the purge; the report says which and why."""
    now = clock.now()
    report = PurgeReport(dry_run, now)
    done = planned = 0
    for kind in KINDS:
        kind_report = KindReport(kind, retention.cut_off(kind, now))
        report.kinds.append(kind_report)
        with unit_of_work() as db:
            batches = list(_batches(db, kind_report, retention.batch_size))
        planned += len(batches)
        for batch in batches:
            try:
                with unit_of_work() as db:
                    counts = _remove(db, batch, now, dry_run)
                    if not dry_run:
                        _audit(db, actor, batch, kind_report, counts)
            except Exception as exc:  # noqa: BLE001 - reported, and the batch rolled back whole
                report.failed = f"{batch.kind}/{batch.part} ({len(batch.ids)}): {exc}"
                return report
            kind_report.add(counts)
            done += 1
            if progress:
                progress(done, planned)
    return report


def _batches(db: Session, report: KindReport, size: int) -> Iterator[Batch]:
    for part, ids in _candidates(db, report):
        for start in range(0, len(ids), size):
            yield Batch(report.kind, part, ids[start : start + size])


def _candidates(db: Session, report: KindReport) -> list[tuple[str, list[Any]]]:
    before = report.cut_off
    if report.kind == "technical_logs":
        return [(t, repository.old_log_ids(db, t, before)) for t in repository.TECHNICAL_LOGS]
    if report.kind in HELD_ELSEWHERE:
        parts: list[tuple[str, list[Any]]] = []
        for holder in holders.of_kind(report.kind):
            held_back, planned = holder.purge_plan(db, before)
            report.held_back.update(held_back)
            parts += planned
        return parts
    settled = repository.settled_events(db)
    report.held_back["events_not_published"] = repository.unsettled_event_count(db)
    published = {event.id: at for event, at in settled if at < before}
    due = list(published)
    report.held_back["events_within_period"] = len(settled) - len(due)
    if report.kind == "answers":
        return [("attempts", repository.attempts_to_purge(db, published))]
    held = _events_held_by_talentbox(db, due)
    report.held_back["events_named_by_talentbox"] = len(held)
    free = {e: at for e, at in published.items() if e not in held}
    return [("participants", repository.participants_to_pseudonymise(db, free))]


def _events_held_by_talentbox(db: Session, event_ids: list[Any]) -> set[Any]:
    """Events whose scoring runs the talent box still names (its rules still need the result
    linked to the person)."""
    runs = repository.scoring_runs_of(db, event_ids)
    named: set[str] = set()
    for holder in holders.of_kind("talentbox"):
        named |= holder.scoring_runs_named(db, list(runs))
    return {runs[r] for r in named}


def _remove(db: Session, batch: Batch, now: datetime, dry_run: bool) -> dict[str, int]:
    ids: Sequence[Any] = batch.ids
    if batch.kind == "answers":
        counts = repository.answer_counts(db, ids)
        if not dry_run:
            repository.delete_answers(db, ids, now)
        return counts
    if batch.kind == "technical_logs":
        if not dry_run:
            repository.delete_log_rows(db, batch.part, ids)
        return {batch.part: len(ids)}
    if batch.kind in HELD_ELSEWHERE:
        (holder,) = holders.of_kind(batch.kind)
        return holder.purge(db, batch.part, ids, dry_run)
    if not dry_run:
        repository.pseudonymise(db, ids, now)
    return {"registrations_pseudonymised": len(ids)}


def _audit(
    db: Session, actor: Actor, batch: Batch, report: KindReport, counts: dict[str, int]
) -> None:
    # Counts only: the removed rows' NIPs would otherwise live on in the append-only log.
    record(
        db,
        actor,
        "privacy.purge",
        target_type="retention",
        target_label=f"{batch.kind}/{batch.part}",
        reason=f"retensi habis sebelum {report.cut_off.date().isoformat()}",
        cut_off=report.cut_off,
        removed=counts,
    )
