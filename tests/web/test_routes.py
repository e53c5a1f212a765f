"""The web app factory: landing page, health check, static htmx, security headers."""

import asyncio
import gc
import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import Response

from app.main import GC_THRESHOLDS, create_app
from app.web.edge import CSP, Edge, lang_cookie


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
    running, peak = {"staff": 0, "taker": 0}, {"staff": 0, "taker": 0}

    async def app(scope, receive, send):
        taker = scope["path"].startswith(("/api/v1/taker/", "/ujian/paket-soal"))
        kind = "taker" if taker else "staff"
        running[kind] += 1
        peak[kind] = max(peak[kind], running[kind])
        await asyncio.sleep(0.01)
        running[kind] -= 1

    limited = Edge(app, staff_limit=3, body_limit=65536, upload_limit=1 << 20)

    async def burst() -> None:
        paths = ["/pengawas/sesi/x/papan"] * 10 + ["/api/v1/taker/heartbeat"] * 5
        paths += ["/ujian/paket-soal"] * 5  # the page's batches: one thread, like the API
        await asyncio.gather(
            *(limited({"type": "http", "path": p, "headers": []}, no_body, drop) for p in paths)
        )

    # In a thread of its own: browser tests may leave an event loop running in this one.
    runner = threading.Thread(target=lambda: asyncio.run(burst()))
    runner.start()
    runner.join()
    assert peak == {"staff": 3, "taker": 10}


def test_every_response_has_the_security_headers_once_and_a_routes_own_policy_wins(
    client: TestClient,
) -> None:
    for path in ("/", "/bench/ping", "/healthz", "/ujian", "/api/v1/taker/heartbeat"):
        response = client.post(path) if path.endswith("heartbeat") else client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers.get_list("content-security-policy") == [CSP], path
    svg = Response(b"<svg/>", headers={"Content-Security-Policy": "default-src 'none'"})

    async def figure(scope, receive, send):
        await svg(scope, receive, send)

    sent: list[dict] = []

    async def collect(message):
        sent.append(message)

    async def one() -> None:
        await Edge(figure, staff_limit=1, body_limit=65536, upload_limit=1 << 20)(
            {"type": "http", "path": "/x", "headers": []}, no_body, collect
        )

    runner = threading.Thread(target=lambda: asyncio.run(one()))
    runner.start()
    runner.join()
    policies = [v for k, v in sent[0]["headers"] if k == b"content-security-policy"]
    assert policies == [b"default-src 'none'"]


def test_the_language_cookie_picks_the_locale_and_anything_else_means_indonesian(
    client: TestClient,
) -> None:
    assert lang_cookie({"headers": [(b"cookie", b"a=1; lang=en; b=2")]}) == "en"
    assert lang_cookie({"headers": [(b"cookie", b"proasn_taker=x")]}) is None
    client.cookies.set("lang", "en")
    assert 'lang="en"' in client.get("/ujian").text
    client.cookies.set("lang", "fr")
    assert 'lang="id"' in client.get("/ujian").text


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


