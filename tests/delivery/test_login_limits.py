"""Guessing room tokens: limited per NIP and per address, answered with a short, growing
wait (429 and Retry-After), apart from the staff and self-view limits. Before: 300 wrong
tokens for one NIP went through in 1.5 s."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.kit.clock import FrozenClock, use_clock
from app.main import create_app
from tests.delivery.factories import OpenExam, committed_exam

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[FrozenClock]:
    with use_clock(FrozenClock(START)) as c:
        yield c


@pytest.fixture
def exam(use_database: str, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return committed_exam(use_database, tmp_path, people=3)


def client_at(address: str, app=None) -> TestClient:
    return TestClient(app or create_app(), client=(address, 40000))


def login(client: TestClient, nip: str, token: str):
    return client.post("/api/v1/taker/login", json={"nip": nip, "token": token})


def test_wrong_room_tokens_for_one_nip_are_delayed_from_any_address(
    exam: OpenExam, frozen: FrozenClock
) -> None:
    with client_at("10.1.0.1") as guesser:
        for _ in range(5):
            assert login(guesser, exam.nips[0], "ZZZZZZ").status_code == 401
        refused = login(guesser, exam.nips[0], exam.token)  # even the right token waits
        assert refused.status_code == 429
        assert refused.json()["code"] == "too_many_attempts"
        assert refused.headers["Retry-After"] == "1"
        with client_at("10.1.0.2", guesser.app) as elsewhere:
            assert login(elsewhere, exam.nips[0], exam.token).status_code == 429
            assert login(elsewhere, exam.nips[1], exam.token).status_code == 200  # other NIPs
        frozen.advance(seconds=1)
        assert login(guesser, exam.nips[0], exam.token).status_code == 200


def test_wrong_logins_from_one_address_are_delayed_whatever_the_nip(
    exam: OpenExam, frozen: FrozenClock
) -> None:
    with client_at("10.2.0.1") as guesser:
        for n in range(50):
            assert login(guesser, f"1980010120060410{n:02}", "ZZZZZZ").status_code == 401
        assert login(guesser, exam.nips[0], exam.token).status_code == 429
        with client_at("10.2.0.2", guesser.app) as neighbour:
            assert login(neighbour, exam.nips[0], exam.token).status_code == 200


def test_the_login_page_says_to_wait(exam: OpenExam, frozen: FrozenClock) -> None:
    with client_at("10.3.0.1") as browser:
        page = browser.get("/ujian")
        csrf = page.cookies.get("proasn_csrf") or browser.cookies.get("proasn_csrf")
        form = {"nip": exam.nips[0], "token": "ZZZZZZ", "csrf_token": csrf or ""}
        for _ in range(5):
            assert browser.post("/ujian/masuk", data=form).status_code == 401
        waiting = browser.post("/ujian/masuk", data={**form, "token": exam.token})
        assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
        assert "Tunggu sebentar" in waiting.text and "Coba lagi dalam 1 detik." in waiting.text


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    exam: OpenExam, frozen: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: a client on 127.0.0.1 dodged the limit by changing X-Forwarded-For."""
    from app.config import get_settings

    # Not trusted (the default): the header is ignored, the connection's address counts. The
    # per-address rule needs 50 failures, so count through a NIP-less view: 50 tries.
    with client_at("127.0.0.1") as local:
        for n in range(50):
            headers = {"X-Forwarded-For": f"203.0.113.{n}"}
            local.post(
                "/api/v1/taker/login",
                json={"nip": f"1980010120060410{n:02}", "token": "ZZZZZZ"},
                headers=headers,
            )
        assert login(local, exam.nips[2], exam.token).status_code == 429
    # Trusted: the proxy's X-Forwarded-For names the client, so its limit is the client's.
    monkeypatch.setenv("PROASN_TRUSTED_PROXIES", "10.9.0.1")
    get_settings.cache_clear()
    with client_at("10.9.0.1") as proxy:
        for n in range(50):
            proxy.post(
                "/api/v1/taker/login",
                json={"nip": f"1980010120060420{n:02}", "token": "ZZZZZZ"},
                headers={"X-Forwarded-For": "198.51.100.7"},
            )
        behind = {"X-Forwarded-For": "198.51.100.8"}  # another client behind the same proxy
        ok = proxy.post(
            "/api/v1/taker/login", json={"nip": exam.nips[1], "token": exam.token}, headers=behind
        )
        assert ok.status_code == 200
        again = proxy.post(
            "/api/v1/taker/login",
            json={"nip": exam.nips[0], "token": exam.token},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
        assert again.status_code == 429
    get_settings.cache_clear()


def test_proasn_serve_ignores_x_forwarded_for_from_localhost(
    exam: OpenExam, tmp_path: Path
) -> None:
    """The server as `proasn serve` starts it: uvicorn's own --proxy-headers trusted
    127.0.0.1, so a client there could name any address and never be delayed."""
    import os
    import subprocess
    import sys
    import time

    import httpx2 as httpx

    from tests.live import ROOT, free_port

    port = free_port()
    command = [sys.executable, "-c", "from app.cli import app; app()", "serve", "--port", str(port)]
    env = {**os.environ, "PROASN_SWEEPER_SECONDS": "60"}
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(base_url=url) as client:
            for n in range(50):
                client.post(
                    "/api/v1/taker/login",
                    json={"nip": f"1980010120060410{n:02}", "token": "ZZZZZZ"},
                    headers={"X-Forwarded-For": f"203.0.113.{n}"},
                )
            reply = client.post(
                "/api/v1/taker/login",
                json={"nip": exam.nips[0], "token": exam.token},
                headers={"X-Forwarded-For": "203.0.113.200"},
            )
        assert reply.status_code == 429, (tmp_path / "serve.log").read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)
