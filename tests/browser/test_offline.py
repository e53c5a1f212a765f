"""Offline means offline (issue 19, item 4), in a real Chromium: figures of items not visited
yet, a reload while the network is down (the service worker serves the stored page), and
where the taker lands after the network comes back."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bank.loader import load_bank
from app.bank.service import import_bank
from app.delivery.models import Answer
from bench.load.data import Cohort, _cohort, write_pool_once
from tests.browser.test_taker import at, db_rows, ready, wait_saved


@pytest.fixture
def figural_exam(live_server, tmp_path: Path):
    """30 items: numerik at 1-15, figural (SVG figures in stem and options) at 16-30. No
    heartbeat within a test: the page tells the server where it is only when it must."""

    def seed(db: Session) -> list[tuple[str, str]]:
        import_bank(db, load_bank(write_pool_once(tmp_path / "bank", 80)))
        prepared = _cohort(db, Cohort("luring", takers=2, form_items=30), 1, seats=10)
        return [(nip, token) for nip, token, _ in prepared.seats]

    return live_server(seed, heartbeat_seconds=120)


def open_test(page: Page, nip: str, token: str) -> None:
    page.goto("/ujian")
    page.fill("#nip", nip)
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.click("text=Ya, ini saya")
    page.click("text=Coba soal latihan")
    ready(page)
    page.click("text=Mulai tes")
    at(page, 1)


def start(page: Page, nip: str, token: str) -> None:
    open_test(page, nip, token)
    # The service worker controls the page, and what the page keeps is stored.
    for _ in range(50):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("no service worker controls the test page")
    expect(page.locator("#taker")).to_have_attribute("data-first", "1")
    page.wait_for_timeout(1500)


def figures_shown(page: Page) -> bool:
    return bool(
        page.evaluate(
            "Array.from(document.querySelectorAll('#item img')).length > 0 && "
            "Array.from(document.querySelectorAll('#item img'))"
            ".every(img => img.complete && img.naturalWidth > 0)"
        )
    )


def test_figures_of_items_not_visited_show_offline(figural_exam, new_page) -> None:
    server, seats = figural_exam
    page = new_page(server.url)
    start(page, *seats[0])
    page.context.set_offline(True)
    page.click('.grid [data-nav="18"]')  # never shown before, fetched in the first batch
    expect(page.locator("#item")).to_have_attribute("data-position", "18")
    assert figures_shown(page)


def test_the_test_page_carries_its_first_batch_so_the_next_items_show_with_the_network_gone(
    figural_exam, new_page
) -> None:
    """The page's load asks for no batch: items 2-23 come with it (prefetch.page_batch), so
    moving on works even when the network goes right after the load (issue 14)."""
    server, seats = figural_exam
    page = new_page(server.url)
    batches: list[int] = []  # the first item of each batch the page asked for
    page.on(
        "request",
        lambda r: (
            batches.append(int(r.url.split("dari=")[1].split("&")[0]))
            if "/ujian/paket-soal" in r.url
            else None
        ),
    )
    open_test(page, *seats[0])
    page.context.set_offline(True)
    for position in range(2, 22):
        page.keyboard.press("n")
        at(page, position)
        expect(page.locator("#item")).to_have_attribute("data-position", str(position))
        expect(page.locator("#item .item-number")).to_contain_text(f"Soal {position}")
        if position == 18:
            assert figures_shown(page)
    expect(page.locator("#warning")).to_be_hidden()
    # Only refills past the carried batch (they fail offline): none for items 2-23.
    assert all(first >= 24 for first in batches), batches


def test_an_item_not_fetched_yet_waits_for_the_network_instead_of_leaving_the_page(
    figural_exam, new_page
) -> None:
    """Moving to an item the page has not got (past the batch it carries): it asks for its
    batch and shows it when it comes; with the network down the taker stays on the item and
    is told why."""
    server, seats = figural_exam
    page = new_page(server.url)
    page.route("**/ujian/paket-soal*", lambda route: route.abort())  # the LAN drops them
    open_test(page, *seats[0])
    page.click('.grid [data-nav="26"]')
    expect(page.locator("#warning")).to_contain_text("belum termuat")
    at(page, 1)
    page.unroute("**/ujian/paket-soal*")
    page.click('.grid [data-nav="26"]')
    at(page, 26)
    expect(page.locator("#item .item-number")).to_contain_text("Soal 26")
    page.keyboard.press("n")  # its batch brought the rest along: no request needed
    at(page, 27)


def test_an_item_that_could_not_load_offline_opens_when_the_network_is_back(
    figural_exam, new_page
) -> None:
    """Past the batch the page carries, with the network down: the taker is told and stays;
    the item opens by itself when the network is back, as the warning promised."""
    server, seats = figural_exam
    page = new_page(server.url)
    page.route("**/ujian/paket-soal*", lambda route: route.abort())  # nothing more kept
    open_test(page, *seats[0])
    page.context.set_offline(True)
    page.unroute("**/ujian/paket-soal*")
    page.click('.grid [data-nav="26"]')
    expect(page.locator("#warning")).to_contain_text("belum termuat")
    at(page, 1)
    page.context.set_offline(False)
    expect(page.locator("#item")).to_have_attribute("data-position", "26")
    at(page, 26)
    expect(page.locator("#warning")).to_be_hidden()
    assert page.title().startswith("Soal 26")


def test_a_reload_while_offline_keeps_the_test_page_its_answers_and_clock(
    figural_exam,
    new_page,
) -> None:
    server, seats = figural_exam
    page = new_page(server.url)
    start(page, *seats[0])
    page.keyboard.press("a")
    wait_saved(page)
    page.keyboard.press("n")
    at(page, 2)
    page.keyboard.press("b")
    wait_saved(page)

    page.context.set_offline(True)
    page.keyboard.press("n")
    at(page, 3)
    page.keyboard.press("c")  # queued: the network is down
    expect(page.locator("#save-status")).to_have_attribute("data-state", "queued")
    clock_before = page.locator("#clock").inner_text()
    page.reload()  # the service worker serves the stored page (of item 1)
    at(page, 3)
    expect(page.locator("#item")).to_have_attribute("data-position", "3")
    expect(page.locator("#item input[type=radio]").nth(2)).to_be_checked()
    expect(page.locator('.grid [data-nav="1"]')).to_have_class(re.compile("answered"))
    expect(page.locator('.grid [data-nav="2"]')).to_have_class(re.compile("answered"))
    expect(page.locator("#save-status")).to_have_attribute("data-state", "queued")
    # The clock goes on from where it was, not from the stored page's value.
    assert _seconds(page.locator("#clock").inner_text()) <= _seconds(clock_before)

    page.keyboard.press("p")  # a kept item, answered before the reload
    at(page, 2)
    expect(page.locator("#item input[type=radio]").nth(1)).to_be_checked()
    page.click('.grid [data-nav="20"]')  # kept, with its figures, never shown
    expect(page.locator("#item")).to_have_attribute("data-position", "20")
    assert figures_shown(page)
    page.keyboard.press("d")

    page.context.set_offline(False)
    wait_saved(page)
    answers = {a.position: a for a in db_rows(server, select(Answer))}
    assert set(answers) == {1, 2, 3, 20}
    # The answers given on the stored page were numbered after the ones before it: applied.
    assert all(a.option_id is not None for a in answers.values())


def _seconds(text: str) -> int:
    parts = [int(p) for p in text.split(":")]
    return sum(value * 60**n for n, value in enumerate(reversed(parts)))


def test_after_reconnecting_the_taker_resumes_on_the_item_they_were_on(
    figural_exam,
    new_page,
) -> None:
    server, seats = figural_exam
    page = new_page(server.url)
    start(page, *seats[0])
    page.context.set_offline(True)
    page.click('.grid [data-nav="7"]')
    at(page, 7)
    page.context.set_offline(False)
    page.wait_for_timeout(1000)  # the page's first call once back
    page.goto("/ujian/lanjut")  # e.g. the waiting page after a pause, a new tab
    at(page, 7)

    page.click('.grid [data-nav="9"]')
    at(page, 9)
    page.click("#submit-link")
    page.click("text=Kembali ke tes")
    at(page, 9)
