"""The scores export: schema round-trip in each format, analysts only (cookie or API token),
filters, audit; the analyst pages; the CLI export."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from app.accounts import api_tokens
from app.accounts.service import actor_of, create_user
from app.audit.models import AuditEntry
from app.cli import app as cli
from app.db import make_engine, make_sessionmaker, transaction
from app.exports.schema import SCHEMA_VERSION, columns, subtest_codes
from app.main import create_app
from app.scoring import parameter_sets
from app.scoring import service as scoring
from tests.proctoring.factories import PERSONAS, build_world
from tests.scoring.test_service import ANALYST, sit


@pytest.fixture
def scored(use_database: str, tmp_path: Path):
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        world = build_world(db, tmp_path)
        sit(db, world.exam, 0, best=True, cookie=world.taker_tokens["taker"])
        sit(db, world.exam, 1, best=False, cookie=world.taker_tokens["other_taker"])
        scoring.run_scoring(db, world.exam.event, ANALYST)
        analyst = create_user(db, "analis-api", "kata-sandi-analis", "analyst", "Analis API")
        token = api_tokens.create_token(db, analyst, "laptop", actor_of(analyst))
        world.api_token, world.event_code = token, world.exam.event.code
        calibrated = parameter_sets.calibrate_event(db, world.exam.event.id, link_method="none")
        saved = parameter_sets.save(
            db, ANALYST, world.exam.event, "Kalibrasi uji", calibrated, force=True
        )
        world.parameter_set_id = saved.id
    engine.dispose()
    return world


@pytest.fixture
def app(use_database: str):
    application = create_app()
    with TestClient(application):
        yield application


def as_persona(app, world, persona: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    if persona in world.staff_tokens:
        client.cookies.set("proasn_staff", world.staff_tokens[persona])
    return client


def test_csv_round_trip_follows_the_schema(app, scored) -> None:
    client = as_persona(app, scored, "analyst")
    response = client.get("/api/v1/exports/scores", params={"event": scored.event_code})
    assert response.status_code == 200 and response.headers["x-export-rows"] == "4"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    header = list(rows[0])
    assert header == columns(subtest_codes(header)) and subtest_codes(header) == ["sjt", "verbal"]
    assert not any("pass" in c or "lulus" in c for c in header)
    best = next(r for r in rows if r["verbal_raw"] == "3")
    assert best["schema_version"] == SCHEMA_VERSION and best["potency_level"] == "menengah"
    assert best["scoring_run_number"] == "1" and best["norm"].endswith("v1")
    assert float(best["composite_t"]) == pytest.approx(57.0711, abs=1e-3)


def test_ndjson_and_xlsx_carry_the_same_rows(app, scored) -> None:
    client = as_persona(app, scored, "analyst")
    base = {"event": scored.event_code}
    csv_rows = list(
        csv.DictReader(io.StringIO(client.get("/api/v1/exports/scores", params=base).text))
    )
    lines = client.get("/api/v1/exports/scores", params={**base, "format": "ndjson"}).text
    ndjson_rows = [json.loads(line) for line in lines.splitlines()]
    xlsx = client.get("/api/v1/exports/scores", params={**base, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    width = len(values[0])  # a row's empty cells at the end are not stored in the sheet
    xlsx_rows = [
        dict(zip(values[0], row + (None,) * (width - len(row)), strict=True)) for row in values[1:]
    ]
    assert (
        [r["nip"] for r in csv_rows]
        == [r["nip"] for r in ndjson_rows]
        == [r["nip"] for r in xlsx_rows]
    )
    assert list(ndjson_rows[0]) == list(csv_rows[0]) == list(xlsx_rows[0])
    for c, n, x in zip(csv_rows, ndjson_rows, xlsx_rows, strict=True):
        assert str(n["verbal_raw"] if n["verbal_raw"] is not None else "") == c["verbal_raw"]
        assert x["potency_level"] == n["potency_level"]


def test_filters_and_audit(app, scored, use_database: str) -> None:
    client = as_persona(app, scored, "analyst")
    only_s2 = client.get(
        "/api/v1/exports/scores", params={"event": scored.event_code, "session": "S2"}
    )
    assert only_s2.headers["x-export-rows"] == "1"
    by_agency = client.get(
        "/api/v1/exports/scores",
        params={"event": scored.event_code, "agency": "7371", "eselon": "IV"},
    )
    assert by_agency.headers["x-export-rows"] == "3"
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        entries = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "export.scores")))
    engine.dispose()
    assert [(e.details["rows"], e.details["filter"]["session"]) for e in entries] == [
        (1, "S2"),
        (3, None),
    ]


def test_api_token_authenticates_and_can_be_revoked(app, scored, use_database: str) -> None:
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {scored.api_token}"}
    params = {"event": scored.event_code, "format": "ndjson"}
    assert client.get("/api/v1/exports/scores", params=params, headers=auth).status_code == 200
    bad = client.get(
        "/api/v1/exports/scores", params=params, headers={"Authorization": "Bearer pat_salah"}
    )
    assert bad.status_code == 401
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        from app.accounts.models import ApiToken

        token = db.scalar(select(ApiToken))
        assert token is not None
        api_tokens.revoke_token(db, token, ANALYST)
    engine.dispose()
    assert client.get("/api/v1/exports/scores", params=params, headers=auth).status_code == 401


@pytest.mark.parametrize("persona", [*PERSONAS, "outsider"])
def test_exports_and_analyst_pages_are_for_analysts_only(app, scored, persona: str) -> None:
    client = as_persona(app, scored, persona)
    export = client.get("/api/v1/exports/scores", params={"event": scored.event_code})
    pages = [
        client.get(path)
        for path in (
            "/analis",
            f"/analis/acara/{scored.event_code}",
            f"/analis/acara/{scored.event_code}/run/1",
            f"/analis/acara/{scored.event_code}/butir",
            f"/analis/acara/{scored.event_code}/butir.csv",
            "/analis/token",
            "/analis/parameter",
            f"/analis/parameter/{scored.parameter_set_id}",
        )
    ]
    if persona == "analyst":
        assert export.status_code == 200 and all(p.status_code == 200 for p in pages)
    elif persona == "outsider":
        assert export.status_code == 401 and all(p.status_code == 303 for p in pages)
    else:
        assert export.status_code == 403 and all(p.status_code == 403 for p in pages)


def test_analyst_pages_show_scores_charts_and_item_analysis(app, scored) -> None:
    client = as_persona(app, scored, "analyst")
    run = client.get(f"/analis/acara/{scored.event_code}/run/1").text
    assert "<svg" in run and "menengah" in run and "Peserta 1" in run
    items = client.get(f"/analis/acara/{scored.event_code}/butir").text
    assert "<svg" in items and "α" in items
    csv_text = client.get(f"/analis/acara/{scored.event_code}/butir.csv").text
    assert csv_text.startswith("subtest,item,n,facility")
    header = csv_text.splitlines()[0].split(",")
    assert header[-2:] == ["adaptive_section", "exposure_rate"]  # adaptive sections' items
    header = header[:-2]
    assert header[-13:-8] == [
        "dif_sex_delta",
        "dif_sex_ets",
        "dif_province",
        "dif_province_delta",
        "dif_province_ets",
    ]
    assert header[-8:] == [
        "mean",
        "median",
        "test_sd",
        "skewness",
        "kurtosis",
        "alpha",
        "error_ratio",
        "sem",
    ]
    assert "(ringkasan)" in csv_text
    assert "DIF jenis kelamin" in items  # a handful of takers: every DIF cell is "–"


def test_cli_export_writes_every_format(scored, tmp_path: Path) -> None:
    runner = CliRunner()
    for fmt in ("csv", "ndjson", "xlsx"):
        out = tmp_path / f"skor.{fmt}"
        result = runner.invoke(
            cli,
            ["export", "scores", "--event", scored.event_code, "--format", fmt, "--out", str(out)],
        )
        assert result.exit_code == 0, result.output
        assert "4 baris (run 1)" in result.output and out.stat().st_size > 100


def test_publishing_changes_the_default_run(app, scored, use_database: str) -> None:
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        from app.exams.repository import event_by_code

        event = event_by_code(db, scored.event_code)
        assert event is not None
        first = scoring.run_scoring(db, event, ANALYST)
        scoring.run_scoring(db, event, ANALYST)
        scoring.publish(db, ANALYST, first)
        published_number = first.number
    engine.dispose()
    client = as_persona(app, scored, "analyst")
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/api/v1/exports/scores", params={"event": scored.event_code}).text
            )
        )
    )
    assert {r["scoring_run_number"] for r in rows} == {str(published_number)}


def test_eselon_filter_matches_the_level_exactly(app, scored) -> None:
    client = as_persona(app, scored, "analyst")
    rows = {
        e: client.get(
            "/api/v1/exports/scores", params={"event": scored.event_code, "eselon": e}
        ).headers["x-export-rows"]
        for e in ("IV", "IV.a", "I")
    }
    assert rows == {"IV": "4", "IV.a": "4", "I": "0"}


def test_csv_cells_cannot_become_formulas() -> None:
    from app.kit.streaming import csv_chunks

    text = "".join(csv_chunks(["name", "x"], [{"name": "=HYPERLINK(1)", "x": -1.5}]))
    assert "'=HYPERLINK(1)" in text and ",-1.5" in text


def test_analyst_corrects_a_key_and_scores_an_eselon_cohort_in_the_pages(app, scored) -> None:
    import re as regex

    from tests.scoring.test_item_pages import first_item

    client = as_persona(app, scored, "analyst")
    path, page = first_item(client, scored.event_code)
    token = regex.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.cookies.set("proasn_csrf", token)
    version = regex.search(
        r'action="/analis/acara/[^"]+/butir/kunci".*?name="version_id" value="([^"]+)"',
        page,
        regex.S,
    ).group(1)
    response = client.post(
        f"/analis/acara/{scored.event_code}/butir/kunci",
        data={"csrf_token": token, "version_id": version, "key": "A", "reason": "kunci salah"},
    )
    assert response.status_code == 303  # to the list: the form named no page to return to
    assert response.headers["location"] == f"/analis/acara/{scored.event_code}/butir"
    assert "Run penskoran 2 dibuat" in client.get(response.headers["location"]).text
    response = client.post(
        f"/analis/acara/{scored.event_code}/nilai",
        data={"csrf_token": token, "norm_id": "kohort:IV"},
    )
    assert response.status_code == 303 and "/run/3" in response.headers["location"]


def test_one_spelling_for_versions_and_booleans_and_no_edge_without_a_level(app, scored) -> None:
    """Before: schema_version "1" (now "3") in NDJSON but 1 in the docs, True/False in CSV but
    true/false in NDJSON, and near_band_edge false for participants with no level."""
    client = as_persona(app, scored, "analyst")
    base = {"event": scored.event_code}
    csv_rows = list(
        csv.DictReader(io.StringIO(client.get("/api/v1/exports/scores", params=base).text))
    )
    lines = client.get("/api/v1/exports/scores", params={**base, "format": "ndjson"}).text
    ndjson_rows = [json.loads(line) for line in lines.splitlines()]
    assert {r["schema_version"] for r in ndjson_rows} == {"3"}
    assert {r["schema_version"] for r in csv_rows} == {"3"}
    heads = {
        r["nip"]: r["journal_head"] for r in ndjson_rows if r["attempt_status"] != "not_started"
    }
    assert heads and all(h is None or len(h) == 64 for h in heads.values())
    for c, n in zip(csv_rows, ndjson_rows, strict=True):
        if n["potency_level"] is None:
            assert n["near_band_edge"] is None and c["near_band_edge"] == ""
        else:
            assert c["near_band_edge"] == json.dumps(n["near_band_edge"])  # true / false
    assert any(r["potency_level"] is None for r in ndjson_rows)  # the scored world has one


def test_an_unknown_session_or_agency_is_refused_not_an_empty_export(app, scored) -> None:
    client = as_persona(app, scored, "analyst")
    for key in ("session", "agency"):
        response = client.get(
            "/api/v1/exports/scores", params={"event": scored.event_code, key: "TIDAK-ADA"}
        )
        assert response.status_code == 404 and "TIDAK-ADA" in response.text, key


def test_item_analysis_by_session_with_options_as_shares_and_discriminations(app, scored) -> None:
    """Moodle's per-response table (count, %, discrimination) and filters; the download
    follows the filter and carries each subtest's summary row."""
    from app.db import make_engine, make_sessionmaker
    from app.scoring.event_analysis import AnalysisFilter, analyse_event

    engine = make_engine(str(app.state.engine.url.render_as_string(hide_password=False)))
    with make_sessionmaker(engine)() as db:
        event_id = scored.exam.event.id
        every = analyse_event(db, event_id)
        nobody = analyse_event(db, event_id, AnalysisFilter(session="S2"))
        run_one = analyse_event(db, event_id, AnalysisFilter(run=1))
    engine.dispose()
    assert {a.summary.n for a in every} == {2} and {a.summary.n for a in run_one} == {2}
    assert all(a.summary.n == 0 for a in nobody) or nobody == []  # the two sat in S1
    row = next(r for a in every for r in a.items if r.key)
    shares = {o.option: o for o in row.option_stats}
    assert sum(o.count for o in row.option_stats) == row.stats.n
    assert abs(sum(o.percent for o in row.option_stats) - 100) < 1e-9
    assert row.key in shares
    client = as_persona(app, scored, "analyst")
    page = client.get(f"/analis/acara/{scored.event_code}/butir", params={"sesi": "S1"})
    assert page.status_code == 200 and "<option selected>S1</option>" in page.text
    csv_text = client.get(
        f"/analis/acara/{scored.event_code}/butir.csv", params={"sesi": "S2"}
    ).text
    assert "(ringkasan)" not in csv_text or ",0," in csv_text
    bad = client.get(f"/analis/acara/{scored.event_code}/butir", params={"run": "abc"})
    assert bad.status_code == 422


