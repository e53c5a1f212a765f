"""A participant sees their own published result, and nobody else's."""

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db import make_engine, make_sessionmaker, transaction
from app.kit.secrets_gen import hash_access_code
from app.main import create_app
from app.scoring import service
from tests.delivery.factories import open_exam
from tests.scoring.test_service import ANALYST, sit


def seeded(url: str, tmp_path: Path, publish: bool) -> list[str]:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as db:
        exam = open_exam(db, tmp_path, people=2)
        sit(db, exam, 0, best=True)
        sit(db, exam, 1, best=False)
        run = service.run_scoring(db, exam.event, ANALYST)
        if publish:
            service.publish(db, ANALYST, run)
        _set_codes(db, exam.event.id)
        nips = exam.nips
    engine.dispose()
    return nips


def _set_codes(db: Session, event_id) -> None:
    from app.exams.repository import participants

    for n, person in enumerate(participants(db, event_id)):
        person.access_code_hash = hash_access_code(f"KODE{n}AAAAAAA")


def look_up(client: TestClient, nip: str, code: str):
    page = client.get("/hasil")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/hasil", data={"nip": nip, "code": code, "csrf_token": token})


def codes_by_nip(url: str) -> dict[str, str]:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as db:
        from sqlalchemy import select

        from app.exams.models import Participant

        people = sorted(db.scalars(select(Participant)), key=lambda p: p.nip)  # as _set_codes
        result = {p.nip: f"KODE{n}AAAAAAA" for n, p in enumerate(people)}
    engine.dispose()
    return result


def test_published_result_is_shown_to_its_owner_only(use_database: str, tmp_path: Path) -> None:
    nips = seeded(use_database, tmp_path, publish=True)
    codes = codes_by_nip(use_database)
    with TestClient(create_app()) as client:
        mine = look_up(client, nips[0], codes[nips[0]])
        assert (
            mine.status_code == 200
            and "Tingkat potensi" in mine.text
            and "Peserta 1" in mine.text
            and "Tes Situasional" in mine.text
            and "<td>sjt</td>" not in mine.text  # names
        )
        assert "Peserta 2" not in mine.text
        other = look_up(client, nips[0], codes[nips[1]])  # someone else's code
        assert other.status_code == 401 and "Peserta" not in other.text


def test_unpublished_result_is_not_shown(use_database: str, tmp_path: Path) -> None:
    nips = seeded(use_database, tmp_path, publish=False)
    codes = codes_by_nip(use_database)
    with TestClient(create_app()) as client:
        page = look_up(client, nips[0], codes[nips[0]])
        assert "Hasil Anda belum diterbitkan." in page.text and "Tingkat potensi" not in page.text


def test_guessing_is_rate_limited(use_database: str, tmp_path: Path) -> None:
    nips = seeded(use_database, tmp_path, publish=True)
    codes = codes_by_nip(use_database)
    with TestClient(create_app()) as client:
        for n in range(5):
            assert look_up(client, nips[0], f"SALAH{n}").status_code == 401
        waiting = look_up(client, nips[0], codes[nips[0]])  # per NIP: even the right code waits
        assert waiting.status_code == 429 and int(waiting.headers["Retry-After"]) >= 1
        assert "coba lagi" in waiting.text
        for n in range(15):  # per address: wrong tries for any NIP add up
            look_up(client, f"1980010120060499{n:02}", "SALAH")
        assert look_up(client, nips[1], codes[nips[1]]).status_code == 429
    with TestClient(create_app(), client=("10.7.0.1", 1)) as elsewhere:
        assert look_up(elsewhere, nips[1], codes[nips[1]]).status_code == 200


