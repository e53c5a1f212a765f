"""Event files, participant lists and valid NIPs for exam set-up tests."""

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

from app.exams.event_file import EventDoc
from app.exams.participant_file import Row

HEADER = ["nip", "nama", "instansi", "jabatan", "eselon", "sesi"]


def valid_nip(n: int) -> str:
    """A distinct, valid NIP for each n (birth date, appointment 25 years later, sex, number)."""
    birth = date(1970, 1, 1) + timedelta(days=(n * 37) % 9000)
    appointment = f"{birth.year + 25}{(n % 12) + 1:02d}"
    return f"{birth:%Y%m%d}{appointment}{1 + n % 2}{(n % 999) + 1:03d}"


def event_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "proasn-uji",
        "name": "Uji Profil Potensi",
        "organiser": "BKN Kanreg Uji",
        "time_zone": "Asia/Makassar",
        "agencies": [
            {"code": "7371", "name": "Pemerintah Kota Makassar", "seats": 10},
            {"code": "7302", "name": "Pemerintah Kabupaten Bulukumba", "seats": 10},
        ],
        "blueprint": {
            "total_time_minutes": 60,
            "sections": [
                {
                    "title": "Verbal",
                    "subtest": "verbal",
                    "items": 3,
                    "time_limit_minutes": 20,
                    "instructions": "Pilih kata yang paling dekat artinya.",
                },
                {"title": "Situasional", "subtest": "sjt", "items": 2},
            ],
        },
        "sessions": [
            {
                "code": "S1",
                "venue": "Kanreg IV",
                "room": "CAT 1",
                "date": "2026-12-01",
                "start": "08:00",
                "capacity": 5,
            },
            {
                "code": "S2",
                "venue": "Kanreg IV",
                "room": "CAT 2",
                "date": "2026-12-01",
                "start": "13:00",
                "capacity": 5,
                "time_zone": "Asia/Jayapura",
            },
        ],
    }
    data.update(overrides)
    return data


def event_doc(**overrides: Any) -> EventDoc:
    return EventDoc.model_validate(event_data(**overrides))


def participant(n: int, session: str = "S1", agency: str = "7371", **values: str) -> dict[str, str]:
    row = {
        "nip": valid_nip(n),
        "name": f"Peserta {n}",
        "agency": agency,
        "position": "Kepala Seksi",
        "eselon": "IV.a",
        "session": session,
    }
    row.update(values)
    return row


def rows(*participants: dict[str, str]) -> list[Row]:
    return [Row(number, values) for number, values in enumerate(participants, start=2)]


def write_event_file(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _cells(p: dict[str, str]) -> list[str]:
    return [p["nip"], p["name"], p["agency"], p["position"], p["eselon"], p["session"]]


def write_participants_csv(path: Path, participants: list[dict[str, str]], sep: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=sep)
        writer.writerow(HEADER)
        writer.writerows(_cells(p) for p in participants)
    return path


def write_participants_xlsx(path: Path, participants: list[dict[str, Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for p in participants:
        sheet.append(_cells(p))
    workbook.save(path)
    return path
