"""What a taker met in a Chromium walk-through of the exam room (issue 19): a pause on the
submit page, a resume before the page's signal stream opens, and an item that could not load
offline."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.browser.test_taker import _pause, log_in_and_start, wait_saved
from tests.delivery.factories import open_exam


def _exam(live_server, tmp_path: Path, **server_options):
    def seed(db: Session):
        exam = open_exam(db, tmp_path, people=2, total_minutes=60)
        return exam.nips, exam.token, exam.session.id

    return live_server(seed, **server_options)


@pytest.fixture
def quiet_exam(live_server, tmp_path: Path):
    """No heartbeat within a test and the signal stream 60-120 s after a page load (every
    page waits, as in a rush): the page hears of the server only when it calls."""
    env = {"PROASN_SIGNAL_DELAY_SECONDS": "120", "PROASN_SIGNAL_DELAY_RUSH_PAGES": "0"}
    return _exam(live_server, tmp_path, heartbeat_seconds=120, env=env)


def clock_of(page: Page) -> str:
    return page.locator("#clock").inner_text()


def test_the_submit_page_shows_a_pause_and_stops_its_clock(
    live_server,
    new_page,
    tmp_path: Path,
) -> None:
    server, (nips, token, session_id) = _exam(live_server, tmp_path)
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    page.click("#submit-link")
    expect(page.locator("h1")).to_have_text("Kumpulkan tes sekarang?")
    expect(page.locator("#paused")).to_be_hidden()
    _pause(server, session_id, nips[0], pause=True)
    expect(page.locator("#paused")).to_be_visible(timeout=5000)
    expect(page.locator("#confirm-submit")).to_be_disabled()
    stopped_at = clock_of(page)
    page.wait_for_timeout(2500)
    assert clock_of(page) == stopped_at
    _pause(server, session_id, nips[0], pause=False)
    expect(page.locator("#paused")).to_be_hidden(timeout=8000)
    expect(page.locator("#confirm-submit")).to_be_enabled()


def test_a_resume_shows_within_seconds_before_the_signal_stream_opens(
    quiet_exam,
    new_page,
) -> None:
    server, (nips, token, session_id) = quiet_exam
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    _pause(server, session_id, nips[0], pause=True)
    page.keyboard.press("a")  # refused for the pause: the page shows it at once
    expect(page.locator("#paused")).to_be_visible(timeout=5000)
    _pause(server, session_id, nips[0], pause=False)
    expect(page.locator("#paused")).to_be_hidden(timeout=8000)
    wait_saved(page)  # the answer held by the pause goes now


def test_a_pause_before_the_signal_stream_opened_shows_as_it_opens(
    live_server, new_page, tmp_path: Path
) -> None:
    """The stream opens 2-4 s after the page loads (every page waits, as in a rush); the
    proctor pauses the seat before that; no heartbeat within the test, no key pressed: the
    stream's opening tells the page of the pause it missed."""
    env = {"PROASN_SIGNAL_DELAY_SECONDS": "4", "PROASN_SIGNAL_DELAY_RUSH_PAGES": "0"}
    server, (nips, token, session_id) = _exam(live_server, tmp_path, heartbeat_seconds=120, env=env)
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    delay = float(page.locator("#taker").get_attribute("data-signal-delay") or 0)
    assert 2 <= delay <= 4
    _pause(server, session_id, nips[0], pause=True)
    expect(page.locator("#paused")).to_be_visible(timeout=(delay + 4) * 1000)
    stopped_at = clock_of(page)
    page.wait_for_timeout(1500)
    assert clock_of(page) == stopped_at


def test_a_page_loaded_alone_opens_its_signal_stream_at_once(
    live_server, new_page, tmp_path: Path
) -> None:
    """Outside a rush of page loads (a late arrival, a reload) the stream does not wait: a
    pause a moment after the page loaded shows within seconds."""
    env = {"PROASN_SIGNAL_DELAY_SECONDS": "120"}  # the rush threshold as deployed
    server, (nips, token, session_id) = _exam(live_server, tmp_path, heartbeat_seconds=120, env=env)
    page = new_page(server.url)
    log_in_and_start(page, nips[0], token)
    assert page.locator("#taker").get_attribute("data-signal-delay") == "0.0"
    _pause(server, session_id, nips[0], pause=True)
    expect(page.locator("#paused")).to_be_visible(timeout=5000)