def test_released_talent_box_appears_in_the_self_view(use_database: str, tmp_path: Path) -> None:
    """The box shows once its run is released (even before the potency result is published);
    one run per period is released, so a later release replaces the earlier one."""
    from app.talentbox import placement, service
    from app.talentbox.repository import run_by_number
    from tests.talentbox.test_service import ANALYST as TB_ANALYST
    from tests.talentbox.test_service import PERFORMANCE, potency_csv

    nips = seeded(use_database, tmp_path, publish=False)
    codes = codes_by_nip(use_database)
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        potency = service.import_potency(db, TB_ANALYST, "skor.csv", potency_csv())
        performance = service.import_performance(db, TB_ANALYST, "skp.csv", PERFORMANCE)
        placement.place(db, TB_ANALYST, potency.id, performance.id, 2026)
        better = PERFORMANCE.replace(b";2026;Sangat Baik;", b";2026;Baik;")
        second = service.import_performance(db, TB_ANALYST, "skp-koreksi.csv", better)
        placement.place(db, TB_ANALYST, potency.id, second.id, 2026)
    engine.dispose()

    def page() -> str:
        with TestClient(create_app()) as client:
            return look_up(client, nips[0], codes[nips[0]]).text

    def release(number: int) -> None:
        engine = make_engine(use_database)
        with transaction(make_sessionmaker(engine)) as db:
            run = run_by_number(db, number)
            assert run is not None
            service.release(db, TB_ANALYST, run)
        engine.dispose()

    assert "Kotak talenta" not in page()
    release(1)
    shown = page()
    assert "belum diterbitkan" in shown  # the potency result is not published yet
    assert "Kotak talenta (periode 2026)" in shown and "kotak 9" in shown
    assert "promosi dan dipertahankan" in shown
    # What the box means, in words (DOMAIN.md: kotak 9 = tinggi × di atas ekspektasi).
    assert "Kotak 9 berarti: potensi Anda tinggi dan kinerja Anda di atas ekspektasi." in shown
    assert "tingkat kinerja Anda berasal dari predikat SKP Anda (Sangat Baik)" in shown
    assert shown.count('id="talent-box"') == 1
    release(2)  # tinggi × Baik (sesuai): kotak 8, and run 1 is withdrawn
    shown = page()
    assert "kotak 8" in shown and "kotak 9" not in shown
    assert "Kotak 8 berarti: potensi Anda tinggi dan kinerja Anda sesuai ekspektasi." in shown
    with TestClient(create_app(), cookies={"lang": "en"}) as client:
        english = look_up(client, nips[0], codes[nips[0]]).text
    assert (
        "Box 8 means: your potential is high and your performance is in line with expectations."
        in english
    )
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        assert run_by_number(db, 1).released_at is None
    engine.dispose()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_result_stays_on_reload_and_when_the_language_is_switched(
    use_database: str, tmp_path: Path
) -> None:
    """The result was only the answer to the form's POST: a reload or the language link
    (a GET of /hasil) showed the empty form, as if the official had been logged out."""
    nips = seeded(use_database, tmp_path, publish=True)
    codes = codes_by_nip(use_database)
    with TestClient(create_app()) as client:
        first = look_up(client, nips[0], codes[nips[0]])
        assert first.status_code == 200 and "Peserta 1" in first.text
        assert [r.status_code for r in first.history] == [303]  # post/redirect/get
        again = client.get("/hasil")
        assert "Peserta 1" in again.text and 'id="nip"' not in again.text
        english = client.get("/bahasa/en", params={"next": "/hasil"})
        assert english.url.path == "/hasil" and 'lang="en"' in english.text
        assert "Potency level" in english.text and "Peserta 1" in english.text
        assert 'id="nip"' not in english.text


def test_log_out_ends_the_login(use_database: str, tmp_path: Path) -> None:
    nips = seeded(use_database, tmp_path, publish=True)
    codes = codes_by_nip(use_database)
    with TestClient(create_app()) as client:
        shown = look_up(client, nips[0], codes[nips[0]])
        token = client.cookies.get("proasn_hasil")
        assert token and 'action="/hasil/keluar"' in shown.text
        out = client.post("/hasil/keluar", data={"csrf_token": csrf_of(shown.text)})
        assert out.status_code == 200 and "Anda telah keluar." in out.text
        assert 'id="nip"' in out.text and "Peserta 1" not in out.text
        assert "Anda telah keluar." not in client.get("/hasil").text  # said once
    with TestClient(create_app(), cookies={"proasn_hasil": token}) as replay:
        refused = replay.get("/hasil")  # the old cookie, kept by someone: the login has ended
        assert refused.status_code == 401 and "Peserta 1" not in refused.text
        assert "Sesi Anda telah berakhir" in refused.text


def test_the_login_ends_after_a_quiet_half_hour(use_database: str, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from app.kit.clock import FrozenClock, use_clock

    nips = seeded(use_database, tmp_path, publish=True)
    codes = codes_by_nip(use_database)
    with (
        use_clock(FrozenClock(datetime(2026, 12, 4, 1, 0, tzinfo=UTC))) as clock,
        TestClient(create_app()) as client,
    ):
        look_up(client, nips[0], codes[nips[0]])
        clock.advance(minutes=29)
        assert "Peserta 1" in client.get("/hasil").text  # and this request counts as use
        clock.advance(minutes=29)
        assert "Peserta 1" in client.get("/hasil").text
        clock.advance(minutes=31)
        assert client.get("/hasil").status_code == 401
