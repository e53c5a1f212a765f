"""Exam-room integrity in Chromium (issue 19, item 7): a page that leaves the exam window shows
on the proctor's board with a count; an event that requires Safe Exam Browser runs end to end
in a browser that sends SEB's header, and refuses one that does not; the PIN login. Each page
without serious axe violations."""

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route, expect
from sqlalchemy.orm import Session

from app.accounts.service import create_user
from app.exams.repository import participants_in_session
from app.proctoring.assignments import assign_proctor
from tests.browser.axe import axe_serious
from tests.browser.test_proctor import PASSWORD, proctor_login, seat_row
from tests.browser.test_taker import TAKER_RULES, log_in_and_start, ready, wait_saved
from tests.delivery.factories import open_exam

KEY = "5eb" * 21 + "0"  # 64 hex digits
QUIT = "http://127.0.0.1:9/seb-keluar"


def set_visibility(page: Page, state: str) -> None:
    page.evaluate(
        """state => {
            Object.defineProperty(document, "visibilityState", {configurable: true,
                                                                get: () => state});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


def leave_window(page: Page, hide: bool) -> None:
    """As switching to another window (`hide`: another tab, which hides the page too) does."""
    if hide:
        set_visibility(page, "hidden")
    page.evaluate("() => window.dispatchEvent(new Event('blur'))")


def come_back(page: Page) -> None:
    set_visibility(page, "visible")
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")


def test_leaving_the_exam_window_shows_on_the_board_with_a_count(
    live_server, new_page, tmp_path: Path
) -> None:
    def seed(db: Session):
        exam = open_exam(db, tmp_path, people=1, total_minutes=60)
        create_user(db, "pengawas1", PASSWORD, "proctor", "Pengawas Satu")
        assign_proctor(db, "pengawas1", exam.event.code, "S1")
        [person] = participants_in_session(db, exam.session.id)
        return exam.nips[0], exam.token, str(exam.session.id), str(person.id)

    server, (nip, token, session_id, participant_id) = live_server(seed)
    proctor = new_page(server.url)
    proctor_login(proctor, session_id)
    taker = new_page(server.url)
    log_in_and_start(taker, nip, token)
    bodies: list[str] = []
    taker.on(
        "request",
        lambda r: (
            bodies.append(r.post_data or "") if "left_window" in (r.post_data or "") else None
        ),
    )
    leave_window(taker, hide=True)  # another tab: blur and hidden, one leave
    taker.wait_for_timeout(1600)
    come_back(taker)
    taker.keyboard.press("b")  # the next save carries the report
    wait_saved(taker)
    expect(seat_row(proctor)).to_contain_text("keluar jendela ×1", timeout=8000)
    leave_window(taker, hide=False)  # another window in front: blur only
    taker.wait_for_timeout(300)
    come_back(taker)
    taker.keyboard.press("c")
    wait_saved(taker)
    expect(seat_row(proctor)).to_contain_text("keluar jendela ×2", timeout=8000)
    assert len(bodies) == 2 and '"count":1' in bodies[0] and '"count":1' in bodies[1]
    badge = seat_row(proctor).locator(".left-window")
    seconds = re.search(r"seluruhnya (\d+) detik", badge.get_attribute("title") or "")
    assert seconds and int(seconds.group(1)) >= 1
    proctor.goto(f"/pengawas/sesi/{session_id}/peserta/{participant_id}")
    expect(proctor.locator("#left-window")).to_contain_text("keluar dari jendela ujian 2 kali")


def sign_as_seb(route: Route) -> None:
    """Safe Exam Browser's header on every request the page makes: SHA-256 of URL + key.

    Chromium follows a redirect without routing it again (and would send the header hashed
    for the first URL), while SEB hashes each URL it asks for: a redirect is handed to the
    page as a refresh to its target, which comes back here as a request of its own. The
    endless event stream is passed on as it is (it is never redirected)."""
    url = route.request.url.split("#", 1)[0]
    hashed = hashlib.sha256((url + KEY).encode()).hexdigest()
    headers = {**route.request.headers, "x-safeexambrowser-configkeyhash": hashed}
    if urlsplit(url).path == "/api/v1/taker/signals":
        route.continue_(headers=headers)
        return
    response = route.fetch(headers=headers, max_redirects=0)
    location = response.headers.get("location")
    if response.status in (302, 303, 307) and location and route.request.is_navigation_request():
        page = f'<!doctype html><meta http-equiv="refresh" content="0;url={location}">'
        route.fulfill(status=200, content_type="text/html", body=page)
        return
    route.fulfill(response=response)


def test_under_safe_exam_browser_the_test_runs_and_another_browser_is_refused(
    live_server, new_page, tmp_path: Path
) -> None:
    def seed(db: Session):
        settings = {"config_keys": [KEY], "quit_url": QUIT}
        exam = open_exam(db, tmp_path, people=2, total_minutes=60, safe_exam_browser=settings)
        return exam.nips, exam.token

    server, (nips, token) = live_server(seed)
    plain = new_page(server.url, bypass_csp=True)  # only to inject axe-core
    plain.goto("/ujian")
    plain.fill("#nip", nips[1])
    plain.fill("#token", token)
    plain.click("button[type=submit]")
    expect(plain.locator("h1")).to_have_text("Safe Exam Browser diperlukan")
    refused_page = axe_serious(plain, TAKER_RULES)

    seb = new_page(server.url, bypass_csp=True)
    seb.route("**/*", sign_as_seb)
    log_in_and_start(seb, nips[0], token)
    seb.keyboard.press("a")
    wait_saved(seb)  # a save through the API, signed for its own URL
    seb.goto("/ujian/kumpulkan")
    seb.click("#confirm-submit")
    expect(seb.locator("h1")).to_have_text("Tes selesai")
    expect(seb.locator(f'a[href="{QUIT}"]')).to_have_text("Tutup Safe Exam Browser")
    assert refused_page == [] and axe_serious(seb, TAKER_RULES) == []


def test_the_pin_login_in_the_browser(live_server, new_page, tmp_path: Path) -> None:
    def seed(db: Session):
        exam = open_exam(db, tmp_path, people=1, total_minutes=60, login_pin=True)
        return exam.nips[0], exam.token, exam.pins[exam.nips[0]]

    server, (nip, token, pin) = live_server(seed)
    page = new_page(server.url, bypass_csp=True)
    page.goto("/ujian")
    page.fill("#nip", nip)
    page.fill("#token", token)
    page.click("button[type=submit]")
    expect(page.locator("#pin")).to_be_focused()
    expect(page.locator("[role=alert]")).to_have_text(
        "Masukkan PIN yang tercetak pada kartu peserta Anda."
    )
    assert axe_serious(page, TAKER_RULES) == []
    page.fill("#pin", pin)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Apakah ini data Anda?")
    ready(page)
