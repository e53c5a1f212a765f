"""Staff login pages and the `proasn users` commands."""

import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import app as cli
from app.main import create_app


def test_users_create_from_stdin_then_login_page_and_logout(use_database: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "users",
            "create",
            "--username",
            "admin1",
            "--role",
            "admin",
            "--full-name",
            "Admin Satu",
            "--password-stdin",
        ],
        input="kata-sandi-admin-1\n",
    )
    assert result.exit_code == 0, result.output
    bad = runner.invoke(
        cli,
        ["users", "create", "--username", "x", "--role", "admin", "--password-stdin"],
        input="pendek\n",
    )
    assert bad.exit_code == 1 and "GALAT" in bad.output
    with TestClient(create_app()) as client:
        page = client.get("/staf/masuk")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        wrong = client.post(
            "/staf/masuk",
            data={"username": "admin1", "password": "salah-salah", "csrf_token": token},
        )
        assert wrong.status_code == 401 and "Nama pengguna atau kata sandi salah" in wrong.text
        home = client.post(
            "/staf/masuk",
            data={"username": "admin1", "password": "kata-sandi-admin-1", "csrf_token": token},
        )
        assert home.status_code == 200 and "Akun staf" in home.text
        cookie = client.cookies.get("proasn_staff")
        assert cookie
        out = client.post("/staf/keluar", data={"csrf_token": token})
        assert out.url.path == "/staf/masuk"
        assert client.get("/staf", follow_redirects=False).status_code == 303


def test_staff_cookie_is_httponly_and_strict(use_database: str) -> None:
    runner = CliRunner()
    runner.invoke(
        cli,
        ["users", "create", "--username", "analis1", "--role", "analyst", "--password-stdin"],
        input="kata-sandi-analis\n",
    )
    with TestClient(create_app()) as client:
        page = client.get("/staf/masuk")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = client.post(
            "/staf/masuk",
            follow_redirects=False,
            data={"username": "analis1", "password": "kata-sandi-analis", "csrf_token": token},
        )
        cookie = response.headers["set-cookie"].lower()
        assert "proasn_staff=" in cookie and "httponly" in cookie and "samesite=strict" in cookie


def test_the_admin_sees_a_delayed_account_and_lifts_the_delay(use_database: str) -> None:
    runner = CliRunner()
    for username, role, password in (
        ("admin1", "admin", "kata-sandi-admin-1"),
        ("pengawas1", "proctor", "kata-sandi-pengawas"),
    ):
        args = ["users", "create", "--username", username, "--role", role, "--password-stdin"]
        assert runner.invoke(cli, args, input=password + "\n").exit_code == 0
    app = create_app()
    with TestClient(app, client=("10.5.0.1", 1)) as guesser:
        page = guesser.get("/staf/masuk")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        for _ in range(6):
            guesser.post(
                "/staf/masuk",
                data={"username": "pengawas1", "password": "tebakan-salah", "csrf_token": token},
            )
    with TestClient(app, client=("10.5.0.2", 1)) as proctor:
        page = proctor.get("/staf/masuk")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        form = {"username": "pengawas1", "password": "kata-sandi-pengawas", "csrf_token": token}
        waiting = proctor.post("/staf/masuk", data=form)
        assert waiting.status_code == 429 and "Retry-After" in waiting.headers
    with TestClient(app, client=("10.5.0.3", 1)) as admin:
        page = admin.get("/staf/masuk")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        form = {"username": "admin1", "password": "kata-sandi-admin-1", "csrf_token": token}
        assert admin.post("/staf/masuk", data=form).status_code == 200
        users = admin.get("/admin/pengguna")
        assert "login ditunda setelah percobaan gagal" in users.text
        lift = re.search(r'action="(/admin/pengguna/[^"]+/buka-tunda)"', users.text)
        assert lift is not None
        without_csrf = admin.post(lift.group(1))
        assert without_csrf.status_code == 403
        done = admin.post(lift.group(1), data={"csrf_token": token})
        assert "penundaan login dicabut" in done.text
        assert "login ditunda" not in done.text
        audit = admin.get("/audit")
        assert "staff.unthrottle" in audit.text and "staff.throttled" in audit.text
    with TestClient(app, client=("10.5.0.2", 1)) as proctor:
        page = proctor.get("/staf/masuk")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        form = {"username": "pengawas1", "password": "kata-sandi-pengawas", "csrf_token": token}
        assert proctor.post("/staf/masuk", data=form).status_code == 200  # at once
        refused = proctor.post(lift.group(1), data={"csrf_token": token}, follow_redirects=False)
        assert refused.status_code == 403  # a proctor may not lift delays


def test_the_audit_logs_page_links_keep_the_filter_encoded() -> None:
    from app.accounts.audit_routes import _page_url

    shown = {"actor": "cli:ana", "action": "", "since": "2026-01-01", "until": "", "nip": "1 2"}
    assert _page_url(shown, 2) == "?actor=cli%3Aana&action=&since=2026-01-01&until=&nip=1+2&page=2"
