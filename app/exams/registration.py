"""Checking participant rows against an event: every bad row reported, none written.

The checks see the event as it will be after the import: participants already registered and
not in the file still take their seats and quota.
"""

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from app.exams.participant_file import FileProblem, Row
from app.i18n import N_, translate
from app.kit.nip import InvalidNIP, normalise_nip

_ESELON = re.compile(r"^(II|III|IV|2|3|4)\s*\.?\s*([AB])?$", re.IGNORECASE)
_ROMAN = {"2": "II", "3": "III", "4": "IV"}
_PERCENT = re.compile(r"^(\d{1,3})\s*%?$")
MAX_EXTRA_TIME_PERCENT = 100
_YES = ("ya", "yes", "y", "true")
_NO = ("tidak", "no", "t", "n", "false", "")

# Problem texts of a participant row, rendered in the importer's language.
DUPLICATE_NIP = N_("duplicate NIP: already in row %(row)s")
UNKNOWN_AGENCY = N_("agency '%(agency)s' is not registered in this event")
NIP_AS_NUMBER = N_("NIP stored as a number in Excel and lost digits; store it as text")
BAD_EXTRA_TIME = N_(
    "tambahan_waktu_persen '%(given)s' is not valid: write a whole number 0-%(most)s "
    "(percent of the test time), e.g. 25"
)
BAD_LARGE_PRINT = N_("cetak_besar '%(given)s' is not valid: write 'ya' or 'tidak'")
SESSION_OVER = N_(
    "session %(code)s: capacity %(seats)s seats, but %(count)s participants are registered in "
    "this session; raise the capacity or move participants first"
)
AGENCY_OVER = N_(
    "agency %(code)s: quota %(seats)s seats, but %(count)s participants are registered from "
    "this agency; raise the quota or reduce participants first"
)
OVER_CAPACITY = N_("over the capacity of session %(session)s (%(seats)s seats)")
OVER_QUOTA = N_("over the quota of agency %(agency)s (%(seats)s seats)")


@dataclass(frozen=True)
class Registration:
    row: int
    nip: str
    name: str
    agency_code: str
    position: str
    eselon: str
    session_code: str
    # Accommodations; None where the file has no such column (a re-import keeps the stored).
    extra_time_percent: int | None = None
    large_print: bool | None = None


@dataclass(frozen=True)
class Seats:
    """What the rows are checked against."""

    session_capacity: dict[str, int]  # session code → capacity
    agency_codes: dict[str, str]  # code or lower-cased name → agency code
    agency_seats: dict[str, int]  # agency code → quota
    kept: Sequence[tuple[str, str]]  # (session code, agency code) of registrations not in file


def normalise_eselon(raw: str) -> str:
    match = _ESELON.match(raw.strip())
    if not match:
        raise ValueError(translate(N_("eselon must be II, III or IV (.a / .b allowed)")))
    level = _ROMAN.get(match.group(1), match.group(1).upper())
    return level + (f".{match.group(2).lower()}" if match.group(2) else "")


def check_rows(
    rows: Sequence[Row], seats: Seats, today: date
) -> tuple[list[Registration], list[FileProblem]]:
    registrations: list[Registration] = []
    problems: list[FileProblem] = []
    first_row_of_nip: dict[str, int] = {}
    for row in rows:
        registration, row_problems = _check_row(row, seats, today, first_row_of_nip)
        problems.extend(row_problems)
        if registration is not None:
            registrations.append(registration)
    problems.extend(_over_capacity(registrations, seats))
    problems.sort(key=lambda p: (p.row, p.column))
    return registrations, problems


def _check_row(
    row: Row, seats: Seats, today: date, first_row_of_nip: dict[str, int]
) -> tuple[Registration | None, list[FileProblem]]:
    problems: list[FileProblem] = []
    values = row.values

    def bad(column: str, message: str) -> None:
        problems.append(FileProblem(row.number, column, message))

    nip = _check_nip(values.get("nip", ""), today, bad)
    if nip is not None:
        if nip in first_row_of_nip:
            bad("nip", translate(DUPLICATE_NIP, {"row": first_row_of_nip[nip]}))
        else:
            first_row_of_nip[nip] = row.number
    for column in ("name", "position"):
        if not values.get(column):
            bad(column, translate(N_("required")))
    agency = seats.agency_codes.get(values.get("agency", "").strip().lower())
    if agency is None:
        bad("agency", translate(UNKNOWN_AGENCY, {"agency": values.get("agency", "")}))
    session = values.get("session", "").strip()
    if session not in seats.session_capacity:
        bad("session", translate(N_("unknown session '%(session)s'"), {"session": session}))
    eselon = _check_eselon(values.get("eselon", ""), bad)
    extra = _check_extra_time(values.get("extra_time_percent"), bad)
    large_print = _check_large_print(values.get("large_print"), bad)
    if problems or nip is None or agency is None or eselon is None:
        return None, problems
    registration = Registration(
        row.number,
        nip,
        values["name"],
        agency,
        values["position"],
        eselon,
        session,
        extra,
        large_print,
    )
    return registration, problems


