"""Who was there: the one definition of a room's attendance counts.

The board's totals, the attendance list and the session report (berita acara) all count with
`count_attendance`, so they cannot disagree (issue 22: the report once said "Hadir 3" with one
person marked present, and listed two people nobody had marked absent as absent).

Attendance is what a proctor recorded, never inferred: a logged-in seat is not "present" until
someone checked the person in, and a seat nobody recorded is "not recorded", not "absent". What
the seat did is counted beside it, so a report shows people who sat the test unrecorded.
"""

from collections.abc import Iterable
from dataclasses import dataclass

PRESENT = ("present", "late")


@dataclass(frozen=True)
class AttendanceCounts:
    registered: int
    present: int  # recorded present, late arrivals included
    late: int
    absent: int  # recorded absent
    unrecorded: int  # nothing recorded yet
    unrecorded_signed_in: int  # of those: logged in or began the test (record them)
    absent_signed_in: int  # recorded absent, yet logged in or began: check who sits there

    @property
    def agrees(self) -> bool:
        return self.present + self.absent + self.unrecorded == self.registered


def group(attendance: str | None) -> str:
    """present | absent | unrecorded — the three groups every count and list uses."""
    if attendance in PRESENT:
        return "present"
    if attendance == "absent":
        return "absent"
    return "unrecorded"


def count_attendance(seats: Iterable[tuple[str | None, bool]]) -> AttendanceCounts:
    """Counts over (recorded attendance, logged in or began the test) per seat."""
    registered = present = late = absent = unrecorded = unrecorded_in = absent_in = 0
    for attendance, signed_in in seats:
        registered += 1
        kind = group(attendance)
        if kind == "present":
            present += 1
            late += attendance == "late"
        elif kind == "absent":
            absent += 1
            absent_in += signed_in
        else:
            unrecorded += 1
            unrecorded_in += signed_in
    return AttendanceCounts(registered, present, late, absent, unrecorded, unrecorded_in, absent_in)
