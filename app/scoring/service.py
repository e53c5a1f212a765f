"""Scoring runs: raw and percent, IRT ability (EAP) with its SE, standard scores against a
frozen norm, a weighted composite and a potency level — no threshold, no pass or fail.

A run records everything it used (norm, weights, bands, neutralised items), so it can be
explained and reproduced; a change of any of them is a new run, and old runs stay readable.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.bank import repository as bank_repository
from app.bank.models import ItemVersion
from app.bank.points import item_maximum, item_points
from app.exams.models import Event
from app.i18n import N_, translate
from app.kit import clock
from app.kit.errors import Refusal
from app.psychometrics import irt
from app.scoring import repository
from app.scoring.models import (
    KeyCorrection,
    NeutralisedItem,
    Norm,
    NormEntry,
    ParameterEntry,
    ParameterSet,
    ScoreRecord,
    ScoringRun,
)
from app.scoring.norms import Bands, standardise
from app.scoring.settings import ScoringSettings, load_scoring_settings

COMPOSITE = "_composite"


class ScoringRefused(Refusal):
    status, code = 409, "scoring_refused"


@dataclass
class Person:
    participant_id: uuid.UUID
    status: str  # not_started | in_progress | submitted
    answers: dict[uuid.UUID, str | None] = field(default_factory=dict)  # version → option
    # the answered items of adaptive sections: version → section position (also in answers)
    adaptive: dict[uuid.UUID, int] = field(default_factory=dict)

    def fixed_only(self) -> "Person":
        """The person with the adaptive sections' items left out (classical item analysis
        reads fixed sections only: docs/scoring.md)."""
        answers = {v: o for v, o in self.answers.items() if v not in self.adaptive}
        return Person(self.participant_id, self.status, answers)


def collect_responses(db: Session, event_id: uuid.UUID) -> dict[uuid.UUID, Person]:
    """Everyone registered, with the items each was given and the option chosen: the form's
    drawn items (unanswered: None) and, in adaptive sections, the items answered."""
    people: dict[uuid.UUID, Person] = {}
    for participant_id, _attempt_id, status, version_id, option in repository.responses(
        db, event_id
    ):
        person = people.get(participant_id)
        if person is None:  # no status: no attempt (outer join)
            person = people[participant_id] = Person(participant_id, status or "not_started")
        person.answers[version_id] = option
    for participant_id, _, status, version_id, option, section in repository.adaptive_responses(
        db, event_id
    ):
        person = people.setdefault(participant_id, Person(participant_id, status))
        person.answers[version_id] = option
        person.adaptive[version_id] = section
    for participant_id in repository.participants(db, event_id):
        people.setdefault(participant_id, Person(participant_id, "not_started"))
    return people


@dataclass(frozen=True)
class ScoringItem:
    """What scoring needs of an item version, with the event's key correction applied (the
    stored version itself never changes)."""

    id: uuid.UUID
    subtest_code: str
    scoring: str
    key: str | None
    points: dict[str, int] | None
    irt: dict[str, Any] | None


def scoring_items(
    db: Session, event_id: uuid.UUID, versions: dict[uuid.UUID, ItemVersion]
) -> dict[uuid.UUID, ScoringItem]:
    corrections = repository.key_corrections(db, event_id)
    return {
        vid: ScoringItem(
            v.id,
            v.subtest_code,
            v.scoring,
            corrections[vid].key if vid in corrections else v.key,
            v.points,
            v.irt,
        )
        for vid, v in versions.items()
    }


def with_parameters(
    versions: dict[uuid.UUID, ScoringItem], entries: dict[uuid.UUID, ParameterEntry]
) -> dict[uuid.UUID, ScoringItem]:
    """The items with a parameter set's estimates in place of the bank's. A subtest the set
    covers must be covered whole: θ from two scales at once would mean nothing."""
    covered = {entry.subtest_code for entry in entries.values()}
    missing = sorted(
        str(v.id) for v in versions.values() if v.subtest_code in covered and v.id not in entries
    )
    if missing:
        subtests = sorted({versions[uuid.UUID(m)].subtest_code for m in missing})
        raise ScoringRefused(
            N_(
                "The parameter set lacks %(n)s scored items of subtests %(subtests)s; "
                "recalibrate with those items or use the bank's parameters"
            ),
            n=len(missing),
            subtests=", ".join(subtests),
        )
    return {
        vid: replace(v, irt=entries[vid].params) if vid in entries else v
        for vid, v in versions.items()
    }


def _subtest_scores(
    people: list[Person], versions: list[ScoringItem], adaptive: bool = False
) -> dict[uuid.UUID, dict[str, Any]]:
    """Raw, max, percent and (when every item has IRT parameters) θ and SE per person; for
    a subtest given (in part) in adaptive sections, also how many of its items those gave."""
    results: dict[uuid.UUID, dict[str, Any]] = {}
    for person in people:
        seen = [v for v in versions if v.id in person.answers]
        raw = sum(item_points(v, person.answers[v.id]) for v in seen)
        maximum = sum(item_maximum(v) for v in seen)
        answered = sum(person.answers[v.id] is not None for v in seen)
        results[person.participant_id] = {
            "raw": raw,
            "max": maximum,
            "answered": answered,
            "items": len(seen),
            "percent": round(100 * raw / maximum, 4) if maximum else None,
            "theta": None,
            "se": None,
        }
        if adaptive:
            given = sum(v.id in person.adaptive for v in seen)
            results[person.participant_id]["adaptive_items"] = given
    if versions and all(v.irt for v in versions):
        estimate = _eap(people, versions)
        for person, theta, se in zip(people, estimate.theta, estimate.se, strict=True):
            results[person.participant_id]["theta"] = round(float(theta), 6)
            results[person.participant_id]["se"] = round(float(se), 6)
    return results


def graded_categories(
    people: list[Person], graded: Sequence[ScoringItem | ItemVersion]
) -> np.ndarray:
    """Persons × graded items: the 0-based category chosen (the rank of its points among the
    item's point values); NaN where not presented or not answered (no information)."""
    categories = np.full((len(people), len(graded)), np.nan)
    for col, v in enumerate(graded):
        points = v.points or {}
        order = sorted(set(points.values()))
        for row, person in enumerate(people):
            option = person.answers.get(v.id)
            if option is not None and option in points:
                categories[row, col] = order.index(points[option])
    return categories


def _eap(people: list[Person], versions: list[ScoringItem]) -> irt.Estimate:
    keyed = [v for v in versions if v.scoring == "keyed"]
    graded = [v for v in versions if v.scoring == "graded"]
    right = np.full((len(people), len(keyed)), np.nan)
    for row, person in enumerate(people):
        for col, v in enumerate(keyed):
            if v.id in person.answers:  # presented: unanswered counts as wrong
                right[row, col] = float(person.answers[v.id] == v.key)
    keyed_irt, graded_irt = [_irt(v) for v in keyed], [_irt(v) for v in graded]
    a = np.array([p["a"] for p in keyed_irt], dtype=np.float64)
    b = np.array([p["b"] for p in keyed_irt], dtype=np.float64)
    c = np.array([p.get("c", 0.0) for p in keyed_irt], dtype=np.float64)
    categories = graded_categories(people, graded)
    graded_a = np.array([p["a"] for p in graded_irt], dtype=np.float64)
    thresholds = [np.array(p["thresholds"], dtype=np.float64) for p in graded_irt]

    def log_likelihood(rows: np.ndarray, grid: np.ndarray) -> np.ndarray:
        total = np.zeros((rows.size, grid.size))
        if keyed:
            total += irt.dichotomous_log_likelihood(right[rows], a, b, c, grid)
        if graded:
            total += irt.graded_log_likelihood(categories[rows], graded_a, thresholds, grid)
        return total

    return irt.eap_exact(log_likelihood, len(people))


# A cohort norm's description and a re-scoring run's note are stored text, written in the
# language of whoever made them. The norm's name ("CODE kohort") is its identifier: the same
# in every language, or its versions would split.
COHORT_OF_EVENTS = N_("event %(codes)s")
COHORT_OF_EVENTS_ESELON = N_("event %(codes)s, eselon %(eselon)s")
COHORT_OF_RUN = N_("participants of %(code)s, run %(run)s")
KEY_CORRECTED = N_("key of %(item)s corrected to %(key)s")


def _irt(item: ScoringItem) -> dict[str, Any]:
    """The item's IRT parameters; callers score by θ only when every item has them."""
    if item.irt is None:
        raise ValueError(f"item version {item.id} has no IRT parameters")
    return item.irt


def _metric(scores: dict[str, Any]) -> tuple[str, float | None]:
    if scores["theta"] is not None:
        return "theta", scores["theta"]
    return "percent", scores["percent"]


def cohort_norm(
    db: Session,
    name: str,
    description: str,
    by: str,
    per_subtest: dict[str, dict[uuid.UUID, dict[str, Any]]],
    weights: dict[str, float],
) -> Norm:
    """Freeze the distribution of this cohort (submitted attempts) as a new norm version."""
    norm = Norm(
        name=name,
        version=repository.next_norm_version(db, name),
        source="cohort",
        description=description,
        created_at=clock.now(),
        created_by=by,
    )
    db.add(norm)
    db.flush()
    entries: dict[str, NormEntry] = {}
    for code, scores in per_subtest.items():
        values = [v for s in scores.values() if (v := _metric(s)[1]) is not None]
        if len(values) < 2 or float(np.std(values, ddof=1)) == 0:
            raise ScoringRefused(
                N_("No norm can be made: subtest %(subtest)s needs ≥ 2 different scores"),
                subtest=code,
            )
        metric = _metric(next(iter(scores.values())))[0]
        entries[code] = NormEntry(
            norm_id=norm.id,
            subtest_code=code,
            metric=metric,
            mean=float(np.mean(values)),
            sd=float(np.std(values, ddof=1)),
            n=len(values),
        )
    composites = [
        c
        for c in (
            _composite_raw(pid, per_subtest, entries, weights)
            for pid in _people_with_scores(per_subtest)
        )
        if c is not None
    ]
    if len(composites) < 2 or float(np.std(composites, ddof=1)) == 0:
        raise ScoringRefused(N_("No norm can be made: the composite needs ≥ 2 different scores"))
    entries[COMPOSITE] = NormEntry(
        norm_id=norm.id,
        subtest_code=COMPOSITE,
        metric="composite",
        mean=float(np.mean(composites)),
        sd=float(np.std(composites, ddof=1)),
        n=len(composites),
    )
    db.add_all(entries.values())
    db.flush()
    return norm


def _people_with_scores(per_subtest: dict[str, dict[uuid.UUID, dict[str, Any]]]) -> set[uuid.UUID]:
    return {pid for scores in per_subtest.values() for pid in scores}


# subtest code → participant → raw / percent / θ / SE (event_scores)
PerSubtest = dict[str, dict[uuid.UUID, dict[str, Any]]]


def _composite_raw(
    pid: uuid.UUID,
    per_subtest: PerSubtest,
    entries: dict[str, NormEntry],
    weights: dict[str, float],
) -> float | None:
    """Weighted mean of the subtest z scores the person has (weights re-normalised)."""
    total = weight_sum = 0.0
    for code, scores in per_subtest.items():
        weight = weights.get(code, 0.0)
        value = _metric(scores[pid])[1] if pid in scores else None
        if weight and value is not None and code in entries:
            total += weight * (value - entries[code].mean) / entries[code].sd
            weight_sum += weight
    return total / weight_sum if weight_sum else None


def _composite_se_z(
    pid: uuid.UUID,
    per_subtest: PerSubtest,
    entries: dict[str, NormEntry],
    weights: dict[str, float],
    composite_sd: float,
) -> float | None:
    """SE of the composite z from the subtests' θ SEs (subtests without θ contribute none)."""
    parts, weight_sum = [], 0.0
    for code, scores in per_subtest.items():
        weight = weights.get(code, 0.0)
        if not weight or pid not in scores or code not in entries:
            continue
        weight_sum += weight
        if scores[pid]["se"] is not None:
            parts.append((weight * scores[pid]["se"] / entries[code].sd) ** 2)
    if not parts or not weight_sum:
        return None
    return float(np.sqrt(sum(parts)) / weight_sum / composite_sd)


def event_scores(
    db: Session, event: Event, parameters: ParameterSet | None = None
) -> tuple[dict[uuid.UUID, Person], dict[str, dict[uuid.UUID, dict[str, Any]]]]:
    """Everyone registered for the event, and the raw / percent / θ per subtest of those who
    finished (neutralised items left out, key corrections applied; θ from `parameters`
    for the subtests it covers, from the bank's parameters otherwise). An adaptive
    section's items are scored as a fixed section's are, each taker on the items given."""
    neutralised = {n.item_version_id for n in repository.neutralised(db, event.id)}
    people = collect_responses(db, event.id)
    submitted = [p for p in people.values() if p.status == "submitted"]
    if not submitted:
        raise ScoringRefused(N_("No finished test to score in %(event)s yet"), event=event.code)
    version_ids = {v for p in submitted for v in p.answers} - neutralised
    versions = scoring_items(db, event.id, bank_repository.versions_by_id(db, list(version_ids)))
    if parameters is not None:
        versions = with_parameters(versions, repository.parameter_entries(db, parameters.id))
    by_subtest: dict[str, list[ScoringItem]] = defaultdict(list)
    for version in sorted(versions.values(), key=lambda v: str(v.id)):
        by_subtest[version.subtest_code].append(version)
    adaptive = {c for c, mode in repository.subtest_modes(db, event.id).items() if mode != "fixed"}
    per_subtest = {
        code: _subtest_scores(submitted, vs, code in adaptive)
        for code, vs in sorted(by_subtest.items())
    }
    return people, per_subtest


def norm_from_events(
    db: Session,
    actor: Actor,
    name: str,
    events: list[Event],
    eselon: str | None = None,
    settings: ScoringSettings | None = None,
) -> Norm:
    """A norm frozen from the finished attempts of several events (e.g. all of a year's
    events), optionally of one eselon level only — "eselon III nationwide"."""
    settings = settings or load_scoring_settings()
    merged: dict[str, dict[uuid.UUID, dict[str, Any]]] = defaultdict(dict)
    for event in events:
        _, per_subtest = event_scores(db, event)
        members = repository.participants_with_eselon(db, event.id, eselon) if eselon else None
        for code, scores in per_subtest.items():
            merged[code].update(
                {p: v for p, v in scores.items() if members is None or p in members}
            )
    weights = {k: float(v) for k, v in settings.composite_weights.items()}
    codes = ", ".join(e.code for e in events)
    events_of = {"codes": codes, "eselon": eselon}
    description = translate(COHORT_OF_EVENTS_ESELON if eselon else COHORT_OF_EVENTS, events_of)
    norm = cohort_norm(db, name, description, actor.username, dict(merged), weights)
    record(
        db,
        actor,
        "norm.create",
        target_type="norm",
        target_id=norm.id,
        target_label=f"{norm.name} v{norm.version}",
        events=codes,
        eselon=eselon,
    )
    return norm


def run_scoring(
    db: Session,
    event: Event,
    actor: Actor,
    norm_id: uuid.UUID | None = None,
    note: str = "",
    settings: ScoringSettings | None = None,
    cohort_eselon: str | None = None,
    parameter_set_id: uuid.UUID | None = None,
) -> ScoringRun:
    """Score every participant of the event into a new run (against `norm_id`, or against a
    new norm frozen from this event's cohort — all of it, or one eselon level), with the
    bank's item parameters or those of a calibrated parameter set."""
    settings = settings or load_scoring_settings()
    if repository.answers_purged(db, event.id):
        raise ScoringRefused(
            N_(
                "The answers of %(event)s were deleted when their retention period ended; "
                "published runs stay valid, but the event cannot be scored again"
            ),
            event=event.code,
        )
    parameters = None
    if parameter_set_id is not None:
        parameters = db.get(ParameterSet, parameter_set_id)
        if parameters is None:
            raise ScoringRefused(N_("Parameter set not found"))
    people, per_subtest = event_scores(db, event, parameters)
    neutralised = {n.item_version_id for n in repository.neutralised(db, event.id)}
    weights = {k: float(v) for k, v in settings.composite_weights.items()}
    number = repository.next_run_number(db, event.id)
    if norm_id is None:
        cohort, name = per_subtest, f"{event.code} kohort"
        if cohort_eselon:  # e.g. a norm of the eselon III officials only
            members = repository.participants_with_eselon(db, event.id, cohort_eselon)
            cohort = {
                c: {p: v for p, v in s.items() if p in members} for c, s in per_subtest.items()
            }
            name = f"{event.code} kohort eselon {cohort_eselon}"
        description = translate(COHORT_OF_RUN, {"code": event.code, "run": number})
        norm = cohort_norm(db, name, description, actor.username, cohort, weights)
    else:
        found = db.get(Norm, norm_id)
        if found is None:
            raise ScoringRefused(N_("Norm not found"))
        norm = found
    entries = repository.norm_entries(db, norm.id)
    _check_norm_fits(norm, entries, per_subtest)
    run = ScoringRun(
        event_id=event.id,
        number=number,
        norm_id=norm.id,
        settings={
            "composite_weights": weights,
            "levels": settings.levels.model_dump(mode="json"),
            "subtests": sorted(per_subtest),
            "parameters": f"{parameters.name} v{parameters.version}" if parameters else "bank",
            # subtest → "adaptive" / "mixed" (absent: fixed); the export marks them
            "modes": {
                c: m for c, m in repository.subtest_modes(db, event.id).items() if m != "fixed"
            },
        },
        neutralised=sorted(str(v) for v in neutralised),
        parameter_set_id=parameters.id if parameters else None,
        note=note,
        created_at=clock.now(),
        created_by=actor.username,
    )
    db.add(run)
    db.flush()
    bands = settings.levels.bands()
    for person in people.values():
        db.add(_record(run, person, per_subtest, entries, weights, bands))
    db.flush()
    record(
        db,
        actor,
        "scoring.run",
        target_type="event",
        target_id=event.id,
        target_label=event.code,
        run=number,
        norm=f"{norm.name} v{norm.version}",
        parameters=run.settings["parameters"],
        neutralised=len(neutralised),
        participants=len(people),
    )
    return run


def _record(
    run: ScoringRun,
    person: Person,
    per_subtest: PerSubtest,
    entries: dict[str, NormEntry],
    weights: dict[str, float],
    bands: Bands,
) -> ScoreRecord:
    pid = person.participant_id
    subtests: dict[str, Any] = {}
    for code, scores in per_subtest.items():
        if pid not in scores:
            continue
        s = dict(scores[pid])
        value = _metric(s)[1]
        if code in entries and value is not None:
            std = standardise(value, entries[code].mean, entries[code].sd)
            s.update(z=round(std.z, 6), t=round(std.t, 4), percentile=round(std.percentile, 4))
        subtests[code] = s
    result = ScoreRecord(
        run_id=run.id,
        participant_id=pid,
        attempt_status=person.status,
        subtests=subtests,
        near_band_edge=False,
    )
    composite = _composite_raw(pid, per_subtest, entries, weights) if subtests else None
    if composite is not None and COMPOSITE in entries:
        norm = entries[COMPOSITE]
        std = standardise(composite, norm.mean, norm.sd)
        se_z = _composite_se_z(pid, per_subtest, entries, weights, norm.sd)
        result.composite = round(composite, 6)
        result.composite_t = round(std.t, 4)
        result.composite_percentile = round(std.percentile, 4)
        result.stanine = std.stanine
        result.level = bands.level(std.stanine)
        result.composite_se_z = round(se_z, 6) if se_z is not None else None
        result.near_band_edge = se_z is not None and bands.near_edge(std.z, se_z)
    return result


def _check_norm_fits(
    norm: Norm,
    entries: dict[str, NormEntry],
    per_subtest: dict[str, dict[uuid.UUID, dict[str, Any]]],
) -> None:
    """A norm for θ cannot standardise percents (or the reverse), and a subtest or the
    composite missing from it would silently lose scores: refuse instead."""
    problems = []
    for code, scores in per_subtest.items():
        metric = _metric(next(iter(scores.values())))[0] if scores else None
        entry = entries.get(code)
        if entry is None:
            problems.append(
                translate(N_("subtest %(subtest)s is not in the norm"), {"subtest": code})
            )
        elif metric is not None and entry.metric != metric:
            problems.append(
                translate(
                    N_("subtest %(subtest)s: the norm uses %(norm)s, this run %(run)s"),
                    {"subtest": code, "norm": entry.metric, "run": metric},
                )
            )
    if COMPOSITE not in entries:
        problems.append(translate(N_("the norm has no composite")))
    if problems:
        raise ScoringRefused(
            N_("Norm %(name)s v%(version)s does not fit: %(problems)s"),
            name=norm.name,
            version=norm.version,
            problems="; ".join(problems),
        )


def publish(db: Session, actor: Actor, run: ScoringRun) -> bool:
    if run.published_at is not None:
        return False
    run.published_at, run.published_by = clock.now(), actor.username
    record(
        db,
        actor,
        "scoring.publish",
        target_type="scoring_run",
        target_id=run.id,
        target_label=f"run {run.number}",
    )
    return True


def correct_key(
    db: Session, actor: Actor, event: Event, version: ItemVersion, key: str, reason: str
) -> ScoringRun:
    """Score a keyed item with a corrected key in this event, and re-score into a new run."""
    if version.scoring != "keyed" or key not in [o["id"] for o in version.options]:
        raise ScoringRefused(N_("The new key must be one of the keyed item's options"))
    if not reason.strip():
        raise ScoringRefused(N_("A reason is required"))
    existing = repository.key_corrections(db, event.id).get(version.id)
    if existing is None:
        db.add(
            KeyCorrection(
                event_id=event.id,
                item_version_id=version.id,
                key=key,
                reason=reason.strip(),
                at=clock.now(),
                by=actor.username,
            )
        )
    else:
        existing.key, existing.reason = key, reason.strip()
    db.flush()
    record(
        db,
        actor,
        "scoring.correct_key",
        target_type="item_version",
        target_id=version.id,
        reason=reason.strip(),
        key=key,
        event=event.code,
    )
    previous = repository.runs(db, event.id)
    return run_scoring(
        db,
        event,
        actor,
        previous[-1].norm_id if previous else None,
        note=translate(KEY_CORRECTED, {"item": _code_of(db, version.id), "key": key}),
    )


def neutralise(
    db: Session, actor: Actor, event: Event, version_id: uuid.UUID, reason: str
) -> ScoringRun:
    """Score an item for nobody in this event, and re-score into a new run (same norm)."""
    if not reason.strip():
        raise ScoringRefused(N_("A reason is required"))
    existing = {n.item_version_id for n in repository.neutralised(db, event.id)}
    if version_id not in existing:
        db.add(
            NeutralisedItem(
                event_id=event.id,
                item_version_id=version_id,
                reason=reason.strip(),
                at=clock.now(),
                by=actor.username,
            )
        )
        db.flush()
        record(
            db,
            actor,
            "scoring.neutralise",
            target_type="item_version",
            target_id=version_id,
            reason=reason.strip(),
            event=event.code,
        )
    previous = repository.runs(db, event.id)
    norm_id = previous[-1].norm_id if previous else None
    note = translate(N_("item neutralised %(item)s"), {"item": _code_of(db, version_id)})
    return run_scoring(db, event, actor, norm_id, note=note)


def _code_of(db: Session, version_id: uuid.UUID) -> str:
    """'CODE vN' for a run's note (an analyst reads the item's code, not its id)."""
    return repository.version_codes(db, [version_id]).get(version_id, str(version_id))
