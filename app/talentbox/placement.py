"""A placement run: potency (scores export) × performance (SKP) [× profile components] → kotak.

Simple mode: potential level = the test's potency level; performance level = from the SKP
predicate. Weighted mode: both axes are weighted 0-100 scores (weighting.py) banded by the
configured bands. The inputs are read as streams sorted by NIP and merged, and placements are
written in batches, so memory stays flat however many officials are placed (bench/).
"""

import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from sqlalchemy import Row, insert
from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.kit import clock
from app.kit.errors import Refusal
from app.talentbox import repository, rules, weighting
from app.talentbox.models import (
    PerformanceImport,
    Placement,
    PlacementRun,
    PotencyImport,
    ProfileImport,
)
from app.talentbox.settings import POTENTIAL, TalentBoxSettings, load_settings
from app.web.templating import N_

PERFORMANCE_LEVELS = ("di_bawah", "sesuai", "di_atas")
BATCH = 5000
Mode = Literal["simple", "weighted"]
MODES: dict[str, Mode] = {"simple": "simple", "weighted": "weighted"}  # checks a stored one


class PlacementRefused(Refusal):
    status, code = 409, "placement_refused"


@dataclass(frozen=True)
class RunOptions:
    mode: Mode = "simple"
    profile_import_id: uuid.UUID | None = None  # weighted mode; None = no profile components
    include_unverified: bool = False  # rejected records never count
    missing_policy: weighting.MissingPolicy = "reweight"
    # Re-running a run: its profile records exactly as it used them (status and value then),
    # not as they are now.
    replay_of: uuid.UUID | None = None


@dataclass
class _Tally:
    only_potency: list[str] = field(default_factory=list)
    only_performance: list[str] = field(default_factory=list)
    only_profile: list[str] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)
    # A record's points depend only on its component and value: scored once per run.
    points: dict[tuple[str, str], float] = field(default_factory=dict)
    placed: int = 0
    profile_digest: Any = field(default_factory=hashlib.sha256)


def place(
    db: Session,
    actor: Actor,
    potency_import_id: uuid.UUID,
    performance_import_id: uuid.UUID,
    period: int,
    note: str = "",
    settings: TalentBoxSettings | None = None,
    options: RunOptions = RunOptions(),
    progress: Callable[[int], None] | None = None,
) -> PlacementRun:
    """A new placement run for everyone present on both sides; the one-sided NIPs are listed
    on the run. `progress(n)` is called as each batch of n people is written."""
    settings = settings or load_settings()
    run = _new_run(db, actor, potency_import_id, performance_import_id, period, note, options)
    run.settings = settings.model_dump(mode="json")
    tally = _Tally()
    batch: list[dict[str, Any]] = []
    for nip, potency, performance, records in _merged(db, run, options):
        row = _person(run, settings, options, tally, nip, potency, performance, records)
        if row is not None:
            batch.append(row)
        if len(batch) >= BATCH:
            _write(db, batch, tally, progress)
    _write(db, batch, tally, progress)
    run.only_potency, run.only_performance = tally.only_potency, tally.only_performance
    if options.mode == "weighted":
        keys = settings.weighted.potential | settings.weighted.performance
        run.missing_counts = {key: tally.missing.get(key, 0) for key in keys}
    if options.profile_import_id is not None:
        run.inputs = {**run.inputs, "profile_records": tally.profile_digest.hexdigest()}
        run.only_profile = tally.only_profile
    record(
        db,
        actor,
        "talentbox.place",
        target_type="talentbox_run",
        target_id=run.id,
        target_label=f"run {run.number}",
        period=period,
        mode=options.mode,
        placed=tally.placed,
        include_unverified=options.include_unverified,
        missing_policy=run.missing_policy,
        only_potency=len(run.only_potency),
        only_performance=len(run.only_performance),
    )
    db.flush()
    return run


def rerun(db: Session, actor: Actor, run: PlacementRun) -> PlacementRun:
    """Place again from a run's own inputs, options and stored settings (not today's config
    file), and from the profile records as that run used them (a record verified or rejected
    since does not count): every official must land in the same box."""
    options = RunOptions(
        mode=MODES[run.mode],
        profile_import_id=run.profile_import_id,
        include_unverified=run.include_unverified,
        missing_policy=weighting.POLICIES[run.missing_policy or "reweight"],
        replay_of=run.id if run.profile_import_id else None,
    )
    again = place(
        db,
        actor,
        run.potency_import_id,
        run.performance_import_id,
        run.period,
        note=f"ulang run {run.number}",
        settings=TalentBoxSettings.model_validate(run.settings),
        options=options,
    )
    if run.only_profile is not None:
        again.only_profile = list(run.only_profile)  # the replayed records are placed ones only
    return again


