"""Item parameters estimated from an event's responses: calibrate each subtest (2PL / 3PL for
keyed items, the graded response model for graded ones), measure item fit, link to the
bank's scale through anchor items, and keep the result as a named, versioned parameter set
that scoring runs may name (docs/scoring.md §8).

The bank's items are never changed: a set lives beside them, and a run that names it scores
with its parameters for the subtests it covers (the bank's own for the others)."""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.bank import repository as bank_repository
from app.exams.models import Event
from app.i18n import N_, translate
from app.kit import clock
from app.psychometrics import irt
from app.scoring import calibration, item_fit, linking, repository
from app.scoring.event_analysis import CalibrationData, calibration_data
from app.scoring.models import ParameterEntry, ParameterSet
from app.scoring.service import ScoringRefused

MODELS = ("auto", "2pl", "3pl")  # auto: each keyed subtest as the bank holds most of its items
LINKS = ("stocking-lord", "mean-sigma", "none")
# Fewer takers of an item than this and its estimate is noise (a of 10 with an SE in the
# thousands from 30 takers): a set holding such items, or a subtest whose EM did not
# converge, is saved only when asked to (--force) and then says so on its page.
MIN_RESPONSES = 100


class CalibrationRefused(ScoringRefused):
    status, code = 409, "calibration_refused"


class ParameterSetUnknown(ScoringRefused):
    status, code = 404, "not_found"


def check_options(model: str, link_method: str) -> None:
    """Refuse unknown options before any work."""
    if model not in MODELS:
        raise CalibrationRefused(
            N_("The model must be one of %(choices)s"), choices=", ".join(MODELS)
        )
    if link_method not in LINKS:
        raise CalibrationRefused(
            N_("The linking must be one of %(choices)s"), choices=", ".join(LINKS)
        )


@dataclass(frozen=True)
class ItemResult:
    version_id: uuid.UUID
    code: str
    model: str  # 2pl | 3pl | grm
    n: int  # persons who were presented the item
    params: dict[str, Any]  # as the bank writes them, on the set's scale
    se: dict[str, Any]
    bank: dict[str, Any] | None
    fit: item_fit.ItemFit | None


@dataclass
class SubtestResult:
    subtest: str
    model: str
    persons: int
    iterations: int
    converged: bool
    link: linking.Link | None = None
    items: list[ItemResult] = field(default_factory=list)

    @property
    def thin(self) -> list[str]:
        """Items taken by fewer than MIN_RESPONSES persons."""
        return [item.code for item in self.items if item.n < MIN_RESPONSES]

    def summary(self) -> dict[str, Any]:
        link = self.link
        return {
            "model": self.model,
            "persons": self.persons,
            "iterations": self.iterations,
            "converged": self.converged,
            "thin_items": len(self.thin),
            "link": (
                {
                    "method": link.method,
                    "slope": link.slope,
                    "intercept": link.intercept,
                    "anchors": link.anchors,
                }
                if link
                else None
            ),
        }


def calibrate_event(
    db: Session,
    event_id: uuid.UUID,
    subtest: str | None = None,
    model: str = "auto",
    link_method: str = "stocking-lord",
    step: Callable[[int], None] | None = None,
) -> list[SubtestResult]:
    """Every subtest of the event's submitted attempts (or one), calibrated, fitted and
    linked; `step(1)` after each subtest (progress). Refused with a reason when there is
    nothing to calibrate or too few anchors."""
    check_options(model, link_method)
    data = calibration_data(db, event_id)
    if not data:
        raise CalibrationRefused(N_("No finished test to calibrate yet"))
    if subtest is not None:
        if subtest not in data:
            raise CalibrationRefused(
                N_("Subtest %(subtest)s is not among this event's answers; there are: %(found)s"),
                subtest=subtest,
                found=", ".join(data),
            )
        data = {subtest: data[subtest]}
    results = []
    for code, subtest_data in data.items():
        result = _calibrate_subtest(code, subtest_data, _model_for(subtest_data, model))
        if link_method != "none":
            anchors = [
                linking.Anchor(item.bank, item.params)
                for item in result.items
                if item.bank is not None and _anchor_params(item)
            ]
            try:
                result.link = linking.link(anchors, link_method)
            except linking.LinkingRefused as exc:
                raise CalibrationRefused(
                    N_("%(subtest)s: %(why)s (or use --link none)"), subtest=code, why=str(exc)
                ) from None
            result.items = [_moved(item, result.link) for item in result.items]
        results.append(result)
        if step:
            step(1)
    return results


