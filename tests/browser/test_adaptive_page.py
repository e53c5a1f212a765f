"""A short adaptive section in a real Chromium (issue 21): one item at a time, the next one
fetched after the answer's save, no way back in the grid, the offline wait said as a wait,
and the page accessible."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.browser.axe import axe_serious
from tests.browser.test_taker import at, log_in_and_start
from tests.delivery.adaptive_factories import adaptive_exam


@pytest.fixture
def exam_server(live_server, tmp_path: Path):
    def seed(db: Session):
        exam = adaptive_exam(db, tmp_path, verbal_first=False)
        return exam.nips, exam.token

    server, (nips, token) = live_server(seed)
    return server, nips, token


def answer_and_go_on(page: Page, option: int) -> None:
    page.locator("#item .option").nth(option).click()
    page.click("[data-adaptive-answer]")


def test_an_adaptive_section_one_item_at_a_time(exam_server, new_page) -> None:
    server, nips, token = exam_server
    page = new_page(server.url, bypass_csp=True)  # only to inject axe-core
    log_in_and_start(page, nips[0], token)
    expect(page.locator(".adaptive-note")).to_be_visible()  # no going back, said first
    expect(page.locator("#prev")).to_be_hidden()
    expect(page.locator("#next")).to_be_hidden()
    page.click("[data-adaptive-answer]")  # nothing chosen: said, nothing sent
    expect(page.locator("#warning")).to_contain_text("Pilih jawaban dahulu")
    answer_and_go_on(page, 0)
    at(page, 2)
    expect(page.locator("#item")).to_have_attribute("data-position", "2")
    expect(page.locator(".grid a[data-nav]")).to_have_count(1)  # only the current item
    expect(page.locator(".grid span.cell.answered")).to_have_text("1")
    assert axe_serious(page) == []

    page.context.set_offline(True)
    answer_and_go_on(page, 1)
    status = page.locator("#save-status")
    expect(status).to_have_attribute("data-state", "waiting")
    expect(status).to_contain_text("jaringan tersambung kembali")
    expect(page.locator("#warning")).not_to_contain_text("jaringan")  # a wait, not an error
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    at(page, 3)
    expect(page.locator("#item")).to_have_attribute("data-position", "3")
    page.reload()  # a reload lands on the current item
    at(page, 3)
