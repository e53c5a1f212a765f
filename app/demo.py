"""`proasn demo`: the sample bank, a short demo event with a session open now, a few
participants. Safe to run again: it updates the same demo event."""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from app.accounts import repository as accounts_repository
from app.accounts.passwords import hash_password
from app.accounts.service import create_user
from app.audit.service import Actor
from app.bank.loader import load_bank
from app.bank.service import BankInvalid, import_bank
from app.demo_history import simulate_finished_session, simulated_participants
from app.exams import repository
from app.exams.event_file import EventDoc
from app.exams.models import Event
from app.exams.participant_file import Row
from app.exams.preparation import Progress, prepare_sessions
from app.exams.service import import_event
from app.i18n import N_, translate
from app.kit import clock
from app.kit.secrets_gen import hash_access_code, unambiguous_code
from app.kit.timezones import format_local, to_local
from app.proctoring.assignments import assign_proctor
from app.scoring import repository as scoring_repository
from app.scoring.service import run_scoring

SAMPLE_BANK = Path(__file__).resolve().parent.parent / "question_bank" / "sample"
DEMO_EVENT = "demo"
DEMO_SESSION = "DEMO-1"
HISTORY_SESSION = "DEMO-0"  # yesterday's session, finished, for the analyst pages
DEMO_ZONE = "Asia/Jakarta"

# Invented officials; NIPs follow the DOMAIN.md layout (birth date, appointment, sex, number).
DEMO_PARTICIPANTS = [
    ("197805122003121001", "Budi Santoso", "3404", "Kepala Bidang Anggaran", "III.a"),
    ("198203152006042002", "Siti Rahmawati", "3404", "Kepala Seksi Pelayanan", "IV.a"),
    ("197511202000031003", "Agus Wibowo", "3404", "Sekretaris Badan", "II.b"),
    ("198807072010012004", "Dewi Lestari", "7371", "Kepala Subbagian Umum", "IV.a"),
    ("198012302005021005", "Made Wirawan", "7371", "Kepala Dinas Kominfo", "II.a"),
]
# One participant with accommodations (docs/exam_setup.md): what the board, the seat page,
# the instructions and the test page show for them.
DEMO_ACCOMMODATIONS = {"198807072010012004": {"extra_time_percent": "50", "large_print": "ya"}}


READY = N_("ProASN CAT demo ready at %(url)s — participant page: %(url)s/ujian")
SESSION_OPEN = N_("Session %(code)s opened %(starts)s; room token: %(token)s")
PARTICIPANTS = N_("Demo participants (NIP — name — access code):")
STAFF_LOGIN = N_("Staff login at %(url)s/staf/masuk (username — password):")
OWN_RESULTS = N_(
    "Own results at %(url)s/hasil — officials of the finished session %(session)s "
    "(NIP — name — access code):"
)


@dataclass(frozen=True)
class DemoSummary:
    session_code: str
    token: str
    starts: str
    participants: list[tuple[str, str, str]]  # formatted NIP, name, access code
    staff: list[tuple[str, str, str]]  # role, username, password
    # Two officials of the finished session DEMO-0: their self-view shows the published potency
    # result and, once a talent-box run is released, their box.
    history: list[tuple[str, str, str]] = field(default_factory=list)

    def render_text(self, url: str) -> str:
        session = {"code": self.session_code, "starts": self.starts, "token": self.token}
        lines = [
            translate(READY, {"url": url}),
            translate(SESSION_OPEN, session),
            translate(PARTICIPANTS),
            *(f"  {nip} — {name} — {code}" for nip, name, code in self.participants),
            translate(STAFF_LOGIN, {"url": url}),
            *(f"  {role}: {username} — {password}" for role, username, password in self.staff),
            translate(OWN_RESULTS, {"url": url, "session": HISTORY_SESSION}),
            *(f"  {nip} — {name} — {code}" for nip, name, code in self.history),
        ]
        return "\n".join(lines)


