"""Results pages in Chromium: the analyst's event page and the official's own result at
/hasil (published, with a released talent box): accessibility, language switch, log-out."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from app.accounts.service import create_user
from app.exams.repository import participants
from app.kit.secrets_gen import hash_access_code
from app.scoring import service as scoring
from app.talentbox import placement
from app.talentbox import service as talentbox
from tests.browser.axe import axe_serious
from tests.delivery.factories import open_exam
from tests.scoring.test_service import ANALYST, sit
from tests.talentbox.test_service import PERFORMANCE, potency_csv

PASSWORD = "kata-sandi-analis"
CODE = "KODEAKSES1234"


@pytest.fixture
def results_server(live_server, tmp_path: Path):
    """Two officials sat the test; the run is published and a talent-box run released, in
    which the first official (tinggi × Sangat Baik) is in kotak 9."""

    def seed(db: Session) -> tuple[str, str]:
        exam = open_exam(db, tmp_path, people=2)
        sit(db, exam, 0, best=True)
        sit(db, exam, 1, best=False)
        scoring.publish(db, ANALYST, scoring.run_scoring(db, exam.event, ANALYST))
        for person in participants(db, exam.event.id):
            person.access_code_hash = hash_access_code(CODE)
        potency = talentbox.import_potency(db, ANALYST, "skor.csv", potency_csv())
        performance = talentbox.import_performance(db, ANALYST, "skp.csv", PERFORMANCE)
        run = placement.place(db, ANALYST, potency.id, performance.id, 2026)
        talentbox.release(db, ANALYST, run)
        create_user(db, "analis", PASSWORD, "analyst", "Analis")
        return exam.nips[0], exam.event.code

    return live_server(seed)


def look_up(page: Page, nip: str) -> None:
    page.goto("/hasil")
    page.fill("#nip", nip)
    page.fill("#code", CODE)
    page.click("button.primary")
    expect(page.locator("h2").first).to_be_visible()


def test_analyst_event_page_has_no_serious_accessibility_violations(
    results_server,
    new_page,
) -> None:
    server, (_, event_code) = results_server
    page = new_page(server.url, bypass_csp=True)  # only to inject axe-core
    page.goto(f"/staf/masuk?next=/analis/acara/{event_code}")
    page.fill("#username", "analis")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server.url}/analis/acara/{event_code}")
    expect(page.locator("h1")).to_be_visible()
    assert axe_serious(page) == []


def test_own_result_pages_have_no_serious_accessibility_violations(
    results_server,
    new_page,
) -> None:
    server, (nip, _) = results_server
    page = new_page(server.url, bypass_csp=True)
    found = {}
    page.goto("/hasil")
    found["form"] = axe_serious(page)
    look_up(page, nip)
    expect(page.locator("#talent-box")).to_contain_text("Kotak 9")
    found["result"] = axe_serious(page)
    assert found == {"form": [], "result": []}


def test_switching_language_keeps_the_official_logged_in_until_they_log_out(
    results_server,
    new_page,
) -> None:
    server, (nip, _) = results_server
    page = new_page(server.url)
    look_up(page, nip)
    page.click("text=English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#talent-box")).to_contain_text("Box 9")
    expect(page.locator("#talent-box")).to_contain_text("above expectations")
    page.click("text=Bahasa Indonesia")
    expect(page.locator("#talent-box")).to_contain_text("di atas ekspektasi")
    page.click("#log-out button")
    expect(page.locator("#nip")).to_be_visible()  # the form again
    page.reload()
    expect(page.locator("#talent-box")).to_have_count(0)
    page.go_back()  # the result is not kept in the browser's history either
    expect(page.locator("#talent-box")).to_have_count(0)
