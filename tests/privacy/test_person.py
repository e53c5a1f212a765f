"""The official's own data (CLI for a written request, self-view download), corrections by
an admin, and the audit log filtered by person."""

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from app.accounts.service import create_user, log_in
from app.audit.service import Actor
from app.cli import app as cli
from app.exams.models import Participant
from app.exports.service import ExportFilter, prepare_export
from app.main import create_app
from app.privacy.corrections import CorrectionRefused, correct_identity
from tests.privacy.factories import scored_world, session_of
from tests.scoring.test_selfview import look_up
from tests.scoring.test_service import ANALYST

ADMIN = Actor(None, "admin", "admin")


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def staff(url: str, role: str) -> str:
    with session_of(url) as db:
        create_user(db, f"u-{role}", "kata-sandi-panjang", role, role)
        return log_in(db, f"u-{role}", "kata-sandi-panjang", "127.0.0.1")[1]


def test_export_person_holds_everything_and_who_saw_it(use_database: str, tmp_path: Path) -> None:
    world = scored_world(use_database, tmp_path)
    nip = world.nips[0]
    with session_of(world.url) as db:
        prepare_export(
            db, ANALYST, ExportFilter(event=world.event_code), "csv"
        )  # a whole-run export
        person = db.scalar(select(Participant).where(Participant.nip == nip))
        assert person is not None
        correct_identity(db, ADMIN, person, {"name": "Peserta Satu"}, "surat 12/2027")
    out = tmp_path / "orang.json"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["data", "export-person", nip, "--out", str(out), "--reason", "surat 1"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    reg = doc["registrations"][0]
    assert reg["identity"]["name"] == "Peserta Satu" and reg["identity"]["nip"] == nip
    assert reg["accommodations"] == {"extra_time_percent": 0, "large_print": False}
    assert reg["corrections"][0] | {"at": None} == {
        "field": "name",
        "old": "Peserta 1",
        "new": "Peserta Satu",
        "reason": "surat 12/2027",
        "at": None,
        "by": "admin",
    }
    assert reg["result"]["level"] and reg["result"]["norm"]["name"].endswith("kohort")
    assert all({"theta", "se"} <= set(s) for s in reg["result"]["subtests"].values())
    assert reg["attempt"]["status"] == "submitted" and reg["attempt"]["answers_held"] > 0
    held = reg["attempt"]["answers"]
    assert len(held) == reg["attempt"]["answers_held"] and {"position", "option"} <= set(held[0])
    actions = {(a["who"], a["action"]) for a in doc["access_log"]}
    assert ("analis", "export.scores") in actions and (
        "admin",
        "privacy.correct_identity",
    ) in actions
    again = runner.invoke(cli, ["data", "export-person", nip, "--reason", "surat 2"])
    assert "privacy.export_person" in again.output  # the first export is in the second's log
    assert runner.invoke(cli, ["data", "export-person", "123", "--reason", "x"]).exit_code == 2
    assert runner.invoke(cli, ["data", "export-person", nip]).exit_code == 2  # no reason


def test_corrections_refuse_with_the_field_named(use_database: str, tmp_path: Path) -> None:
    world = scored_world(use_database, tmp_path)
    with session_of(world.url) as db:
        person = db.scalar(select(Participant).where(Participant.nip == world.nips[0]))
        assert person is not None
        for values, reason, message in (
            ({"name": "X"}, "", "alasan"),
            ({"eselon": "V"}, "surat", "eselon"),
            ({"nip": "1"}, "surat", "nip"),
            ({"name": "x" * 201}, "surat", "name"),
            ({"name": person.name}, "surat", "tidak ada kolom"),
        ):
            try:
                correct_identity(db, ADMIN, person, values, reason)
            except CorrectionRefused as exc:
                assert message in str(exc)
            else:
                raise AssertionError(values)


def test_self_view_download_is_the_officials_own_and_audited(
    use_database: str, tmp_path: Path
) -> None:
    world = scored_world(use_database, tmp_path)
    nip, other = world.nips[0], world.nips[1]
    with TestClient(create_app(), follow_redirects=False) as client:
        assert client.get("/hasil/data-saya/json").status_code == 401
        assert client.get("/hasil/data-saya").status_code == 303
        assert look_up(client, nip, world.codes[nip]).status_code == 303
        assert "/hasil/data-saya/json" in client.get("/hasil").text
        response = client.get("/hasil/data-saya/json")
        assert (
            response.status_code == 200 and "attachment" in response.headers["content-disposition"]
        )
        doc = response.json()
        assert doc["nip"] == nip and other not in response.text and "Peserta 2" not in response.text
        assert [a["action"] for a in doc["access_log"]] == ["selfview.view"]
        page = client.get("/hasil/data-saya")
        assert (
            page.status_code == 200
            and "Peserta 1" in page.text
            and "Data pribadi Anda yang disimpan" in page.text
        )
        # readable: times in WIB, actions and statuses in words, subtests by name (an outside
        # check found ISO UTC times and codes like selfview.view and submitted)
        main = page.text[page.text.index("<main") :]
        assert "WIB" in main and "+00:00" not in main and "T0" not in main
        assert "selfview.view" not in main and "Anda melihat hasil Anda" in main
        assert "submitted" not in main and "Penalaran Verbal" in main
    analyst = staff(use_database, "analyst")
    with TestClient(create_app()) as client:
        client.cookies.set("proasn_staff", analyst)
        log = client.get("/audit", params={"nip": nip})
        assert log.status_code == 200 and log.text.count("privacy.self_export") == 2
        assert client.get("/audit", params={"nip": other}).text.count("privacy.self_export") == 0
        bad = client.get("/audit", params={"nip": "12345"})
        assert bad.status_code == 422 and "NIP" in bad.text


def test_identity_corrections_page_is_for_admins_with_csrf(
    use_database: str, tmp_path: Path
) -> None:
    world = scored_world(use_database, tmp_path)
    nip = world.nips[0]
    admin, analyst = staff(use_database, "admin"), staff(use_database, "analyst")
    with TestClient(create_app(), follow_redirects=False) as client:
        assert client.get("/admin/peserta").status_code in (303, 401)  # to the login page
        client.cookies.set("proasn_staff", analyst)
        assert client.get("/admin/peserta", params={"nip": nip}).status_code == 403
        client.cookies.set("proasn_staff", admin)
        page = client.get("/admin/peserta", params={"nip": nip})
        assert page.status_code == 200 and "Peserta 1" in page.text
        pid = re.search(r"/admin/peserta/([0-9a-f-]+)/koreksi", page.text).group(1)
        form = {"name": "Peserta Benar", "position": "", "eselon": "", "reason": "surat 3"}
        assert client.post(f"/admin/peserta/{pid}/koreksi", data=form).status_code == 403  # no CSRF
        token = csrf(client, f"/admin/peserta?nip={nip}")
        done = client.post(f"/admin/peserta/{pid}/koreksi", data=form | {"csrf_token": token})
        assert done.status_code == 303
        corrected = client.get("/admin/peserta", params={"nip": nip}).text
        assert "Peserta Benar" in corrected and "<td>nama</td>" in corrected  # the field in words
        log = client.get("/audit", params={"nip": nip, "action": "privacy.correct_identity"})
        assert "surat 3" in log.text
        assert 'href="/admin/peserta"' in client.get("/staf").text  # the admin's home leads there
    # an admin's look-up is a view in the person's access list, not a change (verification)
    with session_of(use_database) as db:
        from app.privacy.person import person_data

        looked = [
            a
            for r in [person_data(db, nip)]
            for a in r["access_log"]
            if a["action"] == "privacy.view_registrations"
        ]
    assert looked and {a["kind"] for a in looked} == {"view_or_export"}
