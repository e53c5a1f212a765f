"""A short adaptive section in a real Chromium (issue 21): one item at a time, the next one
fetched after the answer's save, no way back in the grid, the offline wait said as a wait (and
kept as one across a reload while offline), and the page accessible."""

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


def controlled(page: Page) -> None:
    """The service worker controls the page and the page stored itself (offline reloads)."""
    stored = """caches.open('proasn-exam').then(c => c.match('/ujian/soal/_halaman'))
        .then(r => !!r && navigator.serviceWorker.controller !== null)"""
    for _ in range(50):
        if page.evaluate(stored):
            return
        page.wait_for_timeout(100)
    raise AssertionError("no service worker controls the test page")


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
    expect(page.locator(".legend .cell.flagged")).to_be_hidden()  # no "ragu-ragu" here
    page.click("[data-adaptive-answer]")  # nothing chosen: said, nothing sent
    warning = page.locator("#warning")
    expect(warning).to_contain_text("Pilih jawaban dahulu")
    page.locator("#item .option").nth(0).click()
    expect(warning).to_be_hidden()  # said until an option is chosen, not for 20 s
    page.click("[data-adaptive-answer]")
    at(page, 2)
    expect(page.locator("#item")).to_have_attribute("data-position", "2")
    expect(page.locator(".grid a[data-nav]")).to_have_count(1)  # only the current item
    expect(page.locator(".grid span.cell.answered")).to_have_text("1")
    assert axe_serious(page) == []

    button = page.locator("[data-adaptive-answer]")
    look = "b => getComputedStyle(b).backgroundColor"
    enabled_look = button.evaluate(look)
    controlled(page)
    page.context.set_offline(True)
    answer_and_go_on(page, 1)
    status = page.locator("#save-status")
    expect(status).to_have_attribute("data-state", "waiting")
    expect(status).to_contain_text("jaringan tersambung kembali")
    expect(warning).not_to_contain_text("jaringan")  # a wait, not an error
    expect(button).to_be_disabled()
    assert button.evaluate(look) != enabled_look  # looks disabled, not only is
    assert axe_serious(page) == []

    # A reload while offline (the stored page is item 1's): still the wait on item 2, its
    # answer shown and nothing answerable, never an item answered before.
    page.reload()
    at(page, 2)
    expect(page.locator("#item")).to_have_attribute("data-position", "2")
    expect(page.locator("#item input[type=radio]").nth(1)).to_be_checked()
    expect(page.locator("#item input[type=radio]:enabled")).to_have_count(0)
    expect(page.locator("[data-adaptive-answer]")).to_be_disabled()
    expect(status).to_have_attribute("data-state", "waiting")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    at(page, 3)
    expect(page.locator("#item")).to_have_attribute("data-position", "3")
    expect(page.locator("[data-adaptive-answer]")).to_be_enabled()
    expect(page.locator(".grid span.cell.answered")).to_have_text(["1", "2"])  # all given
    expect(page.locator(".grid a[data-nav]")).to_have_text("3")
    page.reload()  # a reload lands on the current item
    at(page, 3)


def test_the_answer_that_ends_the_last_section_goes_to_the_finished_page(
    live_server, new_page, tmp_path: Path
) -> None:
    """An adaptive section as the test's only one: the save that stops it submits the test,
    and the page goes to the finished page, not to an item of a submitted test."""

    def seed(db: Session):
        exam = adaptive_exam(db, tmp_path, verbal_first=False, sjt_last=False)
        return exam.nips, exam.token

    server, (nips, token) = live_server(seed)
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    at(page, 1)
    for step in range(1, 7):  # at most six items (adaptive_section)
        answer_and_go_on(page, step % 2)
        after = f"/ujian/soal/{step + 1}"
        # At once: not by a later heartbeat or a refused save finding the test submitted.
        page.wait_for_url(
            lambda url, after=after: url.endswith(("/ujian/selesai", after)), timeout=3000
        )
        if page.url.endswith("/ujian/selesai"):
            break
        at(page, step + 1)
    expect(page).to_have_url(f"{server.url}/ujian/selesai")
    expect(page.locator("h1")).to_be_visible()
