"""Reading the two inputs: the potency scores export (exports/schema.py, version 1) and the
performance ratings (SKP). Every bad row is reported with row, column and reason; nothing is
returned when any row is bad."""

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from app.exports.schema import COMPOSITE_COLUMNS, FIXED_COLUMNS, SCHEMA_VERSION
from app.kit.nip import InvalidNIP, normalise_nip
from app.talentbox import rules
from app.talentbox.settings import TalentBoxSettings

LEVELS = ("rendah", "menengah", "tinggi")


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


class FileRejected(Exception):
    def __init__(self, file_name: str, problems: list[RowProblem]) -> None:
        super().__init__(f"{file_name}: {len(problems)} kesalahan")
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
    raise FileRejected(file_name, [RowProblem(0, "-", "hanya .csv, .xlsx atau .ndjson")])


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _nip(value: Any, row: int, problems: list[RowProblem]) -> str | None:
    if isinstance(value, float):
        problems.append(RowProblem(row, "nip", "NIP tersimpan sebagai angka; simpan sebagai teks"))
        return None
    try:
        return normalise_nip(_text(value))
    except InvalidNIP as exc:
        problems.append(RowProblem(row, "nip", f"NIP tidak sah: {exc}"))
        return None


def read_potency(file_name: str, content: bytes) -> list[dict[str, Any]]:
    """Rows of a scores export (schema version 1); participants without a level are kept
    with level None (not assessed), so they are listed, not dropped."""
    rows = records(file_name, content)
    problems: list[RowProblem] = []
    header = list(rows[0][1]) if rows else []
    missing = [c for c in FIXED_COLUMNS + COMPOSITE_COLUMNS if c not in header]
    if missing:
        raise FileRejected(
            file_name, [RowProblem(1, ", ".join(missing), "kolom ekspor skor tidak ada")]
        )
    result, seen = [], {}
    for number, values in rows:
        if _text(values.get("schema_version")) != SCHEMA_VERSION:
            problems.append(RowProblem(number, "schema_version", "versi skema bukan 1"))
        nip = _nip(values.get("nip"), number, problems)
        level = _text(values.get("potency_level")) or None
        if level is not None and level not in LEVELS:
            problems.append(RowProblem(number, "potency_level", f"tingkat '{level}' tidak dikenal"))
        if nip in seen:
            problems.append(RowProblem(number, "nip", f"NIP ganda: sudah ada di baris {seen[nip]}"))
        elif nip:
            seen[nip] = number
        result.append(_potency(values, nip, level))
    if problems:
        raise FileRejected(file_name, problems)
    return result


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
    result, seen = [], {}
    for number, raw in records(file_name, content):
        values = {k.strip().lower(): v for k, v in raw.items() if k}
        nip = _nip(values.get("nip"), number, problems)
        period = _period(values.get("periode", values.get("period")), number, problems)
        parsed = _predicate(values, settings, number, problems)
        key = (nip, period)
        if nip and period and key in seen:
            problems.append(RowProblem(number, "nip", f"NIP dan periode ganda: baris {seen[key]}"))
        elif nip and period:
            seen[key] = number
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
        problems.append(RowProblem(row, "periode", "periode harus tahun (mis. 2026)"))
        return None
    return year


def _predicate(
    values: dict[str, Any], settings: TalentBoxSettings, row: int, problems: list[RowProblem]
) -> dict[str, Any] | None:
    given = _text(values.get("predikat", values.get("predicate")))
    results, behaviour = _text(values.get("hasil_kerja")), _text(values.get("perilaku_kerja"))
    if given:
        name = rules.canonical_predicate(settings, given)
        if name is None:
            problems.append(RowProblem(row, "predikat", f"predikat '{given}' tidak dikenal"))
            return None
        return {"predicate": name, "rating_results": None, "rating_behaviour": None}
    hasil, perilaku = rules.rating(results), rules.rating(behaviour)
    if hasil is None or perilaku is None:
        column = "hasil_kerja" if hasil is None else "perilaku_kerja"
        problems.append(
            RowProblem(
                row,
                column,
                "isi predikat, atau rating hasil kerja dan perilaku "
                "kerja (di atas / sesuai / di bawah ekspektasi)",
            )
        )
        return None
    return {
        "predicate": rules.predicate(settings, hasil, perilaku),
        "rating_results": hasil,
        "rating_behaviour": perilaku,
    }
