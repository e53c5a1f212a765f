"""Streaming CSV / NDJSON and spooled XLSX writers: memory stays flat however many rows go
through them. Shared (kit) so every export — scores, talent box — writes the same way."""

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe; true and
    false are written as NDJSON writes them (Python's True / False was a second spelling)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_chunks(
    header: list[str], rows: Iterable[dict[str, Any] | Sequence[Any]], every: int = 500
) -> Iterator[str]:
    """The one CSV writer of the product (exports, the session report, item analysis, access
    code files): rows as dicts keyed by the header, or as sequences in its order; every text
    cell through the formula guard (`=HYPERLINK(…)` in an incident note ran in the report)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for count, values in enumerate(rows, start=1):
        cells = [values.get(k) for k in header] if isinstance(values, dict) else values
        if isinstance(values, dict) and len(values) != len(header):
            raise ValueError(f"row keys {sorted(values)} do not match the header")
        writer.writerow([_cell(v) for v in cells])
        if count % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def ndjson_chunks(rows: Iterable[dict[str, Any]], every: int = 500) -> Iterator[str]:
    lines = []
    for values in rows:
        lines.append(json.dumps(values, ensure_ascii=False, default=str))
        if len(lines) >= every:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def xlsx_file(
    header: list[str], rows: Iterable[dict[str, Any]], sheet_name: str = "skor"
) -> IO[bytes]:
    """A write-only workbook spooled to a temporary file (XLSX cannot be streamed as it is
    written: it is a zip whose directory comes last)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.append(header)
    for values in rows:
        sheet.append([_xlsx_cell(sheet, values.get(column)) for column in header])
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned
    workbook.save(spool)
    spool.seek(0)
    return spool


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """openpyxl stores text starting with '=' as a formula: keep such text a plain string."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def file_chunks(handle: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()