def _new_run(
    db: Session,
    actor: Actor,
    potency_import_id: uuid.UUID,
    performance_import_id: uuid.UUID,
    period: int,
    note: str,
    options: RunOptions,
) -> PlacementRun:
    potency_batch = db.get(PotencyImport, potency_import_id)
    performance_batch = db.get(PerformanceImport, performance_import_id)
    if potency_batch is None or performance_batch is None:
        raise PlacementRefused(N_("Input file not found"))
    if not repository.has_performance(db, performance_import_id, period):
        raise PlacementRefused(N_("No performance ratings for period %(period)s"), period=period)
    inputs = {"potency": potency_batch.checksum, "performance": performance_batch.checksum}
    if options.profile_import_id is not None:
        if options.mode != "weighted":
            raise PlacementRefused(N_("Profile components are used only in weighted mode"))
        profile = db.get(ProfileImport, options.profile_import_id)
        if profile is None:
            raise PlacementRefused(N_("Profile components file not found"))
        inputs["profile"] = profile.checksum
    weighted = options.mode == "weighted"
    run = PlacementRun(
        number=repository.next_run_number(db),
        mode=options.mode,
        period=period,
        potency_import_id=potency_import_id,
        performance_import_id=performance_import_id,
        profile_import_id=options.profile_import_id,
        include_unverified=weighted and options.include_unverified,
        missing_policy=options.missing_policy if weighted else None,
        inputs=inputs,
        settings={},
        only_potency=[],
        only_performance=[],
        created_at=clock.now(),
        created_by=actor.username,
        note=note,
    )
    db.add(run)
    db.flush()
    return run


def _merged(
    db: Session, run: PlacementRun, options: RunOptions
) -> Iterator[tuple[str, Row[Any] | None, Row[Any] | None, list[Any]]]:
    """(nip, potency row, performance row, profile records) for every NIP on any side."""
    # three kinds of row: potency, SKP, then profile records (stored ones or as a run used them)
    streams: list[Iterable[Any]] = [
        repository.potency_stream(db, run.potency_import_id),
        repository.performance_stream(db, run.performance_import_id, run.period),
    ]
    if options.replay_of is not None:
        streams.append(repository.used_records_stream(db, options.replay_of))
    elif options.profile_import_id is not None:
        statuses = ["verified", "unverified"] if options.include_unverified else ["verified"]
        streams.append(repository.profile_stream(db, options.profile_import_id, statuses))
    for nip, groups in merge_by_nip(streams):
        potency = groups[0][0] if groups[0] else None
        performance = groups[1][0] if groups[1] else None
        yield nip, potency, performance, groups[2] if len(groups) > 2 else []


class HasNip(Protocol):
    @property
    def nip(self) -> str: ...


Keyed = TypeVar("Keyed", bound=HasNip)


def merge_by_nip(streams: Sequence[Iterable[Keyed]]) -> Iterator[tuple[str, list[list[Keyed]]]]:
    """Outer merge of streams sorted by their `nip`: each NIP once, with its rows per stream."""
    iterators = [iter(s) for s in streams]
    heads = [next(it, None) for it in iterators]
    while any(h is not None for h in heads):
        nip = min(h.nip for h in heads if h is not None)
        groups: list[list[Keyed]] = []
        for index, iterator in enumerate(iterators):
            rows = []
            head = heads[index]
            while head is not None and head.nip == nip:
                rows.append(head)
                head = next(iterator, None)
            heads[index] = head
            groups.append(rows)
        yield nip, groups


