"""Item parameters estimated from an event's responses: calibrate each subtest (2PL / 3PL for
keyed items, the graded response model for graded ones), measure item fit, link to the
bank's scale through anchor items, and keep the result as a named, versioned parameter set
that scoring runs may name (docs/scoring.md §8).

The bank's items are never changed: a set lives beside them, and a run that names it scores
with its parameters for the subtests it covers (the bank's own for the others)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.exams.models import Event
from app.kit import clock
from app.scoring import calibration, irt, item_fit, linking, repository
from app.scoring.event_analysis import CalibrationData, calibration_data
from app.scoring.models import ParameterEntry, ParameterSet

MODELS = ("2pl", "3pl")
LINKS = ("stocking-lord", "mean-sigma", "none")


class CalibrationRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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

    def summary(self) -> dict[str, Any]:
        link = self.link
        return {
            "model": self.model,
            "persons": self.persons,
            "iterations": self.iterations,
            "converged": self.converged,
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
    model: str = "3pl",
    link_method: str = "stocking-lord",
    step: Callable[[int], None] | None = None,
) -> list[SubtestResult]:
    """Every subtest of the event's submitted attempts (or one), calibrated, fitted and
    linked; `step(1)` after each subtest (progress). Refused with a reason when there is
    nothing to calibrate or too few anchors."""
    if model not in MODELS:
        raise CalibrationRefused(f"model harus salah satu dari {', '.join(MODELS)}")
    if link_method not in LINKS:
        raise CalibrationRefused(f"penautan harus salah satu dari {', '.join(LINKS)}")
    data = calibration_data(db, event_id)
    if subtest is not None:
        if subtest not in data:
            raise CalibrationRefused(f"subtes {subtest} tidak punya jawaban untuk dikalibrasi")
        data = {subtest: data[subtest]}
    if not data:
        raise CalibrationRefused("belum ada tes yang selesai untuk dikalibrasi")
    results = []
    for code, subtest_data in data.items():
        result = _calibrate_subtest(code, subtest_data, model)
        if link_method != "none":
            anchors = [
                linking.Anchor(item.bank, item.params)
                for item in result.items
                if _anchor_params(item)
            ]
            try:
                result.link = linking.link(anchors, link_method)
            except linking.LinkingRefused as exc:
                raise CalibrationRefused(f"{code}: {exc} (atau pakai --link none)") from None
            result.items = [_moved(item, result.link) for item in result.items]
        results.append(result)
        if step:
            step(1)
    return results


def _anchor_params(item: ItemResult) -> bool:
    """An anchor: its bank parameters are of the same kind as the new ones."""
    bank = item.bank or {}
    if item.model == "grm":
        return len(bank.get("thresholds") or []) == len(item.params["thresholds"])
    return "a" in bank and "b" in bank


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
    for count, (matrix, described) in data.graded.items():
        graded = calibration.calibrate_graded(matrix, count)
        fits = item_fit.s_x2_graded(matrix, graded.a, graded.thresholds, calibration.NODES)
        seen = (~np.isnan(matrix)).sum(axis=0)
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
) -> ParameterSet:
    """Keep the results as version n + 1 of the set `name` (audited)."""
    name = name.strip()
    if not name:
        raise CalibrationRefused("nama set parameter wajib diisi")
    latest = db.scalar(select(func.max(ParameterSet.version)).where(ParameterSet.name == name))
    chosen = ParameterSet(
        name=name,
        version=(latest or 0) + 1,
        event_id=event.id,
        subtests={r.subtest: r.summary() for r in results},
        note=note,
        created_at=clock.now(),
        created_by=actor.username,
    )
    db.add(chosen)
    db.flush()
    for result in results:
        for item in result.items:
            fit = item.fit
            db.add(
                ParameterEntry(
                    set_id=chosen.id,
                    item_version_id=item.version_id,
                    subtest_code=result.subtest,
                    model=item.model,
                    params=item.params,
                    se=item.se,
                    n=item.n,
                    fit=(
                        {"statistic": fit.statistic, "df": fit.df, "p_value": fit.p_value}
                        if fit
                        else None
                    ),
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
        subtests=sorted(r.subtest for r in results),
        items=sum(len(r.items) for r in results),
    )
    return chosen


# --- the report page ------------------------------------------------------------------------

THETA = np.linspace(-4.0, 4.0, 81)
MISFIT_P = 0.01  # S-X² p below this: the item is listed for review


@dataclass(frozen=True)
class ReportRow:
    code: str
    entry: ParameterEntry

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
    codes = repository.version_codes(db, [e.item_version_id for e in stored])
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
        rows = [ReportRow(codes.get(e.item_version_id, str(e.item_version_id)), e) for e in entries]
        result.append(SubtestReport(subtest, summary, rows, list(pool * share), per_form))
    return result
