"""A personal login PIN (issue 19, item 7): with `login_pin: true` in the event file, a taker
logs in with NIP, room token and the PIN printed on their card; someone who knows a
colleague's NIP and the room's token can no longer sit as them."""

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.cli import write_access_codes
from app.exams import repository as exams_repository
from app.exams.service import IssuedCode, import_event
from app.kit.clock import FrozenClock, use_clock
from app.kit.secrets_gen import verify_pin
from app.main import create_app
from tests.delivery.factories import OpenExam, committed_exam, open_exam
from tests.exams.factories import event_data, event_doc, participant, rows

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[FrozenClock]:
    with use_clock(FrozenClock(START)) as c:
        yield c


def test_the_import_issues_each_participant_a_pin_kept_only_as_a_hash(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = open_exam(db_session, tmp_path, people=3, login_pin=True)
    assert exam.event.login_pin and set(exam.pins) == set(exam.nips)
    assert all(len(pin) == 6 and pin.isdigit() for pin in exam.pins.values())
    for person in exams_repository.participants(db_session, exam.event.id):
        assert person.login_pin_hash and exam.pins[person.nip] not in person.login_pin_hash
        assert verify_pin(person.login_pin_hash, exam.pins[person.nip])
        assert not verify_pin(person.login_pin_hash, "")


def test_switching_pins_on_later_gives_one_to_whoever_has_none(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = open_exam(db_session, tmp_path, people=2)
    assert exam.pins == {} and not exam.event.login_pin
    people = rows(participant(1), participant(2))
    data = event_data(login_pin=True)
    data["blueprint"]["sections"][0]["time_limit_minutes"] = None  # as open_exam drew it
    report = import_event(db_session, event_doc(**data), people)
    assert [(c.nip, c.access_code) for c in report.issued_codes] == [(n, "") for n in exam.nips]
    assert all(c.pin for c in report.issued_codes)
    again = import_event(db_session, event_doc(**data), people)
    assert again.issued_codes == []  # issued once; the cards print new ones


def test_the_codes_file_gets_a_pin_column_only_when_pins_were_issued(tmp_path: Path) -> None:
    plain, with_pins = tmp_path / "a.csv", tmp_path / "b.csv"
    write_access_codes(plain, [IssuedCode("1", "Ani", "S1", "KODE")])
    write_access_codes(with_pins, [IssuedCode("1", "Ani", "S1", "KODE", "012345")])
    assert next(csv.reader(plain.open())) == ["nip", "nama", "sesi", "kode_akses"]
    assert list(csv.reader(with_pins.open())) == [
        ["nip", "nama", "sesi", "kode_akses", "pin"],
        ["1", "Ani", "S1", "KODE", "012345"],
    ]
    assert oct(with_pins.stat().st_mode & 0o777) == "0o600"


# --- logging in -----------------------------------------------------------------------------


def make_exam(database: str, tmp_path: Path, **settings) -> OpenExam:
    return committed_exam(database, tmp_path, people=2, **settings)


@pytest.fixture
def exam(use_database: str, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return make_exam(use_database, tmp_path, login_pin=True)


@pytest.fixture
def app(use_database: str) -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        yield client


def api_login(client: TestClient, exam: OpenExam, pin: str | None = None, n: int = 0):
    body = {"nip": exam.nips[n], "token": exam.token}
    if pin is not None:
        body["pin"] = pin
    return client.post("/api/v1/taker/login", json=body)


def wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 10**6:06d}"


def test_the_api_asks_for_the_pin_and_refuses_a_wrong_one(app: TestClient, exam: OpenExam) -> None:
    pin = exam.pins[exam.nips[0]]
    missing = api_login(app, exam)
    assert missing.status_code == 401 and missing.json()["code"] == "pin_required"
    refused = api_login(app, exam, wrong(pin))
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_pin"
    assert "proasn_taker" not in refused.headers.get("set-cookie", "")
    # a colleague's PIN does not open this seat
    other = api_login(app, exam, exam.pins[exam.nips[1]])
    assert other.status_code == 401 and other.json()["code"] == "invalid_pin"
    accepted = api_login(app, exam, f" {pin[:3]} {pin[3:]} ")  # spaces as typed
    assert accepted.status_code == 200 and accepted.json()["nip"] == exam.nips[0]


def test_wrong_pins_count_toward_the_login_limit(
    app: TestClient, exam: OpenExam, frozen: FrozenClock
) -> None:
    pin = exam.pins[exam.nips[0]]
    for _ in range(5):
        assert api_login(app, exam, wrong(pin)).status_code == 401
    waiting = api_login(app, exam, pin)  # even the right one waits now
    assert waiting.status_code == 429 and waiting.json()["code"] == "too_many_attempts"
    assert int(waiting.headers["Retry-After"]) >= 1
    frozen.advance(seconds=120)
    assert api_login(app, exam, pin).status_code == 200


def test_the_login_page_asks_for_the_pin_after_nip_and_token(
    app: TestClient, exam: OpenExam
) -> None:
    page = app.get("/ujian")
    assert 'name="pin"' not in page.text  # the event is not known before the token
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"nip": exam.nips[0], "token": exam.token, "csrf_token": csrf}
    asked = app.post("/ujian/masuk", data=form)
    assert asked.status_code == 401 and 'name="pin"' in asked.text
    assert "Masukkan PIN yang tercetak pada kartu peserta Anda." in asked.text
    assert f'value="{exam.token}"' in asked.text and f'value="{exam.nips[0]}"' in asked.text
    pin = exam.pins[exam.nips[0]]
    refused = app.post("/ujian/masuk", data={**form, "pin": wrong(pin)})
    assert (
        refused.status_code == 401 and "PIN salah" in refused.text and 'name="pin"' in refused.text
    )
    entered = app.post("/ujian/masuk", data={**form, "pin": pin})
    assert entered.status_code == 200 and "/ujian/konfirmasi" in str(entered.url)


def test_an_event_without_pins_logs_in_as_before(
    use_database: str, tmp_path: Path, frozen: FrozenClock, app: TestClient
) -> None:
    plain = make_exam(use_database, tmp_path)
    page = app.get("/ujian")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    entered = app.post(
        "/ujian/masuk", data={"nip": plain.nips[0], "token": plain.token, "csrf_token": csrf}
    )
    assert entered.status_code == 200 and "/ujian/konfirmasi" in str(entered.url)
    other = TestClient(app.app)
    assert api_login(other, plain, "123456", n=1).status_code == 200  # a PIN is not asked