def _model_for(data: CalibrationData, model: str) -> str:
    """The keyed items' model: as asked, or (auto) the one most of their bank versions have
    (3PL when none has parameters: the usual model of multiple-choice items)."""
    if model != "auto":
        return model
    held = [(item.bank or {}).get("model") for item in (data.keyed[1] if data.keyed else [])]
    counts = {m: held.count(m) for m in ("2pl", "3pl")}
    return max(counts, key=lambda m: (counts[m], m == "3pl")) if any(counts.values()) else "3pl"


def _anchor_params(item: ItemResult) -> bool:
    """An anchor: its bank parameters are of the same model as the new ones."""
    bank = item.bank or {}
    if item.model == "grm":
        return len(bank.get("thresholds") or []) == len(item.params["thresholds"])
    same = bank.get("model", "3pl" if bank.get("c") else "2pl") == item.model
    return "a" in bank and "b" in bank and same


def _moved(item: ItemResult, link: linking.Link) -> ItemResult:
    return ItemResult(
        item.version_id,
        item.code,
        item.model,
        item.n,
        link.item(item.params),
        link.standard_errors(item.se),
        item.bank,
        item.fit,
    )


def _calibrate_subtest(code: str, data: CalibrationData, model: str) -> SubtestResult:
    persons, iterations, converged, kinds = 0, 0, True, []
    items: list[ItemResult] = []
    if data.keyed is not None:
        matrix, described = data.keyed
        fit = calibration.calibrate(matrix, model)
        fits = item_fit.s_x2(
            matrix, fit.a, fit.b, fit.c, calibration.NODES, 3 if model == "3pl" else 2
        )
        seen = (~np.isnan(matrix)).sum(axis=0)
        for j, item in enumerate(described):
            params: dict[str, Any] = {"model": model, "a": float(fit.a[j]), "b": float(fit.b[j])}
            se = {"a": float(fit.se_a[j]), "b": float(fit.se_b[j])}
            if model == "3pl":
                params["c"], se["c"] = float(fit.c[j]), float(fit.se_c[j])
            items.append(
                ItemResult(
                    item.version_id, item.code, model, int(seen[j]), params, se, item.bank, fits[j]
                )
            )
        persons = max(persons, int((~np.isnan(matrix)).any(axis=1).sum()))
        iterations, converged = fit.iterations, fit.converged
        kinds.append(model)
    for count, (matrix, described, seen) in data.graded.items():
        graded = calibration.calibrate_graded(matrix, count)
        fits = item_fit.s_x2_graded(matrix, graded.a, graded.thresholds, calibration.NODES)
        for j, item in enumerate(described):
            params = {
                "model": "grm",
                "a": float(graded.a[j]),
                "thresholds": graded.thresholds[j].tolist(),
            }
            se = {"a": float(graded.se_a[j]), "thresholds": graded.se_thresholds[j].tolist()}
            items.append(
                ItemResult(
                    item.version_id, item.code, "grm", int(seen[j]), params, se, item.bank, fits[j]
                )
            )
        persons = max(persons, int((~np.isnan(matrix)).any(axis=1).sum()))
        iterations = max(iterations, graded.iterations)
        converged = converged and graded.converged
        kinds.append("grm")
    label = "+".join(dict.fromkeys(kinds))
    return SubtestResult(code, label, persons, iterations, converged, items=items)


def save(
    db: Session,
    actor: Actor,
    event: Event,
    name: str,
    results: list[SubtestResult],
    note: str = "",
    force: bool = False,
) -> ParameterSet:
    """Keep the results as version n + 1 of the set `name` (audited). Refused, unless
    `force`, when a subtest did not converge or items had fewer than MIN_RESPONSES takers."""
    name = check_name(name)
    doubts = [
        f"{r.subtest}: "
        + "; ".join(
            part
            for part in (
                "" if r.converged else translate(N_("EM has not converged")),
                translate(THIN, {"n": len(r.thin), "least": MIN_RESPONSES, "item": r.thin[0]})
                if r.thin
                else "",
            )
            if part
        )
        for r in results
        if not r.converged or r.thin
    ]
    if doubts and not force:
        raise CalibrationRefused(TOO_LITTLE_DATA, doubts=" | ".join(doubts))
    latest = db.scalar(select(func.max(ParameterSet.version)).where(ParameterSet.name == name))
    chosen = ParameterSet(
        name=name,
        version=(latest or 0) + 1,
        event_id=event.id,
        subtests={r.subtest: {**r.summary(), "forced": bool(doubts)} for r in results},
        note=note,
        created_at=clock.now(),
        created_by=actor.username,
    )
    db.add(chosen)
    db.flush()
    for result in results:
        for item in result.items:
            db.add(
                ParameterEntry(
                    set_id=chosen.id,
                    item_version_id=item.version_id,
                    subtest_code=result.subtest,
                    model=item.model,
                    params=item.params,
                    se=item.se,
                    n=item.n,
                    fit=vars(item.fit) if item.fit else None,
                )
            )
    db.flush()
    record(
        db,
        actor,
        "parameters.create",
        target_type="parameter_set",
        target_id=chosen.id,
        target_label=f"{chosen.name} v{chosen.version}",
        event=event.code,
        subtests={r.subtest: r.model for r in results},
        link={r.subtest: r.link.method if r.link else "none" for r in results},
        items=sum(len(r.items) for r in results),
        forced=doubts or None,
    )
    return chosen


