"""The readiness page and its report: public, keyed by the room token, limited; the proctor's
list of PCs, for the room's proctors and admins only."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import make_engine
from app.main import create_app
from app.readiness.models import PcCheck
from app.readiness.service import MAX_PCS_PER_ROOM
from tests.proctoring.factories import World, world_in


@pytest.fixture
def world(use_database: str, tmp_path: Path) -> World:
    return world_in(use_database, tmp_path)


@pytest.fixture
def client(use_database: str):
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


def measured(**changes: Any) -> dict[str, Any]:
    body = {
        "local_storage": True,
        "session_storage": True,
        "fetch": True,
        "event_source": True,
        "service_worker": True,
        "screen_width": 1366,
        "screen_height": 768,
        "viewport_width": 1366,
        "viewport_height": 650,
        "latencies_ms": [4, 5, 6, 5, 5],
        "clock_offset_ms": 1500,
        "utc_offset_minutes": 480,
        "time_zone": "Asia/Makassar",
    }
    return {**body, **changes}


def rows(url: str) -> list[PcCheck]:
    engine = make_engine(url)
    with Session(engine) as db:
        found = list(db.scalars(select(PcCheck).order_by(PcCheck.pc_label)))
    engine.dispose()
    return found


def test_the_page_is_public_shows_every_rule_and_loads_its_script(client, world) -> None:
    page = client.get("/ujian/cek")
    assert page.status_code == 200 and "Periksa PC ini sebelum tes" in page.text
    assert "Layar minimal 1024 × 768 piksel" in page.text
    assert "Median dari 5 permintaan paling lama 500 ms" in page.text
    assert "/static/" in page.text and "check.js" in page.text and "<script>" not in page.text
    client.cookies.set("lang", "en")
    assert "Screen at least 1024 × 768 pixels" in client.get("/ujian/cek").text
    client.cookies.delete("lang")
    assert 'href="/ujian/cek"' in client.get("/ujian").text  # linked from the taker login
    now = client.get("/ujian/cek/waktu").json()
    assert now["now"].endswith("+00:00") and now["seb"] is False
    seb = client.get("/ujian/cek/waktu", headers={"X-SafeExamBrowser-RequestHash": "ab12"})
    assert seb.json()["seb"] is True


def test_a_report_with_the_room_token_is_kept_and_a_recheck_replaces_it(
    client, world, use_database
) -> None:
    token = world.exam.token
    reply = client.post(
        "/ujian/cek/lapor", json=measured(room_token=token.lower(), pc_label=" PC-07 ")
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["passed"] is True and body["summary"] == "PC ini siap"
    assert body["zone"] == "WITA" and body["checked_at"].endswith("WITA")
    assert body["results"]["latency"] == {"verdict": "pass", "words": "lolos", "value": "5 ms"}
    assert body["results"]["service_worker"]["value"] == "ya"
    again = client.post(
        "/ujian/cek/lapor",
        json=measured(room_token=token, pc_label="PC-07", screen_width=800, screen_height=600),
        headers={"User-Agent": "Mozilla/5.0 SEB/3.5"},
    )
    assert (
        again.json()["passed"] is False and again.json()["results"]["screen"]["verdict"] == "fail"
    )
    [kept] = rows(use_database)
    assert kept.pc_label == "PC-07" and not kept.passed and kept.results["seb"]["value"] == "yes"


def test_a_wrong_token_is_refused_and_limited(client, world, use_database) -> None:
    for _ in range(10):
        wrong = client.post("/ujian/cek/lapor", json=measured(room_token="ZZZZZZ", pc_label="PC-1"))
        assert wrong.status_code == 401 and wrong.json()["code"] == "unknown_room"
    limited = client.post(
        "/ujian/cek/lapor", json=measured(room_token=world.exam.token, pc_label="PC-1")
    )
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert rows(use_database) == []


def test_a_report_needs_a_label_and_json(client, world) -> None:
    no_label = client.post(
        "/ujian/cek/lapor", json=measured(room_token=world.exam.token, pc_label=" ")
    )
    assert no_label.status_code == 422 and "label PC" in no_label.json()["message"]
    form = client.post(
        "/ujian/cek/lapor", data={"room_token": world.exam.token, "pc_label": "PC-1"}
    )
    assert form.status_code == 422  # a cross-site form cannot report


def test_the_room_s_proctor_sees_the_pcs_and_others_do_not(client, world) -> None:
    client.post("/ujian/cek/lapor", json=measured(room_token=world.exam.token, pc_label="PC-07"))
    client.post(
        "/ujian/cek/lapor",
        json=measured(room_token=world.exam.token, pc_label="PC-08", event_source=False),
    )
    client.post("/ujian/cek/lapor", json=measured(room_token=world.other_token, pc_label="PC-99"))
    s = world.session_id

    def page(persona: str):
        client.cookies.set("proasn_staff", world.staff_tokens[persona])
        return client.get(f"/pengawas/sesi/{s}")

    seen = page("proctor").text
    listed = seen.split('id="pc-checks"')[1].split("</section>")[0]
    assert "Kesiapan PC" in seen and "PC-07" in listed and "PC-08" in listed
    assert "PC-99" not in listed  # another room's PC
    assert listed.count('data-passed="1"') == 1 and listed.count('data-passed="0"') == 1
    assert "WITA" in listed
    assert "PC-07" in page("admin").text
    for persona in ("other_proctor", "analyst", "viewer"):
        assert page(persona).status_code == 403, persona
    client.cookies.delete("proasn_staff")
    assert client.get(f"/pengawas/sesi/{s}").status_code == 303  # not logged in


def test_a_room_holds_a_bounded_number_of_pcs(client, world, monkeypatch) -> None:
    from app.readiness import service

    monkeypatch.setattr(service, "MAX_PCS_PER_ROOM", 2)
    for label in ("PC-1", "PC-2"):
        ok = client.post(
            "/ujian/cek/lapor", json=measured(room_token=world.exam.token, pc_label=label)
        )
        assert ok.status_code == 200
    full = client.post(
        "/ujian/cek/lapor", json=measured(room_token=world.exam.token, pc_label="PC-3")
    )
    assert full.status_code == 422
    recheck = client.post(
        "/ujian/cek/lapor", json=measured(room_token=world.exam.token, pc_label="PC-1")
    )
    assert recheck.status_code == 200  # a known PC may always be checked again
    assert MAX_PCS_PER_ROOM >= 100
