"""Reading the inputs: the potency scores export (exports/schema.py, version 1), the
performance ratings (SKP) and the profile component records. Every bad row is reported with
row, column and reason; nothing is returned when any row is bad."""

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from app.exports.schema import ADDED_IN_2, COMPOSITE_COLUMNS, FIXED_COLUMNS, READABLE_VERSIONS
from app.kit.nip import InvalidNIP, normalise_nip
from app.talentbox import rules, weighting
from app.talentbox.settings import TalentBoxSettings
from app.web.templating import N_, translate

LEVELS = ("rendah", "menengah", "tinggi")

# Problem texts of a row, rendered in the importer's language (levels stay codes).
ALWAYS_LEVEL = N_("stanine %(stanine)s always has level %(expected)s, not %(level)s")
OTHER_ROWS_LEVEL = N_(
    "stanine %(stanine)s has level %(usual)s in %(rows)s other rows, here %(level)s"
)
LOWER_STANINE_HIGHER = N_(
    "stanine %(stanine)s has level %(level)s, yet stanine %(lower)s has level %(lower_level)s"
)
DUPLICATE_PERIOD = N_("duplicate NIP and period: row %(row)s")
CONTRADICTS = N_("'%(name)s' contradicts the ratings: matrix → %(derived)s")
PREDICATE_OR_RATINGS = N_(
    "give the predicate, or the ratings of work results and work behaviour "
    "(di atas / sesuai / di bawah ekspektasi)"
)
BAD_STATUS = N_("'%(word)s' is not unverified / verified / rejected")
DATE_NEEDED = N_("the verification date (e.g. 2026-10-05) is required")
NOT_A_DATE = N_("'%(given)s' is not a date (e.g. 2026-10-05)")


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