def demo_event_doc() -> EventDoc:
    start = to_local(clock.now(), DEMO_ZONE).replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % 5)
    return EventDoc.model_validate(
        {
            "code": DEMO_EVENT,
            "name": "Demo Profil Potensi ProASN",
            "organiser": "BKN (demo)",
            "time_zone": DEMO_ZONE,
            "agencies": [
                {"code": "3404", "name": "Pemerintah Kabupaten Sleman", "seats": 100},
                {"code": "7371", "name": "Pemerintah Kota Makassar", "seats": 100},
            ],
            "blueprint": {
                "total_time_minutes": 30,
                "sections": [
                    {"title": "Penalaran Verbal", "subtest": "verbal", "items": 5},
                    {"title": "Penalaran Numerik", "subtest": "numerik", "items": 5},
                    {"title": "Penalaran Figural", "subtest": "figural", "items": 5},
                    {"title": "Penilaian Situasional", "subtest": "sjt", "items": 5},
                ],
            },
            "sessions": [
                {
                    "code": HISTORY_SESSION,
                    "venue": "Kantor Regional BKN (demo)",
                    "room": "Ruang CAT 1",
                    "date": start.date() - timedelta(days=1),
                    "start": "08:00",
                    "capacity": 40,
                },
                {
                    "code": DEMO_SESSION,
                    "venue": "Kantor Regional BKN (demo)",
                    "room": "Ruang CAT 1",
                    "date": start.date(),
                    "start": start.time(),
                    "capacity": 40,
                },
            ],
        }
    )


def _row(number: int, person: tuple[str, ...]) -> Row:
    """A participant file's row (as `proasn event import` reads one) of a demo person."""
    columns = ("nip", "name", "agency", "position", "eselon", "session")
    values = dict(zip(columns, person, strict=True))
    return Row(number, values | DEMO_ACCOMMODATIONS.get(values["nip"], {}))


def build_demo(db: Session, progress: Progress | None = None) -> DemoSummary:
    bank = load_bank(SAMPLE_BANK)
    if not bank.ok:
        raise BankInvalid(bank)
    import_bank(db, bank, progress)
    people = [(*p, DEMO_SESSION) for p in DEMO_PARTICIPANTS]
    people += [(*p, HISTORY_SESSION) for p in simulated_participants(len(people), HISTORY_SESSION)]
    rows = [_row(number, person) for number, person in enumerate(people, 2)]
    import_event(db, demo_event_doc(), rows, redraw=True)
    event = repository.event_by_code(db, DEMO_EVENT)
    assert event is not None
    prepare_sessions(db, event, [DEMO_SESSION])
    _finished_history(db, event)
    exam_session = repository.session_by_code(db, event.id, DEMO_SESSION)
    assert exam_session is not None
    exam_session.status = "open"
    exam_session.opened_at = exam_session.opened_at or clock.now()
    return DemoSummary(
        DEMO_SESSION,
        exam_session.room_token,
        format_local(exam_session.starts_at, exam_session.time_zone),
        _reissue_codes(db, event.id, {nip for nip, *_ in DEMO_PARTICIPANTS}),
        _demo_staff(db),
        _reissue_codes(
            db, event.id, {nip for nip, *_ in simulated_participants(0, HISTORY_SESSION)[:2]}
        ),
    )


DEMO_STAFF = [
    ("admin", "admin", "Admin Demo", None),
    ("proctor", "pengawas1", "Pengawas Satu", None),
    ("proctor", "pengawas2", "Pengawas Dua", None),
    ("analyst", "analis", "Analis BKN", None),
    ("agency_viewer", "sleman", "Peninjau Kab. Sleman", "3404"),
]


def _demo_staff(db: Session) -> list[tuple[str, str, str]]:
    """Demo only: the staff accounts, with fresh passwords on every run."""
    printed = []
    for role, username, full_name, agency_code in DEMO_STAFF:
        password = unambiguous_code(12)
        user = accounts_repository.user_by_username(db, username)
        if user is None:
            by_code = repository.agencies_by_code(db, [agency_code]) if agency_code else {}
            agency = by_code.get(agency_code or "")
            create_user(db, username, password, role, full_name, agency.id if agency else None)
        else:
            user.password_hash = hash_password(password)
            user.active = True
        if role == "proctor":
            assign_proctor(db, username, DEMO_EVENT, DEMO_SESSION)
        printed.append((role, username, password))
    return printed


def _finished_history(db: Session, event: Event) -> None:
    """Yesterday's simulated session and a first (unpublished) scoring run of it."""
    history = repository.session_by_code(db, event.id, HISTORY_SESSION)
    assert history is not None
    if history.status != "closed":
        prepare_sessions(db, event, [HISTORY_SESSION])
    simulate_finished_session(db, event, history)
    db.flush()
    if not scoring_repository.runs(db, event.id):
        run_scoring(db, event, Actor(None, "demo", "analyst"), note="run demo")


def _reissue_codes(db: Session, event_id: uuid.UUID, nips: set[str]) -> list[tuple[str, str, str]]:
    """Demo only: fresh access codes on every run so the printed ones always work."""
    issued = []
    for participant in repository.participants(db, event_id):
        if participant.nip not in nips:
            continue
        code = unambiguous_code(12)
        participant.access_code_hash = hash_access_code(code)
        issued.append((_spaced(participant.nip), participant.name, code))
    db.flush()
    return issued


def _spaced(nip: str) -> str:
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
