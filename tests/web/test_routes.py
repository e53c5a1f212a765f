"""The web app factory: landing page, health check, static htmx, security headers."""

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import GC_THRESHOLDS, create_app


@pytest.fixture
def client(use_database: str) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def test_home_page_is_indonesian_first(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="id">' in response.text
    assert "Selamat datang di ProASN CAT" in response.text
    assert 'href="/ujian"' in response.text


def test_health_check_touches_the_database(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_bench_ping_is_bare_and_public(client: TestClient) -> None:
    response = client.get("/bench/ping")
    assert (response.status_code, response.text) == (200, "pong")
    assert "set-cookie" not in response.headers


def test_htmx_is_served_from_the_pinned_npm_package(client: TestClient) -> None:
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200 and "htmx" in response.text[:2000]
    assert client.get("/static/vendor/htmx.LICENSE").status_code == 200


def test_pages_forbid_inline_script_and_eval(client: TestClient) -> None:
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert client.get("/").headers["x-frame-options"] == "DENY"


def test_htmx_fragment_layout_for_htmx_requests(client: TestClient) -> None:
    fragment = client.get("/", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and "Selamat datang" in fragment


def test_staff_pages_are_capped_per_worker_but_the_taker_api_is_not() -> None:
    import asyncio
    import threading

    from app.web.limits import StaffConcurrencyLimit

    running, peak = {"staff": 0, "taker": 0}, {"staff": 0, "taker": 0}

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        kind = "taker" if scope["path"].startswith("/api/v1/taker/") else "staff"
        running[kind] += 1
        peak[kind] = max(peak[kind], running[kind])
        await asyncio.sleep(0.01)
        running[kind] -= 1

    limited = StaffConcurrencyLimit(app, limit=3)

    async def burst() -> None:
        paths = ["/pengawas/sesi/x/papan"] * 10 + ["/api/v1/taker/heartbeat"] * 10
        await asyncio.gather(
            *(limited({"type": "http", "path": p}, None, None) for p in paths)  # type: ignore[arg-type]
        )

    # In a thread of its own: browser tests may leave an event loop running in this one.
    runner = threading.Thread(target=lambda: asyncio.run(burst()))
    runner.start()
    runner.join()
    assert peak == {"staff": 3, "taker": 10}


def test_a_started_worker_keeps_its_startup_objects_out_of_the_collector(
    use_database: str,
) -> None:
    gc.unfreeze()
    before = gc.get_threshold()
    try:
        with TestClient(create_app()):
            # A full collection walked them all, holding the GIL ~90 ms (bench/load's p99).
            assert gc.get_freeze_count() > 10_000
            # ... and requests in flight are not promoted into a full collection every few s.
            assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.set_threshold(*before)