def test_analyst_reads_a_parameter_set_and_scores_with_it(app, scored) -> None:
    import re as regex

    client = as_persona(app, scored, "analyst")
    listing = client.get("/analis/parameter").text
    assert (
        "Kalibrasi uji v1" in listing and f"/analis/parameter/{scored.parameter_set_id}" in listing
    )
    page = client.get(f"/analis/parameter/{scored.parameter_set_id}").text
    assert "<svg" in page and "<polyline" in page  # the test information curve
    assert "verbal" in page and "sjt" in page and "S-X²" in page
    assert regex.search(r"V\d{4} v1", page)  # items by code and version
    # numbers as Indonesian writes them: a decimal comma (3,750), never 3.750
    assert regex.search(r"\d,\d{3} <span class=\"muted\">\(\d,\d{3}\)", page)
    assert not regex.search(r"\d\.\d{3} <span class=\"muted\">", page)
    client.cookies.set("lang", "en")
    assert regex.search(
        r"\d\.\d{3} <span", client.get(f"/analis/parameter/{scored.parameter_set_id}").text
    )
    client.cookies.delete("lang")
    assert "--force" in page  # saved from two takers: the page warns
    assert client.get("/analis/parameter/bukan-id").status_code == 404
    unknown = client.get("/analis/parameter/00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404 and "tidak ada" in unknown.text
    event_page = client.get(f"/analis/acara/{scored.event_code}").text
    assert f'value="{scored.parameter_set_id}"' in event_page  # offered for the next run
    token = regex.search(r'name="csrf_token" value="([^"]+)"', event_page).group(1)
    client.cookies.set("proasn_csrf", token)
    response = client.post(
        f"/analis/acara/{scored.event_code}/nilai",
        data={"csrf_token": token, "parameter_set_id": str(scored.parameter_set_id)},
    )
    assert response.status_code == 303 and "/run/2" in response.headers["location"]
    run = client.get(response.headers["location"]).text
    assert "Kalibrasi uji v1" in run
    runs = client.get(f"/analis/acara/{scored.event_code}").text  # the runs table names it
    assert " WITA" in runs and " UTC" not in runs  # the event's zone (Asia/Makassar), named
    assert f'href="/analis/parameter/{scored.parameter_set_id}"' in runs
    page = client.get(f"/analis/parameter/{scored.parameter_set_id}").text
    assert f"/analis/acara/{scored.event_code}/run/2" in page  # the set lists its runs
    assert " WIB" in page and " UTC" not in page  # the central agency's pages: WIB


def test_publishing_asks_first_and_says_what_becomes_visible(app, scored) -> None:
    import re as regex

    client = as_persona(app, scored, "analyst")
    event_page = client.get(f"/analis/acara/{scored.event_code}").text
    link = f"/analis/acara/{scored.event_code}/run/1/terbitkan"
    assert f'href="{link}"' in event_page  # a link to the confirmation, not a one-click form
    token = regex.search(r'name="csrf_token" value="([^"]+)"', event_page).group(1)
    client.cookies.set("proasn_csrf", token)
    one_click = client.post(link, data={"csrf_token": token})
    assert one_click.status_code == 303 and one_click.headers["location"] == link
    assert "Terbitkan" in client.get(f"/analis/acara/{scored.event_code}").text  # not published
    confirm = client.get(link).text
    assert "/hasil" in confirm and "tidak dapat dibatalkan" in confirm
    assert "instansi" in confirm and 'name="konfirmasi" value="ya"' in confirm
    done = client.post(link, data={"csrf_token": token, "konfirmasi": "ya"})
    assert done.status_code == 303
    after = client.get(done.headers["location"]).text
    assert "hasil diterbitkan" in after and f'href="{link}"' not in after
    again = client.get(link).text  # by URL: it says so, and offers nothing to confirm
    assert "sudah diterbitkan" in again and 'name="konfirmasi"' not in again


def test_an_unknown_event_run_or_item_is_not_found_not_forbidden(app, scored) -> None:
    """The analyst may see every event: what does not exist is 404 (403 would say "not
    yours"), in the page's language."""
    client = as_persona(app, scored, "analyst")
    code = scored.event_code
    for path in (
        "/analis/acara/TIDAK-ADA",
        f"/analis/acara/{code}/run/99",
        f"/analis/acara/{code}/run/99/terbitkan",
        "/analis/acara/TIDAK-ADA/butir",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "tidak ada" in response.text, path
    page = client.get(f"/analis/acara/{code}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.cookies.set("proasn_csrf", token)
    unknown_item = client.post(
        f"/analis/acara/{code}/butir/kunci",
        data={
            "version_id": "00000000-0000-0000-0000-000000000000",
            "key": "A",
            "csrf_token": token,
        },
    )
    assert unknown_item.status_code == 404
    client.cookies.set("lang", "en")
    assert "No such scoring run" in client.get(f"/analis/acara/{code}/run/99").text
    # Someone who is not an analyst is still refused before anything is looked up.
    assert as_persona(app, scored, "proctor").get("/analis/acara/TIDAK-ADA").status_code == 403
