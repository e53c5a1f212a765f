"""An outside tester's walk through the exam room as a taker, in Chromium (issue 19): a pause
that nothing gets through, the reading mask's band and the arrow keys, figures that leave the
options in view, submitting offline, a lost login cookie, page titles, the proctor's message
closed from the keyboard, and a shared PC left clean after the test."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.delivery.models import Answer
from tests.browser.test_offline import figural_exam, start  # noqa: F401 (a fixture)
from tests.browser.test_taker import _pause, at, db_rows, log_in_and_start, ready, wait_saved
from tests.delivery.factories import open_exam


@pytest.fixture
def exam(live_server, tmp_path: Path):
    def seed(db: Session):
        exam = open_exam(db, tmp_path, people=2, total_minutes=60)
        return exam.nips, exam.token, exam.session.id

    server, (nips, token, session_id) = live_server(seed)
    server.session_id = session_id
    return server, nips, token


UNDER_THE_PAUSE = ".test-layout, .taker-bar, .skip-link, #reading-mask, #broadcast"


def test_while_paused_no_key_click_or_tab_reaches_the_item_under_the_pause_screen(
    exam, new_page
) -> None:
    server, nips, token = exam
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    page.keyboard.press("b")
    wait_saved(page)
    radio_b = page.locator("#item input[type=radio]").nth(1)
    radio_b.focus()
    _pause(server, server.session_id, nips[0], pause=True)
    expect(page.locator("#paused")).to_be_visible(timeout=8000)
    page.keyboard.press("c")  # answer keys and the ragu-ragu key: nothing
    page.keyboard.press("r")
    page.keyboard.press("n")
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "sel => { const e = document.activeElement; return e && e.closest(sel) ? "
                "(e.id || e.className || e.tagName) : null; }",
                UNDER_THE_PAUSE,
            )
        )
    assert reached == [None] * 12, reached
    page.mouse.click(200, 400)  # on the pause screen: nothing under it is hit
    expect(page.locator("#item input[type=radio]").nth(2)).not_to_be_checked()
    expect(page.locator("#item input[type=checkbox]")).not_to_be_checked()

    _pause(server, server.session_id, nips[0], pause=False)
    expect(page.locator("#paused")).to_be_hidden(timeout=8000)
    expect(radio_b).to_be_focused()  # the focus comes back where it was
    at(page, 1)
    wait_saved(page)
    [answer] = db_rows(server, select(Answer))
    assert answer.option_id == radio_b.get_attribute("value") and answer.flagged is False
    expect(radio_b).to_be_checked()
    page.keyboard.press("c")  # and the keys work again
    wait_saved(page)
    [answer] = db_rows(server, select(Answer))
    assert answer.option_id == page.locator("#item input[type=radio]").nth(2).get_attribute("value")


def test_arrows_on_the_reading_mask_band_never_move_between_items(exam, new_page) -> None:
    server, nips, token = exam
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    page.keyboard.press("n")
    at(page, 2)
    page.click("#tool-mask")
    band = page.locator("#reading-band")
    expect(band).to_be_focused()
    for key in ("ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"):
        page.keyboard.press(key)
        expect(page.locator("#item")).to_have_attribute("data-position", "2")
        expect(band).to_be_focused()
    page.keyboard.press("Escape")  # still the band's: the mask goes off
    expect(band).to_be_hidden()
    expect(page.locator("#tool-mask")).to_be_focused()
    page.keyboard.press("ArrowLeft")  # off the band the arrows move again
    at(page, 1)


FIGURE_VIEW = """() => {
  const figure = document.querySelector('#item img.figure').getBoundingClientRect();
  const options = [...document.querySelectorAll('#item .option')]
    .map(o => o.getBoundingClientRect());
  return {figure: {top: figure.top, bottom: figure.bottom, height: figure.height},
          options: options.map(o => ({top: o.top, bottom: o.bottom})),
          height: innerHeight, scrollY: scrollY};
}"""


def test_a_figure_is_bounded_by_the_screen_so_its_options_stay_in_view(
    figural_exam,  # noqa: F811 (the fixture)
    new_page,
) -> None:
    server, seats = figural_exam
    page = new_page(server.url)
    start(page, *seats[0])
    # The figural item with the tallest figure (a square one, in the stem; figures in the
    # options too): figural items are at 16-30.
    tallest, ratio = 0, 0.0
    for position in range(16, 31):
        page.click(f'.grid [data-nav="{position}"]')
        expect(page.locator("#item")).to_have_attribute("data-position", str(position))
        shape = page.evaluate(
            "() => { const f = document.querySelector('#item img.figure');"
            " return f ? f.naturalHeight / f.naturalWidth : 0; }"
        )
        if shape > ratio:
            tallest, ratio = position, shape
    assert ratio >= 1, ratio
    page.click(f'.grid [data-nav="{tallest}"]')
    expect(page.locator("#item")).to_have_attribute("data-position", str(tallest))
    page.evaluate("window.scrollTo(0, 0)")
    small = page.evaluate(FIGURE_VIEW)
    # 1024×768, the default text: the figure and the first two options without scrolling.
    assert small["scrollY"] == 0
    assert small["figure"]["bottom"] <= small["height"], small
    assert all(o["bottom"] <= small["height"] for o in small["options"][:2]), small

    for _ in range(4):
        page.click(".font-larger")
    expect(page.locator("html")).to_have_attribute("data-font-step", "4")
    page.evaluate("window.scrollTo(0, 0)")
    large = page.evaluate(FIGURE_VIEW)
    # The figure no longer grows with the text (it went from 364 px at the smallest step to
    # 676 px at the largest).
    assert large["figure"]["height"] <= small["figure"]["height"] + 1, (small, large)
    assert large["figure"]["bottom"] <= large["height"], large
    # At the largest text: the figure and the first option without scrolling, and every
    # option on one screen once scrolled to (docs/delivery.md).
    assert large["options"][0]["bottom"] <= large["height"], large
    span = large["options"][-1]["bottom"] - large["options"][0]["top"]
    bar = page.evaluate("document.querySelector('.taker-bar').getBoundingClientRect().bottom")
    assert span <= large["height"] - bar, (span, large)


def test_submitting_while_offline_says_so_in_the_page_and_works_when_back(exam, new_page) -> None:
    server, nips, token = exam
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    page.keyboard.press("a")
    wait_saved(page)
    note = page.locator("#offline-submit")
    page.context.set_offline(True)
    page.click("#submit-link")
    expect(note).to_be_visible()
    expect(note).to_have_text(re.compile(r"^Jaringan terputus: tes belum dapat dikumpulkan"))
    expect(note).to_have_attribute("role", "alert")
    at(page, 1)  # the page stayed: no browser error page
    page.context.set_offline(False)
    expect(note).to_be_hidden()
    page.click("#submit-link")
    expect(page.locator("h1")).to_have_text("Kumpulkan tes sekarang?")

    page.context.set_offline(True)
    page.click("#confirm-submit")
    note = page.locator("#offline-submit")
    expect(note).to_be_visible()
    expect(note).to_contain_text("kumpulkan setelah jaringan tersambung kembali")
    expect(page).to_have_url(re.compile(r"/ujian/kumpulkan"))
    expect(page.locator("h1")).to_have_text("Kumpulkan tes sekarang?")
    page.context.set_offline(False)
    page.click("#confirm-submit")
    expect(page.locator("h1")).to_have_text("Tes selesai")


def test_a_lost_login_cookie_is_named_in_the_save_status_not_the_network(exam, new_page) -> None:
    server, nips, token = exam
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    page.context.clear_cookies()
    page.keyboard.press("a")
    expect(page.locator("#warning")).to_contain_text("Anda telah keluar")
    status = page.locator("#save-status")
    expect(status).to_have_text(
        "Belum tersimpan: 1 jawaban tetap ada di komputer ini dan tersimpan setelah Anda masuk lagi"
    )
    expect(status).not_to_contain_text("jaringan")
    page.wait_for_timeout(1500)  # and it stays so (no retry brings the network back)
    expect(status).to_contain_text("setelah Anda masuk lagi")


GENERIC = "ProASN CAT — Tes"


def test_every_taker_page_has_a_title_of_its_own(exam, new_page) -> None:
    server, nips, token = exam
    page = new_page(server.url)
    titles = {}
    page.goto("/ujian/cek")
    titles["check"] = page.title()
    page.goto("/ujian")
    titles["login"] = page.title()
    page.fill("#nip", nips[0])
    page.fill("#token", token)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Apakah ini data Anda?")
    titles["confirm"] = page.title()
    page.click("text=Ya, ini saya")
    # A click returns before the next page has loaded: wait for its heading, then read the title.
    expect(page.locator("h1")).to_have_text("Petunjuk")
    titles["instructions"] = page.title()
    page.click("text=Coba soal latihan")
    ready(page)
    titles["practice"] = page.title()
    page.click("text=Mulai tes")
    at(page, 1)
    titles["item"] = page.title()
    page.click("#submit-link")
    expect(page.locator("h1")).to_have_text("Kumpulkan tes sekarang?")
    titles["submit"] = page.title()
    page.click("#confirm-submit")
    expect(page.locator("h1")).to_have_text("Tes selesai")
    titles["finished"] = page.title()
    assert titles == {
        "check": "Periksa PC ini sebelum tes — ProASN CAT",
        "login": "Masuk ke tes — ProASN CAT",
        "confirm": "Apakah ini data Anda? — ProASN CAT",
        "instructions": "Petunjuk — ProASN CAT",
        "practice": titles["practice"],
        "item": "Soal 1 — ProASN CAT",
        "submit": "Kumpulkan tes sekarang? — ProASN CAT",
        "finished": "Tes selesai — ProASN CAT",
    }
    assert re.match(r"^Soal latihan 1 dari \d+ — ProASN CAT$", titles["practice"]), titles
    assert GENERIC not in titles.values()


def test_closing_the_proctors_message_gives_the_focus_back(exam, new_page) -> None:
    from app.audit.service import Actor
    from app.db import make_engine, make_sessionmaker, transaction
    from app.exams.models import ExamSession
    from app.proctoring import service as proctoring

    server, nips, token = exam
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    radio_c = page.locator("#item input[type=radio]").nth(2)
    radio_c.focus()
    engine = make_engine(server.database_url)
    with transaction(make_sessionmaker(engine)) as db:
        room = db.get_one(ExamSession, server.session_id)
        proctoring.broadcast(db, Actor(None, "pengawas-a", "proctor"), room, "Tenang")
    engine.dispose()
    expect(page.locator("#broadcast-text")).to_have_text("Tenang", timeout=10_000)
    expect(radio_c).to_be_focused()
    page.locator("#broadcast-close").focus()  # from the option straight to the message
    page.keyboard.press("Enter")
    expect(page.locator("#broadcast")).to_be_hidden()
    expect(radio_c).to_be_focused()  # back where it was, not the page's start
    page.keyboard.press("d")  # and the keys answer there
    expect(page.locator("#item input[type=radio]").nth(3)).to_be_checked()


def stored_keys(page: Page) -> dict[str, str]:
    return page.evaluate("Object.fromEntries(Object.entries(localStorage))")


def test_the_finished_page_leaves_nothing_of_the_taker_on_a_shared_pc(exam, new_page) -> None:
    server, nips, token = exam
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    page.keyboard.press("a")
    page.locator("#item .strike").nth(1).click()
    wait_saved(page)
    queue = f"proasn-queue-{nips[0]}"
    kept = stored_keys(page)
    assert {queue, queue + ":seq"} <= set(kept), kept
    assert any(key.startswith("proasn-struck-") for key in kept), kept
    page.click("#submit-link")
    page.click("#confirm-submit")
    expect(page.locator("h1")).to_have_text("Tes selesai")
    left = stored_keys(page)
    assert not [k for k in left if k.startswith((queue, "proasn-struck-"))], left

    # An answer still waiting is kept (a backdated room pause may reopen the attempt; the
    # queue goes when the taker is back in the test), and the options struck out with it.
    waiting = [{"position": 2, "option_id": None, "flagged": True, "seq": 99}]
    page.evaluate(
        "([q, w]) => { localStorage.setItem(q, w); localStorage.setItem(q + ':seq', '99');"
        " localStorage.setItem('proasn-struck-x', '{}'); }",
        [queue, json.dumps(waiting)],
    )
    page.reload()
    expect(page.locator("h1")).to_have_text("Tes selesai")
    left = stored_keys(page)
    assert json.loads(left[queue]) == waiting and left[queue + ":seq"] == "99", left
    assert "proasn-struck-x" in left