def test_a_worker_opens_one_database_connection_per_request_thread_and_no_more(
    use_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers with 40 each held 78 idle PostgreSQL connections: a worker's threads and
    its pool are one setting, and the pool never overflows it."""
    from anyio import to_thread

    from app.config import get_settings

    monkeypatch.setenv("PROASN_WORKER_THREADS", "6")
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as client:
            assert isinstance(client.app, FastAPI)
            engine = client.app.state.engine
            assert (engine.pool.size(), engine.pool._max_overflow) == (6, 0)
            limiter = client.portal.call(to_thread.current_default_thread_limiter)
            assert limiter.total_tokens == 6
    finally:
        get_settings.cache_clear()


def test_bodies_over_the_limit_are_refused_before_parsing(client: TestClient) -> None:
    """Before: an unauthenticated 125 MB body to the taker login was parsed (165 -> 626 MB)."""
    big = b'{"nip": "' + b"1" * (65 * 1024) + b'", "token": "X"}'
    declared = client.post(
        "/api/v1/taker/login", content=big, headers={"content-type": "application/json"}
    )
    assert declared.status_code == 413 and declared.json()["code"] == "body_too_large"
    assert declared.json()["message"] == "Isi permintaan terlalu besar."  # one language
    client.cookies.set("lang", "en")
    english = client.post(
        "/api/v1/taker/login", content=big, headers={"content-type": "application/json"}
    )
    assert english.json()["message"] == "The request body is too large."
    client.cookies.delete("lang")

    def chunks():  # no Content-Length: counted as it is read
        for _ in range(70):
            yield b"1" * 1024

    chunked = client.post(
        "/api/v1/taker/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert chunked.status_code == 413 and chunked.json()["code"] == "body_too_large"
    form = client.post("/staf/masuk", data={"username": "x" * (70 * 1024), "password": "y"})
    assert form.status_code == 413
    small = client.post("/api/v1/taker/login", json={"nip": "1", "token": "X"})
    assert small.status_code == 401  # parsed and answered as ever


def test_uploads_have_their_own_larger_limit(client: TestClient) -> None:
    csv = b"nip,skp\n" + b"198001012006041001,baik\n" * 20_000  # ~0.5 MB: over the JSON limit
    upload = client.post(
        "/talenta/kinerja", files={"file": ("skp.csv", csv, "text/csv")}, follow_redirects=False
    )
    assert upload.status_code in (303, 401, 403)  # through to the login check, not 413
    huge = b"0" * (21 * 1024 * 1024)
    refused = client.post("/talenta/kinerja", files={"file": ("skp.csv", huge, "text/csv")})
    assert refused.status_code == 413


def test_without_its_database_the_server_answers_503_with_retry_after(tmp_path) -> None:
    """Before: plain-text 500s from the taker API while the database was down."""
    from app.config import Settings

    # Nothing listens on port 9: every connection attempt is refused, as with a stopped server.
    down = Settings(database_url="postgresql://postgres:x@127.0.0.1:9/none", sweeper_seconds=3600)
    with TestClient(create_app(down), raise_server_exceptions=False) as client:
        client.cookies.set("proasn_taker", "token-of-a-taker")
        for call in (
            lambda: client.get("/api/v1/taker/state"),
            lambda: client.post("/api/v1/taker/login", json={"nip": "1", "token": "X"}),
            lambda: client.put(
                "/api/v1/taker/answers/1", json={"option_id": "A", "seq": 1, "flagged": False}
            ),
            lambda: client.post("/api/v1/taker/heartbeat", json={}),
        ):
            response = call()
            assert response.status_code == 503, response.text
            assert response.json()["code"] == "unavailable"
            assert response.headers["Retry-After"] == "5"
        page = client.get("/ujian/lanjut", follow_redirects=False)
        assert page.status_code == 503 and "basis data" in page.text
        assert client.get("/healthz").status_code == 503


def test_pages_are_not_kept_in_a_shared_pcs_cache_and_hsts_comes_with_secure_cookies(
    client: TestClient, use_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in ("/staf/masuk", "/hasil", "/ujian", "/api/v1/taker/state"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    assert "no-store" not in client.get("/").headers.get("strict-transport-security", "")
    assert "strict-transport-security" not in client.get("/staf/masuk").headers
    from app.config import get_settings

    monkeypatch.setenv("PROASN_COOKIE_SECURE", "true")
    get_settings.cache_clear()
    with TestClient(create_app()) as secure:
        assert secure.get("/staf/masuk").headers["strict-transport-security"].startswith("max-age=")
    get_settings.cache_clear()


def test_a_form_post_from_another_origin_is_refused(client: TestClient) -> None:
    page = client.get("/staf/masuk")
    token = page.cookies.get("proasn_csrf") or client.cookies.get("proasn_csrf")
    form = {"username": "x-tidak-ada", "password": "y" * 12, "csrf_token": token or ""}
    foreign = client.post("/staf/masuk", data=form, headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403 and foreign.json()["code"] == "csrf_rejected"
    sandboxed = client.post("/staf/masuk", data=form, headers={"Origin": "null"})
    assert sandboxed.status_code == 403
    own = client.post("/staf/masuk", data=form, headers={"Origin": "http://testserver"})
    assert own.status_code == 401  # through to the password check


def test_a_nul_in_any_form_field_is_refused(client: TestClient) -> None:
    """Before: stored as is on SQLite (incident notes, PC numbers), refused by PostgreSQL."""
    page = client.get("/staf/masuk")
    token = page.cookies.get("proasn_csrf") or client.cookies.get("proasn_csrf")
    form = {"username": "a\x00b", "password": "y" * 12, "csrf_token": token or ""}
    refused = client.post("/staf/masuk", data=form)
    assert refused.status_code == 422 and "username" in refused.text


def test_unknown_pages_answer_in_the_pages_language(client: TestClient) -> None:
    """FastAPI's {"detail": "Not Found"} before."""
    page = client.get("/analis/tidak-ada")
    assert page.status_code == 404 and "Halaman itu tidak ada." in page.text
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/api/v1/tidak-ada")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    wrong_method = client.delete("/staf/masuk")
    assert wrong_method.status_code == 405 and "Alamat ini" in wrong_method.text


async def no_body() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


async def drop(message) -> None:
    pass


def test_static_files_are_served_from_memory_after_the_first_request(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a file's first request no lookup or read goes to the worker's threads (the ones
    the database work waits for); the same body, type, ETag and caching come back, and a
    revalidation with the ETag is a 304. Unknown and traversing paths stay 404."""
    from app.web.static_files import static_url

    url = static_url("js/taker.js")
    first = client.get(url)
    assert first.status_code == 200 and "immutable" in first.headers["cache-control"]

    def no_thread(*args, **kwargs):
        raise AssertionError("a static file read in a worker thread")

    monkeypatch.setattr("starlette.staticfiles.anyio.to_thread.run_sync", no_thread)
    monkeypatch.setattr("app.web.static_files.anyio.to_thread.run_sync", no_thread)
    again = client.get(url)
    assert again.content == first.content and again.status_code == 200
    for header in ("content-type", "etag", "content-length", "cache-control"):
        assert again.headers[header] == first.headers[header]
    not_modified = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert client.get("/ujian/sw.js?v=1").headers["content-type"].startswith("text/javascript")
    monkeypatch.undo()
    assert client.get("/static/js/nothing.js").status_code == 404
    assert client.get("/static/../app/config.py").status_code == 404