def _person(
    run: PlacementRun,
    settings: TalentBoxSettings,
    options: RunOptions,
    tally: _Tally,
    nip: str,
    potency: Row[Any] | None,
    performance: Row[Any] | None,
    records: list[Any],
) -> dict[str, Any] | None:
    if potency is None or performance is None:
        if potency is not None:
            tally.only_potency.append(nip)
        elif performance is not None:
            tally.only_performance.append(nip)
        else:
            tally.only_profile.append(nip)
        return None
    if potency.potency_level is None or (
        options.mode == "weighted" and potency.composite_percentile is None
    ):  # not assessed: listed with the one-sided NIPs
        tally.only_performance.append(nip)
        return None
    components: dict[str, Any] = {
        "potency": {
            "event": potency.event_code,
            "scoring_run_id": potency.scoring_run_id,
            "level": potency.potency_level,
            "composite_percentile": potency.composite_percentile,
        },
        "performance": {
            "period": performance.period,
            "predicate": performance.predicate,
            "rating_results": performance.rating_results,
            "rating_behaviour": performance.rating_behaviour,
        },
    }
    scores: tuple[float | None, float | None] = (None, None)
    if options.mode == "weighted":
        weighted = weighted_axes(
            settings, options.missing_policy, potency, performance, records, tally.points
        )
        components["weighted"] = weighted
        _digest_used(tally, weighted)
        for axis in ("potential", "performance"):
            for key in weighted[axis]["missing"]:
                tally.missing[key] = tally.missing.get(key, 0) + 1
        potential, performing = weighted["potential"]["score"], weighted["performance"]["score"]
        scores = (potential, performing)
        potential_level = weighting.band(settings.weighted.bands, potential, POTENTIAL)
        performance_level = weighting.band(settings.weighted.bands, performing, PERFORMANCE_LEVELS)
    else:
        potential_level = potency.potency_level
        performance_level = rules.performance_level(settings, performance.predicate)
    number = rules.box(settings, potential_level, performance_level)
    return {
        "run_id": run.id,
        "nip": nip,
        "name": potency.name,
        "agency_code": potency.agency_code,
        "agency_name": potency.agency_name,
        "eselon": potency.eselon,
        "potential_level": potential_level,
        "performance_level": performance_level,
        "predicate": performance.predicate,
        "potential_score": scores[0],
        "performance_score": scores[1],
        "box": number,
        "groups": rules.groups_of(settings, number),
        "recommendation": settings.recommendations[number],
        "components": components,
    }


def _digest_used(tally: _Tally, weighted: dict[str, Any]) -> None:
    """The run's checksum of the profile records it used (same whatever order they came in)."""
    used = sorted(
        (record_id, key, value, status)
        for axis in ("potential", "performance")
        for key, detail in weighted[axis]["components"].items()
        for record_id, value, status in detail["records"]
    )
    for record_id, key, value, status in used:
        tally.profile_digest.update(f"{record_id}|{key}|{value}|{status}\n".encode())


def weighted_axes(
    settings: TalentBoxSettings,
    policy: weighting.MissingPolicy,
    potency: Any,
    performance: Any,
    records: list[Any],
    cache: dict[tuple[str, str], float] | None = None,
) -> dict[str, Any]:
    """Both axes' scores with every component's score (None = missing) and the records used."""
    cache = {} if cache is None else cache
    config = settings.weighted
    by_component: dict[str, list[Any]] = {}
    for r in records:
        by_component.setdefault(r.component, []).append(r)
    result: dict[str, Any] = {"policy": policy}
    for axis, components in (("potential", config.potential), ("performance", config.performance)):
        scores: dict[str, float | None] = {}
        detail = {}
        for key, component in components.items():
            used = by_component.get(key, []) if component.source == "profile" else []
            if component.source == "test":
                scores[key] = potency.composite_percentile
            elif component.source == "skp":
                scores[key] = settings.predicates[performance.predicate].score
            else:
                points = []
                for r in used:
                    if (key, r.value) not in cache:
                        cache[key, r.value] = weighting.value_points(component, r.value)
                    points.append(cache[key, r.value])
                scores[key] = weighting.component_score(component, points)
            detail[key] = {
                "weight": component.weight,
                "score": None if (score := scores[key]) is None else round(score, 2),
                "records": [[str(r.id), r.value, r.status] for r in used],
            }
        total = weighting.axis_score(components, scores, policy)
        result[axis] = {"score": total.score, "missing": list(total.missing), "components": detail}
    return result


def _write(
    db: Session,
    batch: list[dict[str, Any]],
    tally: _Tally,
    progress: Callable[[int], None] | None,
) -> None:
    if not batch:
        return
    db.execute(insert(Placement), batch)
    tally.placed += len(batch)
    if progress is not None:
        progress(len(batch))
    batch.clear()
