"""Safe Exam Browser (issue 19, item 7): an event that requires it refuses every taker page and
API call without a valid `X-SafeExamBrowser-ConfigKeyHash`; events without it are unchanged."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import get_settings
from app.delivery import calls, errors, hot, service
from app.kit import seb
from app.kit.clock import FrozenClock, use_clock
from app.main import create_app
from tests.delivery.factories import OpenExam, committed_exam, open_exam

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
KEY = "0123456789abcdef" * 4  # a Config Key as SEB Config Tool shows it
OTHER_KEY = "f" * 64
QUIT = "https://cat.example.go.id/seb-keluar"

# --- the hash --------------------------------------------------------------------------------


def spec_hash(url: str, key: str) -> str:
    """The developer docs' formula, written out here apart from app/kit/seb.py."""
    return hashlib.sha256((url + key).encode("utf-8")).hexdigest()


def test_the_hash_is_sha256_of_the_url_without_fragment_and_the_key() -> None:
    url = "https://cat.bkn.go.id/ujian/soal/12?x=1"
    known = "6a6cf92f4813b957d9b1c6d0c74698166d14662dd7786b05914429556547a805"
    assert spec_hash(url, KEY) == known
    assert seb.config_key_hash(url, KEY) == known
    assert seb.config_key_hash(url + "#bagian-2", KEY) == known


def test_a_hash_matches_for_any_allowed_key_and_nothing_else() -> None:
    url = "http://10.0.0.5:8000/api/v1/taker/heartbeat"
    sent = spec_hash(url, KEY)
    assert seb.matches(url, sent, [OTHER_KEY, KEY])
    assert seb.matches(url, f"  {sent.upper()} ", [KEY])  # as a header may carry it
    assert not seb.matches(url, sent, [OTHER_KEY])
    assert not seb.matches(url + "?x=1", sent, [KEY])  # a hash is good for one URL only
    assert not seb.matches(url, None, [KEY])
    assert not seb.matches(url, "", [KEY])
    assert not seb.matches(url, KEY, [KEY])  # the key itself is not the hash


def scope(path: bytes, query: bytes = b"", host: bytes = b"10.0.0.5:8000") -> dict:
    return {
        "type": "http",
        "scheme": "http",
        "path": path.decode(),
        "raw_path": path,
        "query_string": query,
        "headers": [(b"host", host)],
        "server": ("10.0.0.5", 8000),
    }


def test_the_url_is_the_one_the_browser_asked_for() -> None:
    asked = scope(b"/ujian/soal/3", b"dari=1&sampai=22")
    assert seb.request_url(asked) == "http://10.0.0.5:8000/ujian/soal/3?dari=1&sampai=22"
    assert seb.request_url(scope(b"/ujian")) == "http://10.0.0.5:8000/ujian"
    # percent-encoding as sent, not decoded
    assert seb.request_url(scope(b"/ujian/a%20b")) == "http://10.0.0.5:8000/ujian/a%20b"
    # behind a proxy: the public base (scheme, host, a prefix the proxy strips)
    public = "https://cat.bkn.go.id/cat/"
    assert seb.request_url(asked, public) == (
        "https://cat.bkn.go.id/cat/ujian/soal/3?dari=1&sampai=22"
    )
    no_host = {**scope(b"/ujian"), "headers": []}
    assert seb.request_url(no_host) == "http://10.0.0.5:8000/ujian"


def test_outside_a_web_request_nothing_is_presented() -> None:
    assert not seb.current_request_allowed([KEY])
    assert seb.allows(None)
    assert not seb.allows({"config_keys": [KEY]})


# --- an event that requires it ------------------------------------------------------------


@pytest.fixture
def frozen() -> Iterator[FrozenClock]:
    with use_clock(FrozenClock(START)) as c:
        yield c


def make_exam(database: str, tmp_path: Path, **settings) -> OpenExam:
    return committed_exam(database, tmp_path, people=2, **settings)


@pytest.fixture
def exam(use_database: str, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    settings = {"config_keys": [OTHER_KEY, KEY.upper()], "quit_url": QUIT}
    return make_exam(use_database, tmp_path, safe_exam_browser=settings)


@pytest.fixture
def app(use_database: str) -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        yield client


def signed(client: TestClient, key: str | None) -> TestClient:
    """The client sends SEB's header on every request (redirects too) hashed with `key`;
    None: no header, as an ordinary browser."""

    def sign(request: httpx.Request) -> None:
        request.headers.pop("X-SafeExamBrowser-ConfigKeyHash", None)
        if key is not None:
            url = str(request.url)
            request.headers["X-SafeExamBrowser-ConfigKeyHash"] = spec_hash(url, key)

    client.event_hooks = {"request": [sign], "response": []}
    return client


def api_login(client: TestClient, exam: OpenExam) -> httpx.Response:
    return client.post("/api/v1/taker/login", json={"nip": exam.nips[0], "token": exam.token})


def page_login(client: TestClient, exam: OpenExam) -> httpx.Response:
    page = client.get("/ujian")
    assert page.status_code == 200  # the event is not known before the token is entered
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"nip": exam.nips[0], "token": exam.token, "csrf_token": csrf}
    return client.post("/ujian/masuk", data=form)


@pytest.mark.parametrize("key", [None, OTHER_KEY[:-1] + "0"])
def test_login_without_or_with_a_wrong_header_is_refused(
    app: TestClient, exam: OpenExam, key: str | None
) -> None:
    refused = api_login(signed(app, key), exam)
    assert refused.status_code == 403
    assert refused.json()["code"] == "exam_browser_required"
    assert "Safe Exam Browser" in refused.json()["message"]
    page = page_login(app, exam)
    assert page.status_code == 403 and "proasn_taker" not in page.headers.get("set-cookie", "")
    assert "<h1>Safe Exam Browser diperlukan</h1>" in page.text
    assert "berkas konfigurasi ujian (.seb)" in page.text


