"""`proasn sync …` end to end: a central and a site database, each with its own key file."""

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import app
from app.config import get_settings
from app.db import make_engine, unit_of_work
from app.exams.models import Participant
from tests.sync.factories import EVENT, seed_central

runner = CliRunner()


class Servers:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, urls: dict[str, str]):
        self.monkeypatch, self.tmp_path, self.urls = monkeypatch, tmp_path, urls

    def run(self, server: str, *args: object):
        """`proasn ARGS` as run on `server` (its database, its key file)."""
        self.monkeypatch.setenv("PROASN_DATABASE_URL", self.urls[server])
        self.monkeypatch.setenv("PROASN_SYNC_KEY_FILE", str(self.tmp_path / f"{server}.key"))
        get_settings.cache_clear()
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    def public_key(self, server: str) -> str:
        output = self.run(server, "sync", "keys").output
        return next(line for line in output.splitlines() if line.startswith("proasn-sync-1:"))


@pytest.fixture
def servers(databases, monkeypatch, tmp_path: Path) -> Iterator[Servers]:
    urls = {"pusat": databases.copy(), "makassar": databases.copy()}
    with unit_of_work(urls["pusat"]) as db:
        seed_central(db, tmp_path, {"S1": [1, 2], "S2": [3]})
    yield Servers(monkeypatch, tmp_path, urls)
    get_settings.cache_clear()
    for url in urls.values():
        databases.drop(url)


def participants(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Participant)) or 0
    finally:
        engine.dispose()


def test_keys_sites_package_verify_load(servers: Servers, tmp_path: Path) -> None:
    central_key = servers.public_key("pusat")
    assert stat.S_IMODE((tmp_path / "pusat.key").stat().st_mode) == 0o600
    shown_again = servers.run("pusat", "sync", "keys")
    assert "sudah ada" in shown_again.output and central_key in shown_again.output
    site_key = servers.public_key("makassar")

    added = servers.run("pusat", "sync", "add-site", "makassar", "--public-key", site_key)
    assert added.exit_code == 0 and "Lokasi makassar didaftarkan" in added.output
    assert "  makassar  " in added.output  # the list follows
    trusted = servers.run("makassar", "sync", "trust-central", central_key)
    assert trusted.exit_code == 0, trusted.output

    out = tmp_path / "makassar-S1.proasn"
    made = servers.run(
        "pusat", "sync", "package", EVENT, "--site", "makassar", "--sessions", "S1", "--out", out
    )
    assert made.exit_code == 0, made.output
    assert "Mengemas formulir" in made.output and "peserta 2" in made.output
    # The size in Indonesian: thousands grouped with a dot ("44.132 bita", not "44,132").
    size = f"{out.stat().st_size:,}".replace(",", ".")
    assert f"{size} bita" in made.output, made.output

    checked = servers.run("makassar", "sync", "verify", out)
    assert checked.exit_code == 0, checked.output
    assert "isinya terbuka utuh" in checked.output and participants(servers.urls["makassar"]) == 0
    at_centre = servers.run("pusat", "sync", "verify", out)
    assert "hanya dapat dibuka di sana" in at_centre.output

    loaded = servers.run("makassar", "sync", "load-package", out)
    assert loaded.exit_code == 0, loaded.output
    assert "Memuat formulir" in loaded.output and "peserta 2" in loaded.output
    assert participants(servers.urls["makassar"]) == 2
    again = servers.run("makassar", "sync", "load-package", out)
    assert "Tidak ada perubahan" in again.output

    data = bytearray(out.read_bytes())
    data[-10] ^= 0xFF
    out.write_bytes(bytes(data))
    tampered = servers.run("makassar", "sync", "load-package", out)
    assert tampered.exit_code == 1
    assert "DITOLAK" in tampered.output


def test_loading_before_trusting_the_centre_is_refused(servers: Servers, tmp_path: Path) -> None:
    site_key = servers.public_key("makassar")
    servers.public_key("pusat")
    servers.run("pusat", "sync", "add-site", "makassar", "--public-key", site_key)
    out = tmp_path / "p.proasn"
    servers.run(
        "pusat", "sync", "package", EVENT, "--site", "makassar", "--sessions", "S1", "--out", out
    )
    refused = servers.run("makassar", "sync", "load-package", out)
    assert refused.exit_code == 1 and "trust-central" in refused.output


def test_results_back_while_the_session_runs_say_so(servers: Servers, tmp_path: Path) -> None:
    central_key, site_key = servers.public_key("pusat"), servers.public_key("makassar")
    servers.run("pusat", "sync", "add-site", "makassar", "--public-key", site_key)
    servers.run("makassar", "sync", "trust-central", central_key)
    package = tmp_path / "p.proasn"
    servers.run(
        "pusat",
        "sync",
        "package",
        EVENT,
        "--site",
        "makassar",
        "--sessions",
        "S1",
        "--out",
        package,
    )
    servers.run("makassar", "sync", "load-package", package)

    out = tmp_path / "hasil.proasn"
    made = servers.run("makassar", "sync", "results", EVENT, "--out", out)
    assert made.exit_code == 0, made.output
    assert "Mengumpulkan hasil" in made.output and "BELUM LENGKAP" in made.output
    checked = servers.run("pusat", "sync", "verify", out)
    assert "ditandatangani lokasi makassar" in checked.output, checked.output
    assert "isinya terbuka utuh" in checked.output
    assert "rantai jurnal jawaban utuh pada 0 tes" in checked.output
    loaded = servers.run("pusat", "sync", "load-results", out)
    assert loaded.exit_code == 0, loaded.output
    assert "Menggabungkan tabel" in loaded.output and "SEBAGIAN" in loaded.output
    wrong_way = servers.run("makassar", "sync", "load-results", out)
    assert wrong_way.exit_code == 1 and "DITOLAK" in wrong_way.output
