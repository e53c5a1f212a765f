"""Taker pages: the flow through plain forms, CSRF, language switch, fragments, CSP."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.db import make_engine, make_sessionmaker, transaction
from app.kit.clock import FrozenClock, use_clock
from app.main import create_app
from tests.delivery.factories import OpenExam, committed_exam


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))) as c:
        yield c


@pytest.fixture
def exam(use_database: str, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return committed_exam(use_database, tmp_path, people=2, section_limits=(20, None))


@pytest.fixture
def client(use_database: str):
    with TestClient(create_app()) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def logged_in(client: TestClient, exam: OpenExam) -> TestClient:
    page = client.get("/ujian")
    response = client.post(
        "/ujian/masuk",
        data={"nip": exam.nips[0], "token": exam.token, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 200, response.text  # followed the redirect
    return client


def test_login_page_is_indonesian_and_sets_csrf_cookie(client: TestClient, exam: OpenExam) -> None:
    page = client.get("/ujian")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text and "Masuk ke tes" in page.text
    assert "proasn_csrf" in page.headers["set-cookie"]


def test_login_without_csrf_token_is_refused(client: TestClient, exam: OpenExam) -> None:
    client.get("/ujian")
    response = client.post("/ujian/masuk", data={"nip": exam.nips[0], "token": exam.token})
    assert response.status_code == 403 and response.json()["code"] == "csrf_rejected"


def test_wrong_token_rerenders_the_form_with_4xx(client: TestClient, exam: OpenExam) -> None:
    page = client.get("/ujian")
    response = client.post(
        "/ujian/masuk",
        data={"nip": exam.nips[0], "token": "ZZZZZZ", "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 401
    assert "NIP atau token ruang salah" in response.text and exam.nips[0] in response.text


def test_flow_confirm_instructions_practice_start_item_submit(
    client: TestClient, exam: OpenExam
) -> None:
    confirm = logged_in(client, exam).get("/ujian/lanjut")
    assert "Apakah ini data Anda?" in confirm.text and "Peserta 1" in confirm.text
    assert "Pemerintah Kota Makassar" in confirm.text and "S1" in confirm.text
    instructions = client.get("/ujian/petunjuk")
    assert "Tes ini terdiri atas 5 soal dalam 2 bagian." in instructions.text
    practice = client.get("/ujian/latihan/1")
    assert 'data-practice="1"' in practice.text and "Tidak dinilai" in practice.text
    item = client.post("/ujian/mulai", data={"csrf_token": csrf_of(practice.text)})
    assert item.url.path == "/ujian/soal/1"
    assert 'id="taker"' in item.text and 'data-sequential="1"' in item.text
    assert 'data-remaining="3600"' in item.text and 'data-section-remaining="1200"' in item.text
    summary = client.get("/ujian/kumpulkan")
    assert "Nomor soal yang belum dijawab:" in summary.text
    assert 'id="clock"' in summary.text and 'id="save-status"' in summary.text
    finished = client.post("/ujian/kumpulkan", data={"csrf_token": csrf_of(summary.text)})
    assert finished.url.path == "/ujian/selesai" and "Tes selesai" in finished.text
    assert "Skor" not in finished.text  # the event does not show results (default)


def test_refresh_resumes_on_the_same_item(client: TestClient, exam: OpenExam) -> None:
    page = logged_in(client, exam).get("/ujian/latihan/2")
    client.post("/ujian/mulai", data={"csrf_token": csrf_of(page.text)})
    client.get("/ujian/soal/3")
    assert client.get("/ujian/lanjut").url.path == "/ujian/soal/3"
    client.get("/ujian/paket-soal?dari=1&sampai=2")  # prefetching is not a visit
    assert client.get("/ujian/lanjut").url.path == "/ujian/soal/3"


def test_batch_is_the_item_partial_once_per_reachable_item(
    client: TestClient, exam: OpenExam
) -> None:
    """The page's prefetch: one request, the same partial as the page, only the open
    section's items (the first section has a time limit: items 1-3)."""
    page = logged_in(client, exam).get("/ujian/latihan/1")
    client.post("/ujian/mulai", data={"csrf_token": csrf_of(page.text)})
    batch = client.get("/ujian/paket-soal?dari=2&sampai=5")
    assert batch.status_code == 200 and batch.headers["cache-control"] == "no-store"
    assert "<html" not in batch.text and 'id="taker"' not in batch.text
    assert re.findall(r'<article id="item" class="item" data-position="(\d+)"', batch.text) == [
        "2",
        "3",
    ]
    assert batch.text.count("Soal 2") == 1 and "/ 5</span>" in batch.text
    first = client.get("/ujian/paket-soal?dari=1&sampai=1").text
    assert "section-intro" in first  # the section's instructions head its first item


