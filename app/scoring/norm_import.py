"""Importing a norm table (CSV) made elsewhere, e.g. from a national cohort of eselon III.

Columns: subtest, metric (theta | percent | composite), mean, sd, n. One row per subtest and
one row with subtest `_composite`. Every bad row is reported; nothing is stored on error.
"""

import csv
from pathlib import Path

from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.i18n import N_, translate
from app.kit import clock
from app.scoring import repository
from app.scoring.models import Norm, NormEntry

COMPOSITE = "_composite"
METRICS = ("theta", "percent", "composite")


class NormFileInvalid(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} kesalahan")
        self.problems = problems


def read_norm_file(path: Path) -> list[dict[str, object]]:
    problems: list[str] = []
    rows: list[dict[str, object]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            parsed = _parse(row, number, problems)
            if parsed is not None:
                rows.append(parsed)
    seen = [str(r["subtest"]) for r in rows]
    duplicates = sorted({s for s in seen if seen.count(s) > 1})
    problems += [translate(N_("duplicate subtest %(code)s"), {"code": s}) for s in duplicates]
    if COMPOSITE not in seen:
        problems.append(translate(N_("a _composite row (the composite) is required")))
    if problems:
        raise NormFileInvalid(problems)
    return rows


def _parse(row: dict[str, str], number: int, problems: list[str]) -> dict[str, object] | None:
    try:
        subtest = (row.get("subtest") or "").strip()
        metric = (row.get("metric") or "").strip()
        mean, sd, n = float(row["mean"]), float(row["sd"]), int(row["n"])
    except (KeyError, TypeError, ValueError):
        message = N_(
            "row %(row)s: the columns subtest, metric, mean, sd, n are required and numeric"
        )
        problems.append(translate(message, {"row": number}))
        return None
    if not subtest or metric not in METRICS:
        message = N_("row %(row)s, column metric: must be one of %(metrics)s")
        problems.append(translate(message, {"row": number, "metrics": ", ".join(METRICS)}))
        return None
    if sd <= 0 or n < 2:
        problems.append(translate(N_("row %(row)s: sd must be > 0 and n ≥ 2"), {"row": number}))
        return None
    return {"subtest": subtest, "metric": metric, "mean": mean, "sd": sd, "n": n}


def import_norm(
    db: Session, actor: Actor, name: str, description: str, rows: list[dict[str, object]]
) -> Norm:
    norm = Norm(
        name=name,
        version=repository.next_norm_version(db, name),
        source="imported",
        description=description,
        created_at=clock.now(),
        created_by=actor.username,
    )
    db.add(norm)
    db.flush()
    db.add_all(
        NormEntry(
            norm_id=norm.id,
            subtest_code=r["subtest"],
            metric=r["metric"],
            mean=r["mean"],
            sd=r["sd"],
            n=r["n"],
        )
        for r in rows
    )
    record(
        db,
        actor,
        "norm.import",
        target_type="norm",
        target_id=norm.id,
        target_label=f"{name} v{norm.version}",
        entries=len(rows),
    )
    db.flush()
    return norm
