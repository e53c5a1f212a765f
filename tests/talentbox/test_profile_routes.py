"""Profile components through the pages: import, verify / reject (htmx row and bulk), a
weighted run from the form, the person card's components; every route for every persona."""

import re
import uuid

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.db import make_engine, make_sessionmaker, transaction
from app.talentbox import profile_routes, recommendation_routes, routes
from tests.proctoring.factories import PERSONAS
from tests.scoring.test_exports import as_persona
from tests.talentbox.test_routes import csrf, placed

HEADER = "nip,komponen,nilai,keterangan,status,diverifikasi_oleh,diverifikasi_pada\n"


def upload_profile(client, nips: list[str]) -> str:
    rows = "".join(
        f"{nip},education_level,S2,Magister,unverified,,\n"
        f"{nip},awards,nasional,Satyalancana,unverified,,\n"
        for nip in nips
    )
    token = csrf(client)
    response = client.post(
        "/talenta/profil",
        data={"csrf_token": token},
        files={"file": ("profil.csv", (HEADER + rows).encode(), "text/csv")},
    )
    assert response.status_code == 303, response.text
    home = client.get("/talenta").text
    return re.search(r'href="/talenta/profil/([0-9a-f-]{36})"', home).group(1)


def nips_of_run(client) -> list[str]:
    export = client.get("/talenta/run/1/ekspor.csv").text.splitlines()[1:]
    return [line.split(",")[4] for line in export]


def test_verify_then_a_weighted_run_uses_verified_records(app, scored, use_database) -> None:
    client, _ = placed(app, scored)
    nips = nips_of_run(client)
    profile_id = upload_profile(client, nips)
    page = client.get(f"/talenta/profil/{profile_id}").text
    assert 'id="count-unverified">4<' in page
    token = csrf(client)
    # one record by htmx: the row comes back, verified by this analyst
    education = re.search(r'id="record-([0-9a-f-]{36})"[^<]*<td>\d+</td>\s*<td>tingkat', page)
    record_id = education.group(1)
    row = client.post(
        f"/talenta/profil/catatan/{record_id}",
        data={"csrf_token": token, "status": "verified", "note": "ijazah dicek"},
        headers={"HX-Request": "true"},
    )
    assert row.status_code == 200 and row.text.lstrip().startswith("<tr")
    assert 'data-status="verified"' in row.text and "ijazah dicek" in row.text
    # the awards, all at once through the filter
    bulk = client.post(
        f"/talenta/profil/{profile_id}/massal",
        data={"csrf_token": token, "status": "rejected", "filter_component": "awards"},
    )
    assert bulk.status_code == 303
    page = client.get(f"/talenta/profil/{profile_id}").text
    assert 'id="count-verified">1<' in page and 'id="count-rejected">2<' in page
    home = client.get("/talenta").text
    ids = {
        k: re.search(rf'name="{k}"><option value="([^"]+)"', home).group(1)
        for k in ("potency_id", "performance_id")
    }
    response = client.post(
        "/talenta/penempatan",
        data={
            "csrf_token": token,
            **ids,
            "period": "2026",
            "mode": "weighted",
            "profile_id": profile_id,
            "missing_policy": "zero",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/talenta/run/2"
    run_page = client.get("/talenta/run/2").text
    assert "berbobot" in run_page or "weighted" in run_page
    card = client.get(f"/talenta/run/2/orang/{nips[0]}").text
    assert 'data-component="education_level"' in card
    records = card[card.index('id="person-records"') :]
    assert "Magister" in records and "Satyalancana" in records  # both listed with their status
    assert records.count(">ya<") == 1 and records.count(">tidak<") == 1  # the award was rejected
    assert "di atas ekspektasi" in card or "sesuai ekspektasi" in card or "di bawah" in card
    assert re.search(r'data-component="integrity".*?(tidak ada|missing)', card, re.S)
    export = client.get("/talenta/run/2/ekspor.csv").text
    assert ",weighted,2026," in export
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        actions = [e.action for e in db.scalars(select(AuditEntry))]
    engine.dispose()
    assert actions.count("talentbox.profile_rejected") == 2
    assert {
        "talentbox.profile_verified",
        "talentbox.import_profile",
        "talentbox.view_profile",
    } <= set(actions)


def test_bad_profile_upload_names_row_and_column(app, scored) -> None:
    client = as_persona(app, scored, "analyst")
    token = csrf(client)
    response = client.post(
        "/talenta/profil",
        data={"csrf_token": token},
        files={"file": ("profil.csv", (HEADER + "123,hobby,1,,,,\n").encode(), "text/csv")},
    )
    assert response.status_code == 422
    assert (
        "nip" in response.text
        and "komponen" in response.text
        and "tidak ada yang diimpor" in response.text
    )


def filled(path: str) -> str:
    values = {
        "number": "1",
        "box": "9",
        "nip": "197001011995031001",
        "group": "succession_pool",
        "fmt": "csv",
    }
    for name in re.findall(r"{(\w+)}", path):
        path = path.replace("{" + name + "}", values.get(name, str(uuid.uuid4())))
    return path


def talentbox_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for router in (routes.router, profile_routes.router, recommendation_routes.router)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    )


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "analyst"] + ["outsider"])
def test_every_talent_box_route_refuses_everyone_but_analysts(app, scored, persona: str) -> None:
    client = as_persona(app, scored, persona)
    token = csrf(as_persona(app, scored, "analyst"))
    client.cookies.set("proasn_csrf", token)
    routes = talentbox_routes()
    assert len(routes) >= 23
    for method, path in routes:
        if path.startswith("/talenta/rekomendasi") and persona in ("viewer", "other_viewer"):
            continue  # the released recommendation: tested in test_routes.py
        response = client.request(method, filled(path), data={"csrf_token": token})
        expected = 303 if persona == "outsider" and method == "GET" else None
        if expected:
            assert response.status_code == 303 and "/staf/masuk" in response.headers["location"], (
                path
            )
        else:
            assert response.status_code in (401, 403), (persona, method, path, response.status_code)


def test_rerun_period_and_version_on_the_run_page(app, scored) -> None:
    client, _ = placed(app, scored)
    token = csrf(client)
    page = client.get("/talenta/run/1").text
    assert 'id="run-version"' in page and "Checksum berkas potensi" in page
    response = client.post("/talenta/run/1/ulang", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"].startswith(
        "/talenta/run/2?"
    )
    again = client.get(response.headers["location"]).text
    assert "diulang dari run 1: sama" in again
    assert client.get("/talenta/periode?periode=2026").headers["location"] == "/talenta/run/2"
    empty = client.get("/talenta/periode?periode=2031")
    assert empty.headers["location"] == "/talenta"
    assert "periode kosong" in client.get("/talenta").text