# report(column, message): one problem of the row being checked
Report = Callable[[str, str], None]


def parse_extra_time(raw: str) -> int:
    """`tambahan_waktu_persen`: a whole percentage 0-100 ("25", "25 %"); empty is 0."""
    text = raw.strip()
    if text.startswith("#NUMBER:"):  # a number cell of a spreadsheet: 25.0 is 25
        number = text.removeprefix("#NUMBER:").removesuffix(".0")
        text = number if number.isdigit() else raw
    if not text:
        return 0
    match = _PERCENT.match(text)
    if not match or int(match.group(1)) > MAX_EXTRA_TIME_PERCENT:
        shown = raw.removeprefix("#NUMBER:")
        raise ValueError(
            translate(BAD_EXTRA_TIME, {"given": shown, "most": MAX_EXTRA_TIME_PERCENT})
        )
    return int(match.group(1))


def parse_large_print(raw: str) -> bool:
    """`cetak_besar`: ya / tidak (yes / no); empty is tidak."""
    text = raw.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(translate(BAD_LARGE_PRINT, {"given": raw}))


def _check_extra_time(raw: str | None, bad: Report) -> int | None:
    if raw is None:
        return None
    try:
        return parse_extra_time(raw)
    except ValueError as exc:
        bad("extra_time_percent", str(exc))
        return None


def _check_large_print(raw: str | None, bad: Report) -> bool | None:
    if raw is None:
        return None
    try:
        return parse_large_print(raw)
    except ValueError as exc:
        bad("large_print", str(exc))
        return None


def _check_nip(raw: str, today: date, bad: Report) -> str | None:
    if raw.startswith("#NUMBER:"):
        bad("nip", translate(NIP_AS_NUMBER))
        return None
    try:
        return normalise_nip(raw, today)
    except InvalidNIP as exc:
        bad("nip", translate(N_("invalid NIP: %(reason)s"), {"reason": exc}))
        return None


def _check_eselon(raw: str, bad: Report) -> str | None:
    try:
        return normalise_eselon(raw)
    except ValueError as exc:
        bad("eselon", str(exc))
        return None


def over_limits(registrations: Sequence[Registration], seats: Seats) -> list[str]:
    """Sessions and agencies whose registrations (the file's and those kept from before)
    outnumber the capacity or quota the event file now gives them. Re-importing an event
    file that lowered a capacity below the people already seated was accepted (3/1)."""
    per_session = Counter(session for session, _ in seats.kept)
    per_agency = Counter(agency for _, agency in seats.kept)
    per_session.update(r.session_code for r in registrations)
    per_agency.update(r.agency_code for r in registrations)
    problems = [
        translate(
            SESSION_OVER, {"code": code, "seats": seats.session_capacity[code], "count": count}
        )
        for code, count in sorted(per_session.items())
        if code in seats.session_capacity and count > seats.session_capacity[code]
    ]
    problems += [
        translate(AGENCY_OVER, {"code": code, "seats": seats.agency_seats[code], "count": count})
        for code, count in sorted(per_agency.items())
        if code in seats.agency_seats and count > seats.agency_seats[code]
    ]
    return problems


def _over_capacity(registrations: Sequence[Registration], seats: Seats) -> list[FileProblem]:
    """Report the first row that takes a session or an agency past its limit, and each after."""
    per_session = Counter(session for session, _ in seats.kept)
    per_agency = Counter(agency for _, agency in seats.kept)
    problems = []
    for r in registrations:
        per_session[r.session_code] += 1
        per_agency[r.agency_code] += 1
        capacity = seats.session_capacity[r.session_code]
        if per_session[r.session_code] > capacity:
            message = translate(OVER_CAPACITY, {"session": r.session_code, "seats": capacity})
            problems.append(FileProblem(r.row, "session", message))
        quota = seats.agency_seats[r.agency_code]
        if per_agency[r.agency_code] > quota:
            message = translate(OVER_QUOTA, {"agency": r.agency_code, "seats": quota})
            problems.append(FileProblem(r.row, "agency", message))
    return problems