def test_the_refusal_page_speaks_the_page_language(app: TestClient, exam: OpenExam) -> None:
    app.cookies.set("lang", "en")
    page = page_login(app, exam)
    assert page.status_code == 403 and "<h1>Safe Exam Browser required</h1>" in page.text


def test_with_the_right_header_every_taker_call_goes_through_and_without_it_none(
    app: TestClient, exam: OpenExam
) -> None:
    taker = signed(app, KEY)
    assert page_login(taker, exam).status_code == 200  # followed on to the identity page
    assert taker.post("/api/v1/taker/start").status_code == 200
    item = taker.get("/ujian/soal/1")
    assert item.status_code == 200 and 'data-report-leaves="0"' in item.text
    option = item.text.split('name="answer-1" value="')[1].split('"')[0]
    calls = [
        ("GET", "/ujian/lanjut", None),
        ("GET", "/ujian/soal/1", None),
        ("GET", "/ujian/paket-soal?dari=1&sampai=3", None),
        ("GET", "/ujian/konfirmasi", None),
        ("GET", "/ujian/kumpulkan", None),
        ("GET", "/api/v1/taker/state", None),
        ("GET", "/api/v1/taker/items/2", None),
        ("GET", "/api/v1/taker/grid", None),
        ("PUT", "/api/v1/taker/answers/1", {"option_id": option, "seq": 10**12}),
        ("POST", "/api/v1/taker/heartbeat", {"position": 1}),
    ]
    for method, path, body in calls:
        answered = taker.request(method, path, json=body, follow_redirects=False)
        assert answered.status_code in (200, 303), (path, answered.text)
    for key in (None, OTHER_KEY[:-1] + "0"):
        signed(taker, key)
        for method, path, body in [*calls, ("GET", "/api/v1/taker/signals", None)]:
            refused = taker.request(method, path, json=body, follow_redirects=False)
            assert refused.status_code == 403, (path, refused.status_code)
            if path.startswith("/api/"):
                assert refused.json()["code"] == "exam_browser_required"
            else:
                assert "Safe Exam Browser" in refused.text
    signed(taker, KEY)
    assert taker.post("/api/v1/taker/submit").status_code == 200
    finished = taker.get("/ujian/selesai")
    assert finished.status_code == 200 and f'href="{QUIT}"' in finished.text
    assert "Tutup Safe Exam Browser" in finished.text


def test_behind_a_proxy_the_public_base_url_is_hashed(
    app: TestClient, exam: OpenExam, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROASN_PUBLIC_BASE_URL", "https://cat.example.go.id")
    get_settings.cache_clear()
    assert api_login(signed(app, KEY), exam).status_code == 403  # hashed the inner URL

    def sign_public(request: httpx.Request) -> None:
        public = str(request.url).replace("http://testserver", "https://cat.example.go.id")
        request.headers["X-SafeExamBrowser-ConfigKeyHash"] = spec_hash(public, KEY)

    app.event_hooks = {"request": [sign_public], "response": []}
    assert api_login(app, exam).status_code == 200


def test_an_event_without_it_is_unaffected(
    use_database: str, tmp_path: Path, frozen: FrozenClock, app: TestClient
) -> None:
    plain = make_exam(use_database, tmp_path)
    assert api_login(app, plain).status_code == 200  # no header at all
    assert app.post("/api/v1/taker/start").status_code == 200
    page = app.get("/ujian/soal/1")
    assert page.status_code == 200 and 'data-report-leaves="1"' in page.text
    assert app.post("/api/v1/taker/heartbeat", json={"position": 1}).status_code == 200
    assert app.post("/api/v1/taker/submit").status_code == 200
    finished = app.get("/ujian/selesai")
    assert finished.status_code == 200 and "Safe Exam Browser" not in finished.text


# --- both paths ---------------------------------------------------------------------------


@contextmanager
def presenting(path: str, key: str | None, hashed_for: str | None = None) -> Iterator[None]:
    """Serve as a taker request to `path` would, carrying SEB's header hashed with `key` (for
    the URL of `hashed_for`, by default `path`)."""
    headers = [(b"host", b"testserver")]
    if key is not None:
        hashed = spec_hash(f"http://testserver{hashed_for or path}", key)
        headers.append((b"x-safeexambrowser-configkeyhash", hashed.encode()))
    request = {**scope(path.encode()), "headers": headers}
    token = seb.taker_request.set(request)
    try:
        yield
    finally:
        seb.taker_request.reset(token)


def test_the_hot_path_serves_a_signed_call_and_leaves_any_other_to_the_refusal(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = open_exam(db_session, tmp_path, people=1, safe_exam_browser={"config_keys": [KEY]})
    with presenting("/api/v1/taker/login", KEY):
        taker, token = service.login(db_session, exam.nips[0], exam.token, None)
    with presenting("/api/v1/taker/start", KEY):
        service.start(db_session, service.authenticate(db_session, token))
    beat = "/api/v1/taker/heartbeat"
    grace = service.answer_grace()
    with presenting(beat, KEY):
        assert hot.heartbeat(db_session, token, 1, frozen.now(), grace) is not None
        assert calls.beat(db_session, token, 1).status == "in_progress"
    for key, hashed_for in ((None, None), (OTHER_KEY, None), (KEY, "/api/v1/taker/state")):
        with presenting(beat, key, hashed_for):
            assert hot.heartbeat(db_session, token, 1, frozen.now(), grace) is None
            with pytest.raises(errors.ExamBrowserRequired):
                calls.beat(db_session, token, 1)
