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
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
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
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        response = client.post(
            "/staf/masuk",
            follow_redirects=False,
            data={"username": "analis1", "password": "kata-sandi-analis", "csrf_token": token},
        )
        cookie = response.headers["set-cookie"].lower()
        assert "proasn_staff=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
