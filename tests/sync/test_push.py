"""Results pushed over the network: `POST /api/v1/sync/results` with a site token, and
`proasn sync push` from the site."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from app.audit.models import AuditEntry
from app.cli import app as cli
from app.config import Settings
from app.delivery.models import AnswerJournal, Attempt
from app.kit.clock import FrozenClock
from app.main import create_app
from app.sync import tokens
from tests.live import LiveServer
from tests.sync.factories import ACTOR, World
from tests.sync.test_results import _edit, forged, open_room, results, sit


def token_for(world: World, site: str) -> str:
    with world.central.db() as db:
        return tokens.issue_token(db, ACTOR, site)


@pytest.fixture
def centre(world: World, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=world.central.url,
        sync_key_file=tmp_path / "pusat.key",
        sweeper_seconds=3600,
        max_sync_mib=1,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def push(client: TestClient, data: bytes, token: str | None):
    headers = {"Content-Type": "application/octet-stream"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post("/api/v1/sync/results", content=data, headers=headers)


def audit_actions(world: World) -> list[str]:
    with world.central.db() as db:
        return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.at)))


def test_a_site_pushes_its_results_with_its_token(
    world: World, clock: FrozenClock, centre: TestClient
) -> None:
    makassar = world.sites["makassar"]
    sit(makassar, open_room(makassar, "S1"), 1, answers=3, submit=True)
    data = results(world, "makassar")
    token = token_for(world, "makassar")

    loaded = push(centre, data, token)
    assert loaded.status_code == 200, loaded.text
    report = loaded.json()
    assert (report["site"], report["sessions"], report["changed"]) == ("makassar", ["S1"], True)
    assert report["added"]["attempts"] == 1 and report["added"]["journal"] == 3
    assert report["complete"] is False and report["running"] == ["S1"]
    again = push(centre, data, token)
    assert again.status_code == 200 and again.json()["changed"] is False
    assert world.central.count(Attempt) == 1
    assert audit_actions(world).count("sync.load_results") == 2
    with world.central.db() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sync.load_results"))
        assert entry is not None and entry.actor_username == "site:makassar"


def test_no_token_a_revoked_one_or_another_sites_is_refused(
    world: World, clock: FrozenClock, centre: TestClient
) -> None:
    makassar = world.sites["makassar"]
    sit(makassar, open_room(makassar, "S1"), 1, answers=2, submit=True)
    data = results(world, "makassar")
    assert push(centre, data, None).status_code == 401
    assert push(centre, data, "sst_not-a-token").json()["code"] == "sync_token_refused"
    old = token_for(world, "makassar")
    token_for(world, "makassar")  # a new one revokes the old
    assert push(centre, data, old).status_code == 401
    with world.central.db() as db:
        assert tokens.revoke_tokens(db, ACTOR, "makassar") == 1

    jayapura = token_for(world, "jayapura")
    refused = push(centre, data, jayapura)
    assert refused.status_code == 403 and refused.json()["code"] == "sync_wrong_site"
    assert world.central.count(Attempt) == 0
    assert "sync.push_refused" in audit_actions(world)


def test_a_tampered_journal_is_refused_with_its_problems(
    world: World, clock: FrozenClock, centre: TestClient
) -> None:
    makassar = world.sites["makassar"]
    sit(makassar, open_room(makassar, "S1"), 1, answers=3, submit=True)
    refused = push(centre, forged(world, _edit), token_for(world, "makassar"))
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["problem_count"] == 1 and "hash baris" in body["problems"][0]
    assert world.central.count(AnswerJournal) == 0 and world.central.count(Attempt) == 0


def test_a_body_over_the_sync_limit_is_refused_unread(
    world: World, clock: FrozenClock, centre: TestClient
) -> None:
    refused = push(centre, b"x" * (1024 * 1024 + 1), token_for(world, "makassar"))
    assert refused.status_code == 413


def test_proasn_sync_push_from_the_site(
    world: World, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    makassar = world.sites["makassar"]
    sit(makassar, open_room(makassar, "S1"), 1, answers=2, submit=True)
    data_file = tmp_path / "hasil.proasn"
    data_file.write_bytes(results(world, "makassar"))
    token_file = tmp_path / "makassar.token"
    monkeypatch.setenv("PROASN_DATABASE_URL", world.central.url)
    monkeypatch.setenv("PROASN_SYNC_KEY_FILE", str(tmp_path / "pusat.key"))
    from app.config import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    issued = runner.invoke(cli, ["sync", "site-token", "makassar", "--out", str(token_file)])
    assert issued.exit_code == 0, issued.output
    assert token_file.stat().st_mode & 0o777 == 0o600
    get_settings.cache_clear()

    workdir = tmp_path / "live"
    workdir.mkdir()
    server = LiveServer(
        world.central.url, workdir, env={"PROASN_SYNC_KEY_FILE": str(tmp_path / "pusat.key")}
    ).start()
    try:
        args = ["sync", "push", str(data_file), "--url", server.url, "--token-file"]
        sent = runner.invoke(cli, [*args, str(token_file)])
        assert sent.exit_code == 0, sent.output
        assert "Terkirim" in sent.output and "SEBAGIAN" in sent.output
        token_file.chmod(0o644)
        loose = runner.invoke(cli, [*args, str(token_file)])
        assert loose.exit_code == 1 and "chmod 600" in loose.output
        token_file.chmod(0o600)
        runner.invoke(cli, ["sync", "site-token", "makassar", "--revoke"])
        revoked = runner.invoke(cli, [*args, str(token_file)])
        assert revoked.exit_code == 1 and "(401)" in revoked.output
    finally:
        server.stop()
        get_settings.cache_clear()
