"""Playwright on Debian's Chromium (Playwright's own browser download does not work here).

A screenshot of every open page is saved under test-artifacts/screenshots/ when a test fails.
"""

from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.conftest import BACKEND

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def contexts(browser: Browser, request: pytest.FixtureRequest) -> Iterator[list[BrowserContext]]:
    """Open contexts here (one per simulated PC); failing tests leave screenshots behind."""
    opened: list[BrowserContext] = []
    yield opened
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for n, context in enumerate(opened):
            for m, page in enumerate(context.pages):
                with suppress(Exception):  # best effort on a failing test
                    page.screenshot(
                        path=str(ARTIFACTS / f"{BACKEND}-{request.node.name}-{n}-{m}.png"),
                        full_page=True,
                    )
    for context in opened:
        context.close()


@pytest.fixture
def new_page(browser: Browser, contexts: list[BrowserContext]):
    def make(base_url: str, **options) -> Page:
        context = browser.new_context(
            base_url=base_url, viewport={"width": 1024, "height": 768}, locale="id-ID", **options
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    return make
