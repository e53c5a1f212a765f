"""The web app factory: landing page, health check, static htmx, security headers."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app


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
