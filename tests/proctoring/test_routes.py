"""Every proctor route for every persona; CSRF; the pages work end to end."""

import re

import pytest
from fastapi.testclient import TestClient

from app.db import make_engine, make_sessionmaker, transaction
from tests.proctoring.factories import PERSONAS, World

CSRF = "csrf-uji-token"


def client_for(app, world: World, persona: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    client.cookies.set("proasn_csrf", CSRF)
    if persona in world.staff_tokens:
        client.cookies.set("proasn_staff", world.staff_tokens[persona])
    if persona in world.taker_tokens:
        client.cookies.set("proasn_taker", world.taker_tokens[persona])
    return client


def proctor_routes(world: World) -> list[tuple[str, str, dict]]:
    s, p = world.session_id, world.participant_ids[0]
    seat = f"/pengawas/sesi/{s}/peserta/{p}"
    reason = {"reason": "uji"}
    return [
        ("GET", f"/pengawas/sesi/{s}", {}),
        ("GET", f"/pengawas/sesi/{s}/papan", {}),
        ("GET", f"/pengawas/sesi/{s}/token", {}),
        ("GET", f"/pengawas/sesi/{s}/daftar-hadir", {}),
        ("GET", f"/pengawas/sesi/{s}/berita-acara", {}),
        ("GET", f"/pengawas/sesi/{s}/berita-acara.csv", {}),
        ("GET", seat, {}),
        ("POST", f"/pengawas/sesi/{s}/buka", {}),
        ("POST", f"/pengawas/sesi/{s}/token/rotasi", {}),
        ("POST", f"/pengawas/sesi/{s}/token/otomatis", {"minutes": "15"}),
        ("POST", f"/pengawas/sesi/{s}/jeda", reason),
        ("POST", f"/pengawas/sesi/{s}/lanjut", reason),
        ("POST", f"/pengawas/sesi/{s}/pesan", {"message": "halo"}),
        ("POST", f"/pengawas/sesi/{s}/kejadian", {"kind": "other:other", "note": "catatan"}),
        ("POST", f"/pengawas/sesi/{s}/kartu", {}),
        ("POST", f"{seat}/hadir", {"attendance": "present", "version": "1"}),
        ("POST", f"{seat}/izinkan", {}),
        ("POST", f"{seat}/jeda", reason),
        ("POST", f"{seat}/lanjut", reason),
        ("POST", f"{seat}/tambah-waktu", {"minutes": "5", **reason}),
        ("POST", f"{seat}/reset-login", reason),
        ("POST", f"{seat}/pin", reason),
        ("POST", f"{seat}/akhiri", {"confirm": "true", **reason}),
        ("POST", f"/pengawas/sesi/{s}/massal", {"action": "admit", "participant_id": p, **reason}),
        ("POST", f"/pengawas/sesi/{s}/massal", {"action": "pause", "participant_id": p, **reason}),
        ("POST", f"/pengawas/sesi/{s}/massal", {"action": "resume", "participant_id": p, **reason}),
        (
            "POST",
            f"/pengawas/sesi/{s}/massal",
            {"action": "extra_time", "minutes": "5", "participant_id": p, **reason},
        ),
        # no such request: refused with a reason for those allowed, forbidden for the rest
        ("POST", f"/pengawas/sesi/{s}/permintaan-reset/{p}/setujui", {}),
        ("POST", f"/pengawas/sesi/{s}/permintaan-reset/{p}/tolak", {}),
        ("POST", f"/pengawas/sesi/{s}/tutup", {"confirm": "true"}),
    ]


ALLOWED = {"admin", "proctor"}
EVERYONE = (*PERSONAS, "taker", "other_taker", "outsider")


@pytest.mark.parametrize("persona", EVERYONE)
def test_proctor_routes_are_for_admins_and_the_rooms_proctors_only(
    app,
    world: World,
    persona: str,
) -> None:
    client = client_for(app, world, persona)
    for method, path, form in proctor_routes(world):
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": CSRF, **form})
        if persona in ALLOWED:
            assert response.status_code in (200, 303), (path, response.status_code)
            if response.status_code == 303:
                assert "/staf/masuk" not in response.headers["location"], path
        elif persona in world.staff_tokens:
            assert response.status_code == 403, (persona, path, response.status_code)
        elif method == "GET":
            assert response.status_code == 303, (persona, path)
            assert response.headers["location"].startswith("/staf/masuk"), path
        else:
            assert response.status_code == 401, (persona, path)


def test_the_other_rooms_proctor_manages_their_own_room(app, world: World) -> None:
    client = client_for(app, world, "other_proctor")
    assert client.get(f"/pengawas/sesi/{world.other_session_id}").status_code == 200


@pytest.mark.parametrize(
    ("persona", "path", "allowed"),
    [
        *((p, "/admin/pengguna", p == "admin") for p in PERSONAS),
        *((p, "/admin/penugasan", p == "admin") for p in PERSONAS),
        *((p, "/audit", p in ("admin", "analyst")) for p in PERSONAS),
        *((p, "/instansi", p in ("viewer", "other_viewer")) for p in PERSONAS),
    ],
)
def test_staff_pages_by_role(app, world: World, persona: str, path: str, allowed: bool) -> None:
    response = client_for(app, world, persona).get(path)
    assert response.status_code == (200 if allowed else 403), (persona, path)


def test_agency_viewer_sees_only_own_agency_and_no_scores(app, world: World) -> None:
    page = client_for(app, world, "viewer").get("/instansi").text
    assert "Peserta 1" in page and "Peserta 4" not in page
    assert "Skor" not in page and "skor" not in page
    other = client_for(app, world, "other_viewer").get("/instansi").text
    assert "Peserta 4" in other and "Peserta 1" not in other


def test_post_without_csrf_token_is_refused(app, world: World) -> None:
    client = client_for(app, world, "admin")
    s = world.session_id
    response = client.post(f"/pengawas/sesi/{s}/jeda", data={"reason": "x"})
    assert response.status_code == 403 and response.json()["code"] == "csrf_rejected"
    response = client.post(f"/pengawas/sesi/{s}/jeda", data={"reason": "x", "csrf_token": "lain"})
    assert response.status_code == 403


def test_refused_action_comes_back_with_the_reason(app, world: World) -> None:
    client = client_for(app, world, "proctor")
    seat = f"/pengawas/sesi/{world.session_id}/peserta/{world.participant_ids[0]}"
    response = client.post(f"{seat}/jeda", data={"csrf_token": CSRF, "reason": "x"})
    assert response.status_code == 303 and response.headers["location"] == seat
    page = client.get(response.headers["location"])
    assert "peserta belum memulai tes" in page.text and 'class="alert"' in page.text
    # shown once: a reload does not repeat it, and a link cannot put words on the page
    assert "peserta belum memulai tes" not in client.get(seat).text
    forged = client.get(seat, params={"pesan": "Hubungi 0812 untuk token baru", "galat": "1"})
    assert forged.status_code == 200 and "0812" not in forged.text


def test_board_poll_returns_only_changed_rows(app, world: World) -> None:
    from datetime import UTC, datetime, timedelta

    from app.kit.clock import FrozenClock, use_clock

    with use_clock(FrozenClock(datetime.now(UTC) + timedelta(seconds=5))):
        _poll_only_changed(app, world)


def _poll_only_changed(app, world: World) -> None:
    client = client_for(app, world, "proctor")
    s = world.session_id
    full = client.get(f"/pengawas/sesi/{s}").text
    cursor = re.search(r'id="board-cursor" data-since="([^"]+)"', full)
    assert cursor and full.count('class="seat ') == 3
    quiet = client.get(f"/pengawas/sesi/{s}/papan", params={"since": cursor.group(1)}).text
    assert quiet.count('class="seat ') == 0 and "board-totals" in quiet
    seat = f"/pengawas/sesi/{s}/peserta/{world.participant_ids[0]}"
    client.post(
        f"{seat}/hadir",
        data={"csrf_token": CSRF, "attendance": "present", "pc_number": "PC-9", "version": "1"},
    )
    changed = client.get(f"/pengawas/sesi/{s}/papan", params={"since": cursor.group(1)}).text
    assert changed.count('class="seat ') == 1 and "PC-9" in changed


def test_report_lists_actions_with_reasons_and_exports_csv(app, world: World) -> None:
    client = client_for(app, world, "admin")
    s = world.session_id
    client.post(
        f"/pengawas/sesi/{s}/kejadian",
        data={"csrf_token": CSRF, "kind": "environment:power", "note": "listrik padam"},
    )
    client.post(f"/pengawas/sesi/{s}/pesan", data={"csrf_token": CSRF, "message": "tenang"})
    report = client.get(f"/pengawas/sesi/{s}/berita-acara").text
    assert "listrik padam" in report and "pesan ke ruang" in report
    assert "lingkungan / listrik" in report and "environment / power" not in report
    assert "<td>unknown</td>" not in report and "<td>belum dicatat</td>" in report
    board = client.get(f"/pengawas/sesi/{s}").text  # statuses and categories in words
    assert "<strong>dibuka</strong>" in board and ">lingkungan / listrik<" in board
    assert "(administrator)" in board
    csv_text = client.get(f"/pengawas/sesi/{s}/berita-acara.csv").text
    assert csv_text.startswith("bagian,waktu,peserta") and "listrik padam" in csv_text


def test_cards_print_new_access_codes(app, world: World) -> None:
    client = client_for(app, world, "proctor")
    page = client.post(f"/pengawas/sesi/{world.session_id}/kartu", data={"csrf_token": CSRF})
    codes = re.findall(r'<dd class="code">([A-Z0-9]+)</dd>', page.text)
    assert page.status_code == 200 and len(codes) == 3 and len(set(codes)) == 3


def test_the_report_csv_guards_cells_a_spreadsheet_would_run(app, world: World) -> None:
    """Before: berita-acara.csv wrote incident notes like =HYPERLINK(...) as they came."""
    import csv
    import io

    client = client_for(app, world, "admin")
    s = world.session_id
    notes = ['=HYPERLINK("http://evil";"klik")', "=1+2", "@SUM(A1:A9)", "+62 811", "-1"]
    for note in notes:
        client.post(
            f"/pengawas/sesi/{s}/kejadian",
            data={"csrf_token": CSRF, "kind": "other:other", "note": note},
        )
    rows = list(csv.reader(io.StringIO(client.get(f"/pengawas/sesi/{s}/berita-acara.csv").text)))
    details = {cell for row in rows if row[0] == "kejadian" for cell in row}
    assert {"'" + note for note in notes} <= details
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_board_and_attendance_list_show_a_seats_accommodations(
    app, world: World, use_database: str
) -> None:
    from sqlalchemy import update

    from app.exams.models import Participant

    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        db.execute(
            update(Participant)
            .where(Participant.nip == world.exam.nips[0])
            .values(extra_time_percent=25, large_print=True)
        )
    engine.dispose()
    client = client_for(app, world, "proctor")
    s = world.session_id
    board = client.get(f"/pengawas/sesi/{s}").text
    rows = re.findall(r'<tr id="seat-.*?</tr>', board, re.S)
    marked = [r for r in rows if world.exam.nips[0] in r]
    assert len(rows) == 3 and len(marked) == 1
    assert "+25 % waktu" in marked[0] and "cetak besar" in marked[0]
    assert all("waktu</span>" not in r and "cetak besar" not in r for r in rows if r not in marked)
    seat = client.get(f"/pengawas/sesi/{s}/peserta/{world.participant_ids[0]}").text
    assert "+25 % waktu" in seat and "cetak besar" in seat
    attendance = client.get(f"/pengawas/sesi/{s}/daftar-hadir").text
    assert attendance.count("+25 % waktu") == 1 and attendance.count("cetak besar") == 1
    cards = client.post(f"/pengawas/sesi/{s}/kartu", data={"csrf_token": CSRF}).text
    assert cards.count("+25 % waktu") == 1 and cards.count("cetak besar") == 1
