"""The 9-box page renders with the right counts, and a box opens its people."""

import re

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.accounts.service import create_user
from app.talentbox import placement, service
from tests.browser.axe import axe_serious
from tests.exams.factories import valid_nip
from tests.talentbox.test_service import ANALYST, PERFORMANCE, potency_csv

PASSWORD = "kata-sandi-analis"


def test_nine_box_page_shows_counts_and_drills_down(live_server, new_page) -> None:
    def seed(db: Session) -> None:
        create_user(db, "analis", PASSWORD, "analyst", "Analis")
        potency = service.import_potency(db, ANALYST, "skor.csv", potency_csv())
        performance = service.import_performance(db, ANALYST, "skp.csv", PERFORMANCE)
        placement.place(db, ANALYST, potency.id, performance.id, 2026)

    server, _ = live_server(seed)
    page = new_page(server.url)
    page.goto("/staf/masuk?next=/talenta/run/1")
    page.fill("#username", "analis")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    svg = page.locator("svg.ninebox")
    expect(svg).to_be_visible()
    counts = {
        int(c.get_attribute("data-box") or 0): int(c.text_content() or 0)
        for c in page.locator("svg.ninebox text.count").all()
    }
    assert counts == {1: 1, 2: 0, 3: 0, 4: 0, 5: 1, 6: 0, 7: 0, 8: 0, 9: 1}
    expect(page.locator("#placed-total")).to_have_text("3")
    page.locator("svg.ninebox a.box-9").click()
    expect(page).to_have_url(re.compile(r"/talenta/run/1/kotak/9"))
    expect(page.locator("table")).to_contain_text("Pejabat 1")
    page.click("text=Pejabat 1")
    expect(page.locator("body")).to_contain_text("promosi dan dipertahankan")


def test_verifying_a_profile_record_swaps_its_row(live_server, new_page) -> None:
    from tests.talentbox.test_weighted import PROFILE

    def seed(db: Session) -> str:
        create_user(db, "analis", PASSWORD, "analyst", "Analis")
        return str(service.import_profile(db, ANALYST, "profil.csv", PROFILE).id)

    server, profile_id = live_server(seed)
    page = new_page(server.url)
    page.goto(f"/staf/masuk?next=/talenta/profil/{profile_id}?status=unverified")
    page.fill("#username", "analis")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    row = page.locator("#profile-records tbody tr").first
    expect(row).to_have_attribute("data-status", "unverified")
    verified = int(page.locator("#count-verified").text_content() or 0)
    row_id = row.get_attribute("id")
    row.locator("input[name=note]").fill("SK dicek")
    row.locator("button[value=verified]").click()
    swapped = page.locator(f"#{row_id}")
    expect(swapped).to_have_attribute("data-status", "verified")
    expect(swapped).to_contain_text("SK dicek")
    expect(page).to_have_url(re.compile(r"status=unverified"))  # no reload: htmx swapped the row
    expect(page.locator("#count-verified")).to_have_text(str(verified + 1))  # counts refreshed
    page.reload()
    expect(page.locator(f"#{row_id}")).to_have_count(0)  # no longer unverified


def test_nine_box_and_person_card_have_no_serious_accessibility_violations(
    live_server,
    new_page,
) -> None:
    """Colour contrast of the box numbers included (white on yellow was 1.66:1)."""

    def seed(db: Session) -> None:
        create_user(db, "analis", PASSWORD, "analyst", "Analis")
        potency = service.import_potency(db, ANALYST, "skor.csv", potency_csv())
        performance = service.import_performance(db, ANALYST, "skp.csv", PERFORMANCE)
        placement.place(db, ANALYST, potency.id, performance.id, 2026)

    server, _ = live_server(seed)
    page = new_page(server.url, bypass_csp=True)  # only to inject axe-core
    page.goto("/staf/masuk?next=/talenta/run/1")
    page.fill("#username", "analis")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("svg.ninebox")).to_be_visible()
    found = {"9-box": axe_serious(page)}
    page.goto(f"/talenta/run/1/orang/{valid_nip(2)}")  # kotak 5: the yellow one
    expect(page.locator("h1")).to_have_text("Pejabat 2")
    found["person card"] = axe_serious(page)
    assert found == {"9-box": [], "person card": []}
