"""The analyst's item-analysis and run pages in Chromium on a 1366×768 screen (issue 22):
one short line per item on the list, charts that fit the screen, the item page's actions
returning to it, and no serious or critical axe violation."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.service import create_user
from app.scoring import service as scoring
from app.scoring.models import ScoreRecord
from tests.browser.axe import axe_serious
from tests.delivery.factories import open_exam
from tests.scoring.test_service import ANALYST, sit

PASSWORD = "kata-sandi-analis"
SCREEN: ViewportSize = {"width": 1366, "height": 768}
ROW_HEIGHT = 40  # px: one line of 16 px text with its padding and border


@pytest.fixture
def analyst_page(live_server, browser: Browser, contexts: list[BrowserContext], tmp_path: Path):
    """An analyst logged in on a 1366×768 screen; an event with one scoring run in which one
    level is marked "near a band edge"."""

    def seed(db: Session) -> str:
        exam = open_exam(db, tmp_path, people=3)
        for n, best in ((0, True), (1, False), (2, True)):
            sit(db, exam, n, best=best)
        scoring.run_scoring(db, exam.event, ANALYST)
        record = next(r for r in db.scalars(select(ScoreRecord)) if r.level is not None)
        record.composite_t, record.composite_se_z, record.near_band_edge = 57.2, 0.1, True
        create_user(db, "analis", PASSWORD, "analyst", "Analis")
        return exam.event.code

    server, code = live_server(seed)
    context = browser.new_context(
        base_url=server.url,
        viewport=SCREEN,
        locale="id-ID",
        bypass_csp=True,  # axe-core
    )
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"/staf/masuk?next=/analis/acara/{code}/butir")
    page.fill("#username", "analis")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Analisis butir")
    return page, code


def charts_fit(page: Page) -> None:
    """Each chart fits the screen with room for its table: within its width, at most half
    its height (before: the page's full width, 1,284 × 596 px)."""
    charts = page.locator("svg.chart")
    assert charts.count() >= 1
    for chart in charts.all():
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] <= SCREEN["width"] and box["height"] <= SCREEN["height"] / 2, box


def test_the_item_list_is_one_line_per_item_and_its_chart_fits(analyst_page) -> None:
    page, _ = analyst_page
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 4
    assert page.locator("main table form, main table input").count() == 0
    heights = [row.bounding_box()["height"] for row in rows.all()]
    assert max(heights) <= ROW_HEIGHT, heights
    charts_fit(page)


def test_an_items_actions_return_to_it_with_the_filter(analyst_page) -> None:
    page, code = analyst_page
    page.select_option("#f-sesi", "S1")
    page.click("text=Tampilkan")
    expect(page).to_have_url(re.compile(r"sesi=S1"))
    page.locator("main table tbody tr th a").first.click()
    expect(page).to_have_url(re.compile(rf"/analis/acara/{code}/butir/[0-9a-f-]{{36}}\?sesi=S1$"))
    item_url = page.url
    assert axe_serious(page) == []
    page.fill("#why", "bocor")
    page.click("form[action$='/netralkan'] button")
    expect(page).to_have_url(item_url)
    expect(page.locator("main .flash")).to_contain_text("Butir dinetralkan")
    expect(page.locator("main")).to_contain_text("Butir ini dinetralkan")
    page.click("text=‹ Analisis butir")
    expect(page).to_have_url(re.compile(rf"/analis/acara/{code}/butir\?sesi=S1$"))
    expect(page.locator("#f-sesi")).to_have_value("S1")


def test_analyst_pages_have_no_serious_accessibility_violations(analyst_page) -> None:
    page, code = analyst_page
    found = {"items": axe_serious(page)}
    page.locator("main table tbody tr th a").first.click()
    expect(page.locator("form[action$='/netralkan']")).to_be_visible()
    found["item"] = axe_serious(page)
    page.goto(f"/analis/acara/{code}/run/1")
    expect(page.locator("main .badge", has_text="dekat batas tingkat")).to_have_count(1)
    charts_fit(page)
    found["run"] = axe_serious(page)
    assert found == {name: [] for name in found}
