"""Exports never hand a spreadsheet a formula that came from imported data."""

import csv
import io

from openpyxl import load_workbook

from app.kit.streaming import csv_chunks, file_chunks, xlsx_file

EVIL = '=HYPERLINK("http://evil";"klik")'
ROWS = [{"name": EVIL, "note": "+62 812", "score": -1.5, "empty": None}]
HEADER = ["name", "note", "score", "empty"]


def test_csv_prefixes_formula_text() -> None:
    text = "".join(csv_chunks(HEADER, ROWS))
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["name"] == "'" + EVIL and row["note"] == "'+62 812"
    assert row["score"] == "-1.5" and row["empty"] == ""  # numbers stay numbers


def test_xlsx_keeps_formula_text_a_string() -> None:
    content = b"".join(file_chunks(xlsx_file(HEADER, ROWS)))
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    name = sheet.cell(row=2, column=1)
    assert name.value == EVIL and name.data_type == "s"  # shown as text, never evaluated
    assert sheet.cell(row=2, column=3).value == -1.5