def test_the_test_page_carries_its_first_batch_as_the_batch_request_sends_it(
    client: TestClient, exam: OpenExam
) -> None:
    """The items the page would ask for first (prefetch.page_batch) come with the page, in
    an inert template holding what /ujian/paket-soal sends: its load asks for no batch."""
    page = logged_in(client, exam).get("/ujian/latihan/1")
    client.post("/ujian/mulai", data={"csrf_token": csrf_of(page.text)})
    for position, first, last in ((1, 2, 3), (2, 1, 3)):  # the open section: items 1-3
        html = client.get(f"/ujian/soal/{position}").text
        kept = re.search(r'<template id="kept-items">(.*?)</template>', html, re.S)
        assert kept is not None
        batch = client.get(f"/ujian/paket-soal?dari={first}&sampai={last}").text
        assert kept.group(1) == batch and batch.count("<article") == last - first + 1


def test_batch_refuses_bad_ranges_and_strangers(client: TestClient, exam: OpenExam) -> None:
    assert client.get("/ujian/paket-soal?dari=1&sampai=2").status_code in (303, 307, 200)
    page = logged_in(client, exam).get("/ujian/latihan/1")
    client.post("/ujian/mulai", data={"csrf_token": csrf_of(page.text)})
    for query in ("dari=3&sampai=2", "dari=0&sampai=3", "dari=1&sampai=26", "dari=a&sampai=2"):
        assert client.get(f"/ujian/paket-soal?{query}").status_code == 422, query
    assert client.get("/ujian/paket-soal?dari=1&sampai=25").status_code == 200


def test_locked_section_item_redirects_to_the_current_item(
    client: TestClient, exam: OpenExam
) -> None:
    page = logged_in(client, exam).get("/ujian/latihan/1")
    client.post("/ujian/mulai", data={"csrf_token": csrf_of(page.text)})
    assert client.get("/ujian/soal/5").url.path == "/ujian/soal/1"


def test_english_switch(client: TestClient, exam: OpenExam) -> None:
    response = client.get("/bahasa/en?next=/ujian")
    assert response.url.path == "/ujian" and '<html lang="en">' in response.text
    assert "Log in to the test" in response.text
    assert client.get("/bahasa/id?next=https://evil.example/").url.path == "/"


def test_item_text_is_escaped(client: TestClient, exam: OpenExam, use_database: str) -> None:
    from sqlalchemy import update

    from app.bank.models import ItemVersion

    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        db.execute(update(ItemVersion).values(stem="<script>alert(1)</script> & <b>x</b>"))
    engine.dispose()
    page = logged_in(client, exam).get("/ujian/latihan/1")
    item = client.post("/ujian/mulai", data={"csrf_token": csrf_of(page.text)})
    assert "<script>alert(1)</script>" not in item.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in item.text


def test_taker_pages_send_a_strict_csp(client: TestClient, exam: OpenExam) -> None:
    csp = client.get("/ujian").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    assert "<script>" not in client.get("/ujian").text  # no inline script anywhere


def test_not_logged_in_pages_go_to_login(client: TestClient, exam: OpenExam) -> None:
    assert client.get("/ujian/soal/1").url.path == "/ujian"
    assert client.get("/ujian/selesai").url.path == "/ujian"


def test_submit_page_lists_flagged_but_unanswered_items_as_unanswered(
    client: TestClient, exam: OpenExam
) -> None:
    page = logged_in(client, exam).get("/ujian/latihan/1")
    client.post("/ujian/mulai", data={"csrf_token": csrf_of(page.text)})
    item = client.get("/api/v1/taker/items/2").json()
    client.put(
        "/api/v1/taker/answers/2",
        json={"option_id": None, "flagged": True, "seq": item["seq_base"] + 1},
    )
    summary = client.get("/ujian/kumpulkan").text
    unanswered = re.search(r"yang belum dijawab:(.*?)</p>", summary, re.S).group(1)
    assert ">2<" in unanswered and "Nomor soal yang ditandai ragu-ragu:" in summary


def test_a_batch_carries_its_figures_so_a_kept_item_is_whole_offline(
    client: TestClient, exam: OpenExam, use_database: str
) -> None:
    """Figures travel inside the item as data: URIs (a URL of their own was one more request
    per figure, through the ORM path, and broke offline moves to kept items)."""
    import base64

    from sqlalchemy import select, update

    from app.bank.models import ItemVersion
    from app.exams.models import Form, FormItem

    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>'
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        version_ids = db.scalars(select(FormItem.item_version_id).join(Form)).all()
        db.execute(
            update(ItemVersion).where(ItemVersion.id.in_(version_ids)).values(figure_svg=svg)
        )
    engine.dispose()
    page = logged_in(client, exam).get("/ujian/latihan/1")
    client.post("/ujian/mulai", data={"csrf_token": csrf_of(page.text)})
    batch = client.get("/ujian/paket-soal?dari=1&sampai=3").text
    uris = re.findall(r'<img class="figure" src="data:image/svg\+xml;base64,([^"]+)"', batch)
    assert len(uris) == 3 and base64.b64decode(uris[0]).decode() == svg
    assert "figure.svg" not in batch and "figure.svg" not in client.get("/ujian/soal/2").text


