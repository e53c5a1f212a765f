"""The taker's tools in a real Chromium: striking options out, high contrast, the reading
mask and larger text at 1024×768, each usable with the keyboard alone; a large-print
participant starts at a larger text size and reads their extra time in the instructions.
None of the tools asks the server anything."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.delivery.models import Answer, AnswerJournal
from app.exams.models import Participant
from tests.browser.axe import axe_serious
from tests.browser.test_taker import (
    TAKER_RULES,
    _pause,
    at,
    db_rows,
    log_in_and_start,
    ready,
    tab_to,
    wait_saved,
)
from tests.delivery.factories import open_exam

# What the page sends by itself while the taker does nothing: not the tools' doing.
QUIET_CALLS = ("/api/v1/taker/heartbeat", "/api/v1/taker/signals")


@pytest.fixture
def exam_server(live_server, tmp_path: Path):
    """Two participants; the second has 25 % extra time and large print."""

    def seed(db: Session):
        exam = open_exam(db, tmp_path, people=2, total_minutes=60, section_limits=(20, None))
        db.execute(
            update(Participant)
            .where(Participant.nip == exam.nips[1])
            .values(extra_time_percent=25, large_print=True)
        )
        return exam.nips, exam.token, exam.session.id

    server, (nips, token, session_id) = live_server(seed)
    server.session_id = session_id
    return server, nips, token


def requests_of(page: Page) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url))
    return sent


def tool_calls(sent: list[str]) -> list[str]:
    return [url for url in sent if not url.split("?")[0].endswith(QUIET_CALLS)]


def strikes(page: Page) -> list[str]:
    return page.locator("#item .strike").evaluate_all(
        "bs => bs.map(b => b.getAttribute('aria-pressed'))"
    )


def test_a_struck_option_stays_struck_across_items_and_reloads_and_the_answer_stays(
    exam_server,
    new_page,
) -> None:
    server, nips, token = exam_server
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    page.keyboard.press("b")
    wait_saved(page)
    chosen = page.locator("#item input[type=radio]").nth(1).get_attribute("value")
    sent = requests_of(page)

    buttons = page.locator("#item .strike")
    expect(buttons).to_have_count(4)
    expect(buttons.nth(2)).to_have_attribute("aria-label", "Coret pilihan C")
    buttons.nth(2).click()  # the mouse
    page.keyboard.press("n")  # the keyboard: from the item's heading, where moving puts
    at(page, 2)  # the focus, to the chosen option's radio, then the button beside it (B)
    page.keyboard.press("p")
    at(page, 1)
    tab_to(page, "", most=4, selector="#item input[type=radio]")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Coret pilihan B"
    page.keyboard.press("Enter")
    assert strikes(page) == ["false", "true", "true", "false"]
    expect(page.locator("#item .option").nth(2)).to_have_class(re.compile(r"\bstruck\b"))
    decoration = (
        page.locator("#item .option .text")
        .nth(2)
        .evaluate("e => getComputedStyle(e).textDecorationLine")
    )
    assert decoration == "line-through"
    expect(page.locator("#item input[type=radio]").nth(1)).to_be_checked()  # striking B
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")

    page.keyboard.press("n")  # moved in the page, from the items it keeps
    at(page, 2)
    assert strikes(page) == ["false"] * 4
    page.locator("#item .strike").nth(0).click()
    page.keyboard.press("p")
    at(page, 1)
    assert strikes(page) == ["false", "true", "true", "false"]
    expect(page.locator("#item input[type=radio]").nth(1)).to_be_checked()
    page.wait_for_timeout(300)
    assert tool_calls(sent) == []  # nothing of this reached the server

    page.reload()
    at(page, 1)
    assert strikes(page) == ["false", "true", "true", "false"]
    expect(page.locator("#item input[type=radio]").nth(1)).to_be_checked()
    page.locator("#item .strike").nth(2).click()  # C back in
    page.goto("/ujian/soal/2")
    ready(page)
    assert strikes(page) == ["true", "false", "false", "false"]
    page.goto("/ujian/soal/1")
    ready(page)
    assert strikes(page) == ["false", "true", "false", "false"]

    [answer] = db_rows(server, select(Answer))
    assert (answer.position, answer.option_id) == (1, chosen)
    assert len(db_rows(server, select(AnswerJournal))) == 1  # one change: the answer B


def test_high_contrast_holds_on_every_taker_page_and_passes_axe(
    exam_server,
    new_page,
) -> None:
    server, nips, token = exam_server
    page = new_page(server.url, bypass_csp=True)  # only to inject axe-core
    page.goto("/ujian")
    ready(page)
    sent = requests_of(page)
    paper = page.evaluate("getComputedStyle(document.body).backgroundColor")
    tab_to(page, "Kontras tinggi", most=8)  # the keyboard
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("data-contrast", "high")
    expect(page.locator("#tool-contrast")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != paper
    assert tool_calls(sent) == []
    found = {"login": axe_serious(page, TAKER_RULES)}
    page.fill("#nip", nips[0])
    page.fill("#token", token)
    page.click("button[type=submit]")
    expect(page.locator("html")).to_have_attribute("data-contrast", "high")
    found["confirm"] = axe_serious(page, TAKER_RULES)
    page.goto("/ujian/petunjuk")
    found["instructions"] = axe_serious(page, TAKER_RULES)
    page.goto("/ujian/latihan/1")
    ready(page)
    page.locator("#item .strike").nth(0).click()  # the tools work on practice items too
    found["practice"] = axe_serious(page, TAKER_RULES)
    page.click("text=Mulai tes")
    at(page, 1)
    expect(page.locator("html")).to_have_attribute("data-contrast", "high")
    page.keyboard.press("a")
    page.keyboard.press("r")
    page.locator("#item .strike").nth(2).click()
    wait_saved(page)
    found["item"] = axe_serious(page, TAKER_RULES)
    page.click("#tool-mask")
    found["item, reading mask"] = axe_serious(page, TAKER_RULES)
    page.click("#tool-mask")
    page.goto("/ujian/kumpulkan")
    found["submit"] = axe_serious(page, TAKER_RULES)
    assert found == {name: [] for name in found}

    page.goto("/ujian/soal/1")
    ready(page)
    page.click("#tool-contrast")  # off again, and kept off
    page.reload()
    ready(page)
    assert page.locator("html").get_attribute("data-contrast") is None
    expect(page.locator("#tool-contrast")).to_have_attribute("aria-pressed", "false")


def test_the_largest_text_keeps_every_option_in_view_at_1024x768_with_radios_as_tall(
    exam_server,
    new_page,
) -> None:
    server, nips, token = exam_server
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    small = page.locator("#item input[type=radio]").first.bounding_box()
    for _ in range(6):  # past the largest step: it stays there
        page.click(".font-larger")
    expect(page.locator("html")).to_have_attribute("data-font-step", "4")
    for position in (1, 2, 3):
        if position > 1:
            page.keyboard.press("n")
            at(page, position)
        page.evaluate("document.querySelector('#item .flag').scrollIntoView({block: 'end'})")
        view = page.evaluate(
            """() => {
              const bar = document.querySelector('.taker-bar').getBoundingClientRect().bottom;
              const boxes = [...document.querySelectorAll('#item .option, #item .strike')]
                .map(e => e.getBoundingClientRect());
              const radios = [...document.querySelectorAll('#item .option')].map(o => ({
                radio: o.querySelector('input').getBoundingClientRect().height,
                text: parseFloat(getComputedStyle(o.querySelector('.text')).fontSize)}));
              return {
                scrollWidth: document.documentElement.scrollWidth, width: innerWidth,
                inView: boxes.every(b => b.left >= 0 && b.right <= innerWidth
                                         && b.top >= bar - 0.5 && b.bottom <= innerHeight + 0.5),
                radios: radios};
            }"""
        )
        assert view["scrollWidth"] <= view["width"] == 1024, view
        assert view["inView"], (position, view)
        assert all(r["radio"] >= r["text"] for r in view["radios"]), view["radios"]
    big = page.locator("#item input[type=radio]").first.bounding_box()
    assert small is not None and big is not None and big["height"] > small["height"] * 1.4


def test_the_reading_mask_follows_the_keyboard_and_leaves_the_clock_and_submit_usable(
    exam_server,
    new_page,
) -> None:
    server, nips, token = exam_server
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    page.goto("/ujian/soal/2")  # focus at the page's start
    ready(page)
    sent = requests_of(page)
    tab_to(page, "Penggaris baca", most=10)
    page.keyboard.press("Enter")
    expect(page.locator("#tool-mask")).to_have_attribute("aria-pressed", "true")
    band = page.locator("#reading-band")
    expect(band).to_be_visible()
    # The band has the focus (and comes right after the bar in the tab order).
    expect(band).to_be_focused()
    expect(band).to_have_attribute("role", "slider")

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(band).to_be_focused()

    def top() -> float:
        box = band.bounding_box()
        assert box is not None
        return box["y"]

    start = top()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert top() > start + 50
    page.keyboard.press("Home")
    bar_bottom = page.evaluate(
        "document.querySelector('.taker-bar').getBoundingClientRect().bottom"
    )
    assert abs(top() - bar_bottom) < 1  # never under the bar
    at_clock = page.evaluate(
        """() => { const r = document.getElementById('clock').getBoundingClientRect();
                   return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2).id; }"""
    )
    assert at_clock == "clock"  # the bar stays above the mask
    page.keyboard.press("End")
    at_submit = page.evaluate(
        """() => { const e = document.getElementById('submit-link');
                   const r = e.getBoundingClientRect();
                   const x = r.x + r.width / 2, y = r.y + r.height / 2;
                   return document.elementFromPoint(x, y) === e; }"""
    )
    assert at_submit  # clicks go through the shade
    page.mouse.move(300, 500)  # the pointer moves it too
    box = band.bounding_box()
    assert box is not None and abs(box["y"] + box["height"] / 2 - 500) < 2
    assert tool_calls(sent) == []

    page.reload()  # kept on
    ready(page)
    expect(page.locator("#tool-mask")).to_have_attribute("aria-pressed", "true")
    expect(band).to_be_visible()
    band.focus()
    page.keyboard.press("Escape")  # off, and the focus back on its button
    expect(band).to_be_hidden()
    expect(page.locator("#tool-mask")).to_be_focused()
    expect(page.locator("#tool-mask")).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("n")  # the page's own keys work again
    at(page, 3)


def test_a_large_print_participant_starts_larger_and_reads_their_extra_time(
    exam_server,
    new_page,
) -> None:
    server, nips, token = exam_server
    page = new_page(server.url)
    html = page.locator("html")
    page.goto("/ujian")
    ready(page)
    expect(html).to_have_attribute("data-font-step", "0")
    page.fill("#nip", nips[1])
    page.fill("#token", token)
    page.click("button[type=submit]")
    ready(page)
    expect(html).to_have_attribute("data-font-step", "3")
    page.click("text=Ya, ini saya")
    expect(page.locator("#total-time")).to_have_text(
        "Waktu total: 75 menit. Sudah termasuk tambahan waktu Anda 25 %."
    )
    expect(page.locator(".section-times li").nth(0)).to_contain_text("Verbal — 3 soal, 25 menit")
    page.click("text=Coba soal latihan")
    page.click("text=Mulai tes")
    at(page, 1)
    expect(html).to_have_attribute("data-font-step", "3")
    expect(page.locator("#clock")).to_have_text(re.compile(r"^1:1[45]:\d\d$"))
    expect(page.locator("#section-clock")).to_have_text(re.compile(r"^2[45]:\d\d$"))
    _pause(server, server.session_id, nips[1], pause=True)
    page.goto("/ujian/lanjut")  # the waiting page does not know who waits: the tab does
    expect(page.locator("h1")).to_have_text("Menunggu pengawas")
    ready(page)
    expect(html).to_have_attribute("data-font-step", "3")
    _pause(server, server.session_id, nips[1], pause=False)
    page.goto("/ujian/soal/1")
    ready(page)
    page.click(".font-smaller")  # the taker may still choose
    expect(html).to_have_attribute("data-font-step", "2")
    page.reload()
    ready(page)
    expect(html).to_have_attribute("data-font-step", "2")

    other = new_page(server.url)  # a PC of its own: no large print, the usual times
    other.goto("/ujian")
    other.fill("#nip", nips[0])
    other.fill("#token", token)
    other.click("button[type=submit]")
    ready(other)
    expect(other.locator("html")).to_have_attribute("data-font-step", "0")
    other.click("text=Ya, ini saya")
    expect(other.locator("#total-time")).to_have_text("Waktu total: 60 menit.")
