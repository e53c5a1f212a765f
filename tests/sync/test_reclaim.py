"""A session packaged for a site runs there: the centre does not open it until it takes it back
(`proasn sync reclaim`), and from then on refuses that site's results for it. S1 is packaged
for Makassar and S2 for Jayapura (tests/sync/conftest.py)."""

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from app import migrate
from app.accounts.service import log_in
from app.audit.models import AuditEntry
from app.cli import app as cli
from app.config import Settings, get_settings
from app.db import make_engine
from app.exams.models import ExamSession
from app.kit.clock import FrozenClock
from app.main import create_app
from app.proctoring import service as proctoring
from app.sync import service
from app.sync.loading import load_package
from app.sync.views import deliveries
from tests.sync.factories import ACTOR, EVENT, World, refusal
from tests.sync.test_results import load, open_room, results, session_of, sit

CSRF = "csrf-uji-token"
MIGRATION = "b5d2f7a1c934"  # migrations/versions/2026-12-04-0410_session_packaged_for.py


def refused_at_centre(world: World, code: str) -> proctoring.ActionRefused:
    with world.central.db() as db:
        room = session_of(db, code)
        with pytest.raises(proctoring.ActionRefused) as caught:
            proctoring.open_session(db, ACTOR, room)
        assert room.status == "prepared"
    return caught.value


def test_the_centre_does_not_open_a_session_packaged_for_a_site(world: World) -> None:
    refusal_ = refused_at_centre(world, "S1")
    english = refusal_.message_in("en")
    assert "runs at site makassar" in english
    assert f"proasn sync reclaim {EVENT} --sessions S1 --reason" in english
    assert "berjalan di lokasi makassar" in refusal_.message_in("id")
    assert "jayapura" in refused_at_centre(world, "S2").message_in("en")


def test_the_proctor_console_says_where_the_session_runs_and_refuses_to_open_it(
    world: World,
) -> None:
    with world.central.db() as db:
        room_id = session_of(db, "S1").id
        token = log_in(db, "pengawas1", "sandi-rahasia-12", "127.0.0.1")[1]
    settings = Settings(database_url=world.central.url, sweeper_seconds=3600)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        client.cookies.set("proasn_csrf", CSRF)
        client.cookies.set("proasn_staff", token)
        page = client.get(f"/pengawas/sesi/{room_id}")
        assert "Berjalan di lokasi makassar" in page.text
        assert f'action="/pengawas/sesi/{room_id}/buka"' not in page.text  # no "Buka sesi"
        assert "Berjalan di lokasi makassar" in client.get("/staf").text
        # A form posted anyway (an old page, another tab) is refused with the reason.
        opened = client.post(f"/pengawas/sesi/{room_id}/buka", data={"csrf_token": CSRF})
        assert opened.status_code == 303
        shown = client.get(opened.headers["location"]).text
        assert "Sesi ini berjalan di lokasi makassar" in shown
    with world.central.db() as db:
        assert session_of(db, "S1").status == "prepared"


def test_the_site_opens_what_its_package_brought(world: World, clock: FrozenClock) -> None:
    makassar = world.sites["makassar"]
    data = world.package("makassar", "S1")  # the same site again: no --reassign
    with makassar.db() as db:
        _, content = service.open_package(db, makassar.keys, data)
    assert [s["code"] for s in content["sessions"]] == ["S1"]
    assert "packaged_for" not in content["sessions"][0]  # the centre's business only
    # Even a package that carried it (a copy of the centre's database, an older release)
    # leaves the site free to open its session.
    content["sessions"][0]["packaged_for"] = "makassar"
    with makassar.db() as db:
        load_package(db, content)
    open_room(makassar, "S1")
    with makassar.db() as db:
        room = session_of(db, "S1")
        assert (room.status, room.packaged_for) == ("open", None)


@pytest.fixture
def centre_cli(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("PROASN_DATABASE_URL", world.central.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def reclaim(runner: CliRunner, *args: str):
    return runner.invoke(cli, ["sync", "reclaim", EVENT, *args], catch_exceptions=False)


def test_reclaim_lets_the_centre_open_the_session_and_refuses_the_old_sites_results(
    world: World, clock: FrozenClock, centre_cli: CliRunner
) -> None:
    makassar = world.sites["makassar"]
    sit(makassar, open_room(makassar, "S1"), 1, answers=2, submit=True)
    assert reclaim(centre_cli, "--sessions", "S1").exit_code == 2  # --reason is required
    blank = reclaim(centre_cli, "--sessions", "S1", "--reason", "  ")
    assert blank.exit_code == 1 and "alasan" in blank.output.lower()

    taken = reclaim(centre_cli, "--sessions", "S1", "--reason", "Listrik padam di lokasi")
    assert taken.exit_code == 0, taken.output
    assert "S1" in taken.output and "diambil kembali dari lokasi makassar" in taken.output
    again = reclaim(centre_cli, "--sessions", "S1", "--reason", "lagi")
    assert again.exit_code == 1 and "S1" in again.output  # it runs here already
    with world.central.db() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sync.reclaim"))
        assert entry is not None and entry.reason == "Listrik padam di lokasi"
        assert entry.details["sessions"] == {"S1": "makassar"} and entry.actor_username
        room = session_of(db, "S1")
        assert room.packaged_for is None
        proctoring.open_session(db, ACTOR, room)
        assert room.status == "open"

    with refusal("Session S1 was taken back by the centre from site makassar"):
        load(world, results(world, "makassar"))
    with world.central.db() as db:
        assert [s.code for s in deliveries(db)[0].sessions] == ["S2"]  # S1 runs here now
    assert load(world, results(world, "jayapura")).sessions == ["S2"]


def test_a_reclaimed_session_may_be_packaged_for_a_site_again(world: World) -> None:
    with world.central.db() as db:
        left = service.reclaim_sessions(db, ACTOR, EVENT, ["S1"], "Lokasi tidak siap")
    assert left == {"S1": "makassar"}
    runs_here = "Sessions not packaged for a site (they run here already): S1"
    with world.central.db() as db, refusal(runs_here):
        service.reclaim_sessions(db, ACTOR, EVENT, ["S1", "S2"], "lagi")
    with world.central.db() as db, refusal(f"Unknown sessions of event {EVENT}: S9"):
        service.reclaim_sessions(db, ACTOR, EVENT, ["S9"], "salah ketik")
    world.load("jayapura", world.package("jayapura", "S1"))  # no --reassign: nobody holds it
    assert "runs at site jayapura" in refused_at_centre(world, "S1").message_in("en")
    with refusal("Session S1 was not packaged for site makassar"):
        load(world, results(world, "makassar"))


def test_the_migration_marks_each_session_with_the_site_of_its_latest_package(
    world: World,
) -> None:
    world.package("jayapura", "S1", reassign=True)  # S1 moved: its latest package is Jayapura's
    config = migrate.alembic_config(world.central.url)
    before = ScriptDirectory.from_config(config).get_revision(MIGRATION).down_revision
    assert isinstance(before, str)
    command.downgrade(config, before)
    engine = make_engine(world.central.url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("exam_session")}
        assert "packaged_for" not in columns
    finally:
        engine.dispose()
    migrate.upgrade(world.central.url)
    with world.central.db() as db:
        found = {s.code: s.packaged_for for s in db.scalars(select(ExamSession))}
    assert found == {"S1": "jayapura", "S2": "jayapura"}