class FileRejected(Exception):
    def __init__(self, file_name: str, problems: list[RowProblem]) -> None:
        super().__init__(
            translate(N_("%(path)s: %(count)s errors"), {"path": file_name, "count": len(problems)})
        )
        self.file_name = file_name
        self.problems = problems


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def records(file_name: str, content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(row number, values) from CSV (',' or ';'), XLSX or NDJSON; header = row 1."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".ndjson":
        lines = content.decode("utf-8-sig").splitlines()
        return [(n, json.loads(line)) for n, line in enumerate(lines, start=2) if line.strip()]
    if suffix == ".xlsx":
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(h or "").strip() for h in rows[0]] if rows else []
        return [(n, dict(zip(header, r, strict=False))) for n, r in enumerate(rows[1:], start=2)]
    if suffix == ".csv":
        text = content.decode("utf-8-sig")
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        return [(n, row) for n, row in enumerate(reader, start=2)]
    raise FileRejected(
        file_name, [RowProblem(0, "-", translate(N_("only .csv, .xlsx or .ndjson")))]
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _nip(value: Any, row: int, problems: list[RowProblem]) -> str | None:
    if isinstance(value, float):
        message = translate(N_("NIP stored as a number; store it as text"))
        problems.append(RowProblem(row, "nip", message))
        return None
    try:
        return normalise_nip(_text(value))
    except InvalidNIP as exc:
        message = translate(N_("invalid NIP: %(reason)s"), {"reason": exc})
        problems.append(RowProblem(row, "nip", message))
        return None


def read_potency(file_name: str, content: bytes) -> list[dict[str, Any]]:
    """Rows of a scores export (schema version 1, 2 or 3); participants without a level are kept
    with level None (not assessed), so they are listed, not dropped."""
    rows = records(file_name, content)
    problems: list[RowProblem] = []
    header = list(rows[0][1]) if rows else []
    required = [c for c in FIXED_COLUMNS + COMPOSITE_COLUMNS if c not in ADDED_IN_2]
    missing = [c for c in required if c not in header]
    if missing:
        raise FileRejected(
            file_name,
            [RowProblem(1, ", ".join(missing), translate(N_("scores export column missing")))],
        )
    result: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, values in rows:
        if _text(values.get("schema_version")) not in READABLE_VERSIONS:
            message = translate(N_("schema version is not 1, 2 or 3"))
            problems.append(RowProblem(number, "schema_version", message))
        nip = _nip(values.get("nip"), number, problems)
        level = _text(values.get("potency_level")) or None
        if level is not None and level not in LEVELS:
            message = translate(N_("unknown level '%(level)s'"), {"level": level})
            problems.append(RowProblem(number, "potency_level", message))
        if nip in seen:
            message = translate(N_("duplicate NIP: already in row %(row)s"), {"row": seen[nip]})
            problems.append(RowProblem(number, "nip", message))
        elif nip:
            seen[nip] = number
        result.append(_potency(values, nip, level))
    problems += _levels_against_stanines(rows)
    if problems:
        raise FileRejected(file_name, sorted(problems, key=lambda p: (p.row, p.column)))
    return result


def _levels_against_stanines(rows: list[tuple[int, dict[str, Any]]]) -> list[RowProblem]:
    """A level that its row's stanine contradicts. The bands are the issuing server's
    (config/scoring.yaml there), so they are read from the file itself: one level per
    stanine, never lower for a higher stanine, and with three non-empty bands stanine 1 is
    always the lowest level and stanine 9 the highest."""
    by_stanine: dict[int, dict[str, list[int]]] = {}
    problems = []
    for number, values in rows:
        level, raw = _text(values.get("potency_level")), _text(values.get("stanine"))
        if not level or level not in LEVELS or not raw:
            continue
        try:
            stanine = int(float(raw))
        except ValueError:
            message = translate(N_("stanine '%(raw)s' is not a number"), {"raw": raw})
            problems.append(RowProblem(number, "stanine", message))
            continue
        if not 1 <= stanine <= 9:
            message = translate(N_("stanine %(stanine)s outside 1–9"), {"stanine": stanine})
            problems.append(RowProblem(number, "stanine", message))
            continue
        if (stanine, level) in ((1, "menengah"), (1, "tinggi"), (9, "rendah"), (9, "menengah")):
            expected = LEVELS[0] if stanine == 1 else LEVELS[2]
            message = translate(
                ALWAYS_LEVEL, {"stanine": stanine, "expected": expected, "level": level}
            )
            problems.append(RowProblem(number, "potency_level", message))
            continue
        by_stanine.setdefault(stanine, {}).setdefault(level, []).append(number)
    usual = {s: max(levels, key=lambda lv: len(levels[lv])) for s, levels in by_stanine.items()}
    for stanine, levels in sorted(by_stanine.items()):
        for level, numbers in levels.items():
            lower = [s for s in usual if s < stanine and _rank(usual[s]) > _rank(level)]
            if level != usual[stanine]:
                message = translate(
                    OTHER_ROWS_LEVEL,
                    {
                        "stanine": stanine,
                        "usual": usual[stanine],
                        "rows": len(levels[usual[stanine]]),
                        "level": level,
                    },
                )
            elif lower:
                message = translate(
                    LOWER_STANINE_HIGHER,
                    {
                        "stanine": stanine,
                        "level": level,
                        "lower": max(lower),
                        "lower_level": usual[max(lower)],
                    },
                )
            else:
                continue
            problems += [RowProblem(n, "potency_level", message) for n in numbers]
    return problems


def _rank(level: str) -> int:
    return LEVELS.index(level)


def _potency(values: dict[str, Any], nip: str | None, level: str | None) -> dict[str, Any]:
    percentile = _text(values.get("composite_percentile"))
    return {
        "nip": nip,
        "name": _text(values.get("name")),
        "agency_code": _text(values.get("agency_code")),
        "agency_name": _text(values.get("agency_name")),
        "position": _text(values.get("position")),
        "eselon": _text(values.get("eselon")),
        "event_code": _text(values.get("event_code")),
        "scoring_run_id": _text(values.get("scoring_run_id")),
        "potency_level": level,
        "composite_percentile": float(percentile) if percentile else None,
    }


def read_performance(
    file_name: str, content: bytes, settings: TalentBoxSettings
) -> list[dict[str, Any]]:
    """Rows with NIP, period and either `predikat` or `hasil_kerja` + `perilaku_kerja`."""
    problems: list[RowProblem] = []
    result: list[dict[str, Any]] = []
    seen: dict[tuple[str, int], int] = {}
    for number, raw in records(file_name, content):
        values = {k.strip().lower(): v for k, v in raw.items() if k}
        nip = _nip(values.get("nip"), number, problems)
        period = _period(values.get("periode", values.get("period")), number, problems)
        parsed = _predicate(values, settings, number, problems)
        if nip and period and (nip, period) in seen:
            problems.append(
                RowProblem(number, "nip", translate(DUPLICATE_PERIOD, {"row": seen[nip, period]}))
            )
        elif nip and period:
            seen[nip, period] = number
        if nip and period and parsed:
            result.append({"nip": nip, "period": period, **parsed})
    if problems:
        raise FileRejected(file_name, problems)
    return result


def _period(value: Any, row: int, problems: list[RowProblem]) -> int | None:
    try:
        year = int(float(_text(value)))
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        message = translate(N_("the period must be a year (e.g. 2026)"))
        problems.append(RowProblem(row, "periode", message))
        return None
    return year


def _predicate(
    values: dict[str, Any], settings: TalentBoxSettings, row: int, problems: list[RowProblem]
) -> dict[str, Any] | None:
    given = _text(values.get("predikat", values.get("predicate")))
    results, behaviour = _text(values.get("hasil_kerja")), _text(values.get("perilaku_kerja"))
    hasil, perilaku = rules.rating(results), rules.rating(behaviour)
    if given:
        name = rules.canonical_predicate(settings, given)
        if name is None:
            message = translate(N_("unknown predicate '%(given)s'"), {"given": given})
            problems.append(RowProblem(row, "predikat", message))
            return None
        if hasil and perilaku and rules.predicate(settings, hasil, perilaku) != name:
            derived = rules.predicate(settings, hasil, perilaku)
            problems.append(
                RowProblem(
                    row, "predikat", translate(CONTRADICTS, {"name": name, "derived": derived})
                )
            )
            return None
        if hasil and perilaku:
            return {"predicate": name, "rating_results": hasil, "rating_behaviour": perilaku}
        return {"predicate": name, "rating_results": None, "rating_behaviour": None}
    if hasil is None or perilaku is None:
        column = "hasil_kerja" if hasil is None else "perilaku_kerja"
        problems.append(
            RowProblem(
                row,
                column,
                translate(PREDICATE_OR_RATINGS),
            )
        )
        return None
    return {
        "predicate": rules.predicate(settings, hasil, perilaku),
        "rating_results": hasil,
        "rating_behaviour": perilaku,
    }


STATUS_WORDS = {
    "unverified": "unverified",
    "belum": "unverified",
    "belum diverifikasi": "unverified",
    "": "unverified",
    "verified": "verified",
    "terverifikasi": "verified",
    "diverifikasi": "verified",
    "rejected": "rejected",
    "ditolak": "rejected",
}


def read_profile(
    file_name: str, content: bytes, settings: TalentBoxSettings
) -> list[dict[str, Any]]:
    """Profile component records: `nip`, `komponen`, `nilai`, optional `keterangan`, and the
    verification `status` (unverified / verified / rejected) with `diverifikasi_oleh` and
    `diverifikasi_pada` when it is not unverified. One row per record; a person may have
    several records of one component (e.g. awards)."""
    components = settings.weighted.profile_components()
    problems: list[RowProblem] = []
    result = []
    rows = records(file_name, content)
    if not rows:
        raise FileRejected(file_name, [RowProblem(1, "-", translate(N_("empty file")))])
    for number, raw in rows:
        values = {str(k).strip().lower(): v for k, v in raw.items() if k}
        before = len(problems)
        nip = _nip(values.get("nip"), number, problems)
        key = _text(values.get("komponen")).lower()
        value = _text(values.get("nilai"))
        if key not in components:
            known = ", ".join(components)
            message = translate(N_("'%(key)s' unknown (%(known)s)"), {"key": key, "known": known})
            problems.append(RowProblem(number, "komponen", message))
        else:
            try:
                weighting.value_points(components[key], value)
            except weighting.BadValue as exc:
                problems.append(RowProblem(number, "nilai", str(exc)))
        status = _status(values, number, problems)
        if len(problems) == before:
            result.append(
                {
                    "row_number": number,
                    "nip": nip,
                    "component": key,
                    "value": value[:200],
                    "description": _text(values.get("keterangan")),
                    **status,
                }
            )
    if problems:
        raise FileRejected(file_name, problems)
    return result


def _status(values: dict[str, Any], row: int, problems: list[RowProblem]) -> dict[str, Any]:
    word = " ".join(_text(values.get("status")).lower().split())
    status = STATUS_WORDS.get(word)
    if status is None:
        problems.append(RowProblem(row, "status", translate(BAD_STATUS, {"word": word})))
        return {}
    if status == "unverified":
        return {"status": status, "status_by": None, "status_at": None}
    by = _text(values.get("diverifikasi_oleh"))
    given = _text(values.get("diverifikasi_pada"))
    at = _when(values.get("diverifikasi_pada"))
    if not by:
        message = translate(N_("who verified it?"))
        problems.append(RowProblem(row, "diverifikasi_oleh", message))
    if not given:
        problems.append(RowProblem(row, "diverifikasi_pada", translate(DATE_NEEDED)))
    elif at is None:
        problems.append(
            RowProblem(row, "diverifikasi_pada", translate(NOT_A_DATE, {"given": given}))
        )
    return {"status": status, "status_by": by[:64], "status_at": at}


def _when(value: Any) -> datetime | None:
    """A date or date-time (ISO text or an XLSX date); a time without a zone is UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(_text(value))
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