def test_the_finished_page_closes_an_attempt_whose_time_ran_out_and_not_one_still_running(
    client: TestClient, exam: OpenExam, frozen: FrozenClock, use_database: str
) -> None:
    """The page at the test's zero goes straight to the finished page (one request from every
    page of a room in the same second, not a resume and its redirect): the finished page
    closes the attempt itself; before zero, or with time added, it sends the page back."""
    from sqlalchemy import select

    from app.delivery.models import Attempt

    page = logged_in(client, exam).get("/ujian/latihan/1")
    client.post("/ujian/mulai", data={"csrf_token": csrf_of(page.text)})
    assert client.get("/ujian/selesai").url.path == "/ujian/soal/1"  # time left: back
    frozen.advance(seconds=3600 + 4)  # the whole test's hour and its answer grace
    finished = client.get("/ujian/selesai")
    assert finished.url.path == "/ujian/selesai" and "Tes selesai" in finished.text
    assert not finished.history  # no redirect: this one request closed it
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        attempt = db.scalars(select(Attempt)).one()
        assert (attempt.status, attempt.submitted_by) == ("submitted", "timer")
    engine.dispose()


def test_each_test_page_load_carries_a_refill_point_of_its_own(
    client: TestClient, exam: OpenExam
) -> None:
    page = logged_in(client, exam).get("/ujian/latihan/1")
    client.post("/ujian/mulai", data={"csrf_token": csrf_of(page.text)})
    refills = set()
    for _ in range(40):
        found = re.search(r'data-refill="(\d+)"', client.get("/ujian/soal/1").text)
        assert found
        refills.add(int(found.group(1)))
    assert len(refills) > 1 and refills <= set(range(6, 15)), refills


def _cells(html: str) -> list[tuple[str, str]]:
    """The grid's cells: (number, classes)."""
    grid = re.search(r'<ol class="grid">(.*?)</ol>', html, re.S)
    assert grid is not None
    return [(n, c) for c, n in re.findall(r'class="cell ([^"]*)"[^>]*>(\d+)<', grid.group(1))]


def test_a_first_pages_grid_is_the_rooms_and_an_answer_marks_its_own(
    client: TestClient, exam: OpenExam, use_database: str
) -> None:
    """Before any answer the grid is the same for the whole room (kept per worker); a page
    loaded after an answer marks it, and the next taker's first page is still blank."""
    page = logged_in(client, exam).get("/ujian/latihan/1")
    client.post("/ujian/mulai", data={"csrf_token": csrf_of(page.text)})
    blank = [("1", "empty"), ("2", "empty"), ("3", "empty")]
    blank += [("4", "locked empty"), ("5", "locked empty")]  # section 2: not open yet
    assert _cells(client.get("/ujian/soal/1").text) == blank
    item = client.get("/api/v1/taker/items/2").json()
    saved = client.put(
        "/api/v1/taker/answers/2",
        json={"option_id": item["options"][0]["option_id"], "seq": item["seq_base"] + 1},
    )
    assert saved.status_code == 200, saved.text
    assert _cells(client.get("/ujian/soal/1").text)[1] == ("2", "answered")
    with TestClient(create_app()) as other:
        page = other.get("/ujian")
        other.post(
            "/ujian/masuk",
            data={"nip": exam.nips[1], "token": exam.token, "csrf_token": csrf_of(page.text)},
        )
        other.post("/ujian/mulai", data={"csrf_token": csrf_of(other.get("/ujian/latihan/1").text)})
        assert _cells(other.get("/ujian/soal/1").text) == blank


def test_finishing_the_last_section_goes_by_the_submit_page(
    client: TestClient, exam: OpenExam
) -> None:
    """Section 1 may be finished from the page (its form asks for the tick); in the last
    section the page has no such form (finishing is submitting) and a stale form's post
    leads to the submit page, the test still running."""
    page = logged_in(client, exam).get("/ujian/latihan/1")
    token = csrf_of(page.text)
    client.post("/ujian/mulai", data={"csrf_token": token})
    first = client.get("/ujian/soal/1").text
    assert 'action="/ujian/bagian/selesai"' in first
    moved = client.post("/ujian/bagian/selesai", data={"csrf_token": token, "confirm": "true"})
    assert moved.url.path == "/ujian/soal/4"  # section 2 opened
    assert 'action="/ujian/bagian/selesai"' not in moved.text
    stale = client.post(
        "/ujian/bagian/selesai",
        data={"csrf_token": token, "confirm": "true"},
        follow_redirects=False,
    )
    assert stale.status_code == 303 and stale.headers["location"] == "/ujian/kumpulkan"
    assert client.get("/api/v1/taker/state").json()["status"] == "in_progress"
