"""Malformed ids and numbers sent to every staff route, in every path parameter and every
form or query field, by a persona the route lets in: the answer is a refusal (4xx), never a
server error. Before: a non-UUID participant in the incident form, agency_id in
/admin/pengguna, norm_id in the scoring form, run=abc, talent-box run numbers past the
database's integer range … were all 500s."""

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.db import make_engine, make_sessionmaker, transaction
from app.main import create_app
from tests.proctoring.factories import World, build_world

CSRF = "csrf-uji-token"
BAD_IDS = ("abc", "99999999999999999999", "2147483648", "-1", "0", "1.5", "%C3%28", "0" * 36)
BAD_FIELDS = ("abc", "99999999999999999999", "2147483648", "-1", "", "a\x00b")
PERSONAS = ("admin", "proctor", "analyst", "viewer")


@pytest.fixture
def world(use_database: str, tmp_path: Path) -> World:
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        built = build_world(db, tmp_path)
        built.valid = {
            "session_id": str(built.exam.session.id),
            "participant_id": built.participant_ids[0],
            "code": built.exam.event.code,
            "nip": built.exam.nips[0],
            "fmt": "csv",
            "lang": "id",
        }
    engine.dispose()
    return built


def staff_routes(app) -> list[APIRoute]:
    routes = []
    for entry in app.routes:
        router = getattr(entry, "original_router", None)
        for route in getattr(router, "routes", ()):
            if isinstance(route, APIRoute) and not route.path.startswith(
                ("/api/v1/taker", "/ujian", "/staf/keluar")  # logging out ends the persona
            ):
                routes.append(route)
    return routes


def fields_of(route: APIRoute) -> list[str]:
    """The query and form fields of the route and its dependencies (files left out)."""
    found, todo = [], [route.dependant]
    while todo:
        dependant = todo.pop()
        todo.extend(dependant.dependencies)
        for param in dependant.query_params + dependant.body_params:
            if "UploadFile" not in repr(param.field_info.annotation):
                found.append(param.alias or param.name)
    return sorted(set(found) - {"csrf_token"})


def call(client: TestClient, method: str, path: str, fields: dict[str, str]):
    if method == "GET":
        return client.get(path, params=fields)
    return client.post(path, data={**fields, "csrf_token": CSRF})


def test_malformed_ids_and_numbers_never_make_a_server_error(world: World) -> None:
    app = create_app()
    failures: list[str] = []
    with TestClient(app):
        clients = {}
        for persona in PERSONAS:
            client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
            client.cookies.set("proasn_csrf", CSRF)
            client.cookies.set("proasn_staff", world.staff_tokens[persona])
            clients[persona] = client
        valid = world.valid
        for route in staff_routes(app):
            method = "GET" if "GET" in (route.methods or ()) else "POST"
            names = re.findall(r"{(\w+)}", route.path)
            fields = fields_of(route)
            good = {name: valid.get(name, "1") for name in names}
            # the personas the route lets in; when none passes with valid values (a talent-box
            # run that does not exist answers 403 too), every persona
            allowed = [
                p
                for p in PERSONAS
                if call(clients[p], method, route.path.format(**good), {}).status_code
                not in (401, 403)
            ] or list(PERSONAS)
            cases: list[tuple[str, dict, dict]]
            cases = [(name, {**good, name: bad}, {}) for name in names for bad in BAD_IDS]
            cases += [
                (field, good, {**dict.fromkeys(fields, "1"), field: bad})
                for field in fields
                for bad in BAD_FIELDS
            ]
            for persona in allowed:
                for name, path_values, form in cases:
                    path = route.path.format(**path_values)
                    response = call(clients[persona], method, path, form)
                    if response.status_code >= 500:
                        bad = form.get(name, path_values.get(name))
                        failures.append(f"{persona} {method} {route.path} {name}={bad!r}")
    if failures:
        pytest.fail(f"{len(failures)} server errors:\n" + "\n".join(failures))