THIN = N_("%(n)s items with < %(least)s takers (e.g. %(item)s)")
TOO_LITTLE_DATA = N_(
    "Too little data for a set used in scoring — %(doubts)s "
    "(save it anyway with --force; its page will warn)"
)


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise CalibrationRefused(N_("A parameter set name is required"))
    if re.search(r":\d+$", name):  # NAME:VERSION names a version: such a name would hide one
        raise CalibrationRefused(N_("A set name cannot end in :number (%(name)s)"), name=name)
    return name


def adaptive_parameters(db: Session, text: str) -> tuple[str, dict[uuid.UUID, dict[str, Any]]]:
    """What an adaptive section's pool reads of the set it names (registered with
    app/exams/adaptive_pools.py): its label and each item version's parameters."""
    chosen = find_set(db, text)
    entries = repository.parameter_entries(db, chosen.id)
    label = f"{chosen.name} v{chosen.version}"
    return label, {version_id: dict(entry.params) for version_id, entry in entries.items()}


def find_set(db: Session, text: str) -> ParameterSet:
    """A set by `NAME` (its latest version) or `NAME:VERSION`; a name that itself holds a
    colon is found as it is first."""
    text = text.strip()
    found = repository.parameter_set_named(db, text)
    if found is not None:
        return found
    name, colon, version = text.rpartition(":")
    if colon and not (version.strip().isascii() and version.strip().isdigit()):
        raise ParameterSetUnknown(
            N_("Not a valid parameter set version: '%(version)s' (NAME:VERSION)"), version=version
        )
    found = repository.parameter_set_named(db, name.strip(), int(version)) if colon else None
    if found is None:
        raise ParameterSetUnknown(N_("Parameter set '%(name)s' not found"), name=text)
    return found


# --- the report page ------------------------------------------------------------------------

THETA = np.linspace(-4.0, 4.0, 81)
MISFIT_P = 0.01  # S-X² p below this: the item is listed for review


@dataclass(frozen=True)
class ReportRow:
    code: str
    entry: ParameterEntry
    bank: dict[str, Any] | None  # the item version's own parameters, for comparison

    @property
    def misfit(self) -> bool:
        p = (self.entry.fit or {}).get("p_value")
        return p is not None and p < MISFIT_P


@dataclass(frozen=True)
class SubtestReport:
    subtest: str
    summary: dict[str, Any]
    rows: list[ReportRow]
    information: list[float]  # on THETA: a drawn form's expected information
    items_per_form: float

    def se_at(self, theta: float) -> float | None:
        value = float(np.interp(theta, THETA, self.information))
        return 1.0 / np.sqrt(value) if value > 0 else None


def report(db: Session, chosen: ParameterSet) -> list[SubtestReport]:
    """Per subtest: the items' estimates, SEs and fit, and the test information of a form
    drawn from them: the items' summed information times the share of them a taker saw
    (persons × items per form = Σ n over the items)."""
    stored = list(repository.parameter_entries(db, chosen.id).values())
    ids = [e.item_version_id for e in stored]
    codes = repository.version_codes(db, ids)
    bank = {vid: v.irt for vid, v in bank_repository.versions_by_id(db, ids).items()}
    result = []
    for subtest, summary in sorted(chosen.subtests.items()):
        entries = sorted(
            (e for e in stored if e.subtest_code == subtest),
            key=lambda e: codes.get(e.item_version_id, ""),
        )
        if not entries:
            continue
        pool = sum((irt.information(e.params, THETA) for e in entries), np.zeros_like(THETA))
        per_form = sum(e.n for e in entries) / max(1, summary.get("persons") or 1)
        share = min(1.0, per_form / len(entries))
        rows = [
            ReportRow(
                codes.get(e.item_version_id, str(e.item_version_id)), e, bank.get(e.item_version_id)
            )
            for e in entries
        ]
        result.append(SubtestReport(subtest, summary, rows, list(pool * share), per_form))
    return result
