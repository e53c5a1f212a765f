"""Reading a participant list (CSV or XLSX) into numbered rows with canonical column names.

Row numbers are what a spreadsheet shows: the header is row 1, the first participant row 2.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from app.i18n import N_, translate

# Indonesian headers first; English accepted too.
COLUMN_ALIASES = {
    "nip": "nip",
    "nama": "name",
    "name": "name",
    "instansi": "agency",
    "kode_instansi": "agency",
    "agency": "agency",
    "jabatan": "position",
    "position": "position",
    "eselon": "eselon",
    "sesi": "session",
    "kode_sesi": "session",
    "session": "session",
    # Optional accommodations (docs/exam_setup.md).
    "tambahan_waktu_persen": "extra_time_percent",
    "extra_time_percent": "extra_time_percent",
    "cetak_besar": "large_print",
    "large_print": "large_print",
}
REQUIRED_COLUMNS = ("nip", "name", "agency", "position", "eselon", "session")


@dataclass(frozen=True)
class FileProblem:
    row: int
    column: str
    message: str


class ParticipantFileInvalid(Exception):
    def __init__(self, path: Path, problems: list[FileProblem]) -> None:
        super().__init__(
            translate(N_("%(path)s: %(count)s errors"), {"path": path, "count": len(problems)})
        )
        self.path = path
        self.problems = problems


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]


def read_participant_file(path: Path) -> list[Row]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw_rows = _csv_rows(path)
    elif suffix == ".xlsx":
        raw_rows = _xlsx_rows(path)
    else:
        raise ParticipantFileInvalid(
            path, [FileProblem(0, "-", translate(N_("only .csv or .xlsx")))]
        )
    try:
        header = next(raw_rows)
    except StopIteration:
        raise ParticipantFileInvalid(
            path, [FileProblem(1, "-", translate(N_("empty file")))]
        ) from None
    columns = [COLUMN_ALIASES.get(_header_key(h), "") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        message = translate(N_("required column missing from the header row"))
        problem = FileProblem(1, ", ".join(missing), message)
        raise ParticipantFileInvalid(path, [problem])
    rows = []
    for number, cells in enumerate(raw_rows, start=2):
        # A column of the header is in every row's values (empty where the row is short):
        # an optional column left out of the file is then told apart from an empty cell.
        values = {c: cells[i] if i < len(cells) else "" for i, c in enumerate(columns) if c}
        if any(v for v in values.values()):
            rows.append(Row(number, values))
    return rows


def _header_key(value: str) -> str:
    return "_".join(str(value or "").strip().lower().split())


def _csv_rows(path: Path) -> Iterator[list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to Indonesian write ';' between fields.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    for cells in csv.reader(io.StringIO(text), delimiter=delimiter):
        yield [c.strip() for c in cells]


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for cells in sheet.iter_rows(values_only=True):
            yield [_cell_text(c) for c in cells]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # An 18-digit NIP typed as a number loses digits in Excel; flag it instead of guessing.
        return f"#NUMBER:{value!r}"
    return str(value).strip()
