"""The exam room as a taker and its technician live it (issue 19): a browser that lost its
cookie asks for a login reset that the proctor approves with one click on the board; the
readiness page checks a PC and its report reaches the proctor's page."""

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.accounts.service import create_user
from app.proctoring.assignments import assign_proctor
from tests.browser.axe import axe_serious
from tests.browser.test_proctor import proctor_login, seat_row
from tests.browser.test_taker import TAKER_RULES, log_in_and_start, ready, wait_saved
from tests.delivery.factories import open_exam


def _room(tmp_path: Path):
    def seed(db: Session):
        exam = open_exam(db, tmp_path, people=1, total_minutes=60)
        create_user(db, "pengawas1", "kata-sandi-pengawas", "proctor", "Pengawas Satu")
        assign_proctor(db, "pengawas1", exam.event.code, "S1")
        return exam.nips[0], exam.token, str(exam.session.id)

    return seed


def test_a_browser_without_the_cookie_asks_and_the_proctor_frees_the_login(
    live_server, new_page, tmp_path: Path
) -> None:
    server, (nip, token, session_id) = live_server(_room(tmp_path))
    pc_a = new_page(server.url)
    log_in_and_start(pc_a, nip, token)
    pc_a.keyboard.press("b")
    wait_saved(pc_a)

    pc_b = new_page(server.url, bypass_csp=True)  # a fresh context: no cookie (axe injected)
    pc_b.goto("/ujian")
    pc_b.fill("#nip", nip)
    pc_b.fill("#token", token)
    pc_b.click("form[action='/ujian/masuk'] button[type=submit]")
    expect(pc_b.locator("p.alert")).to_contain_text("sudah masuk di komputer lain")
    assert axe_serious(pc_b, TAKER_RULES) == []
    pc_b.click("text=Minta reset login ke pengawas")
    expect(pc_b.locator("#reset-wait")).to_be_visible()
    assert axe_serious(pc_b, TAKER_RULES) == []

    proctor = new_page(server.url)
    proctor_login(proctor, session_id)
    expect(seat_row(proctor)).to_contain_text("minta reset login", timeout=8000)
    expect(proctor.locator("#board-totals")).to_contain_text("permintaan reset login: 1")
    seat_row(proctor).get_by_role("button", name=re.compile("^Setujui")).click()
    expect(proctor.locator(".flash")).to_contain_text("permintaan disetujui")
    expect(seat_row(proctor)).not_to_contain_text("minta reset login")

    expect(pc_a.locator("#warning")).to_contain_text("Anda telah keluar", timeout=8000)
    # PC B's page hears the answer by itself and offers the login, NIP filled in
    expect(pc_b.locator("p.flash")).to_contain_text(
        "Pengawas telah membebaskan login Anda", timeout=8000
    )
    expect(pc_b.locator("#nip")).to_have_value(nip)
    pc_b.fill("#token", token)
    pc_b.click("form[action='/ujian/masuk'] button[type=submit]")
    expect(pc_b).to_have_url(re.compile(r"/ujian/soal/1$"))
    ready(pc_b)
    expect(pc_b.locator("#item input[type=radio]").nth(1)).to_be_checked()  # the same attempt


def test_the_readiness_page_checks_a_pc_and_the_proctor_sees_it(
    live_server, new_page, tmp_path: Path
) -> None:
    server, (_, token, session_id) = live_server(_room(tmp_path))
    technician = new_page(server.url, bypass_csp=True)  # only to inject axe-core
    blocked: list[str] = []
    technician.on(
        "console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None
    )
    technician.goto("/ujian")
    technician.click("text=Periksa PC ini sebelum tes")
    expect(technician.locator("h1")).to_have_text("Periksa PC ini sebelum tes")
    expect(technician.locator("#pc-check")).to_have_attribute("data-measured", "1")
    for check in ("storage", "fetch", "event_source", "screen", "latency"):
        expect(technician.locator(f"#check-{check}")).to_have_attribute("data-verdict", "pass")
    expect(technician.locator("#check-clock .value")).to_have_text(re.compile(r"^[+-]\d+ s$"))
    assert axe_serious(technician, TAKER_RULES) == []
    technician.fill("#room-token", token.lower())
    technician.fill("#pc-label", "PC-07")
    technician.click("#report-send")
    status = technician.locator("#report-status")
    expect(status).to_have_attribute("data-state", "passed")
    expect(status).to_contain_text("PC ini siap")
    expect(technician.locator("#check-time_zone .value")).to_contain_text("WITA")
    assert axe_serious(technician, TAKER_RULES) == []

    technician.click("text=English")
    expect(technician.locator("h1")).to_have_text("Check this PC before the test")
    expect(technician.locator("#pc-check")).to_have_attribute("data-measured", "1")
    technician.fill("#room-token", "WRONG1")
    technician.fill("#pc-label", "PC-08")
    technician.click("#report-send")
    expect(status).to_have_attribute("data-state", "refused")
    expect(status).to_contain_text("Unknown room token")
    assert blocked == []

    proctor = new_page(server.url)
    proctor_login(proctor, session_id)
    listed = proctor.locator("#pc-checks")
    expect(listed).to_contain_text("Kesiapan PC")
    expect(listed.locator("tr.pc-check")).to_have_count(1)
    expect(listed.locator("tr.pc-check")).to_contain_text("PC-07")
    expect(listed.locator("tr.pc-check")).to_contain_text("siap")
