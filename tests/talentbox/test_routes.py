"""The talent box through its pages: analyst only; export → import → place → 9-box → person."""

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.db import make_engine, make_sessionmaker, transaction
from tests.proctoring.factories import PERSONAS
from tests.scoring.test_exports import as_persona


def csrf(client: TestClient) -> str:
    page = client.get("/talenta")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def placed(app, scored) -> tuple[TestClient, int]:
    client = as_persona(app, scored, "analyst")
    export = client.get("/api/v1/exports/scores", params={"event": scored.event_code})
    nips = [row["nip"] for row in csv.DictReader(io.StringIO(export.text))]
    token = csrf(client)
    client.cookies.set("proasn_csrf", token)
    response = client.post(
        "/talenta/potensi",
        data={"csrf_token": token},
        files={"file": ("skor.csv", export.content, "text/csv")},
    )
    assert response.status_code == 303, response.text
    skp = "nip,periode,predikat\n" + "".join(f"{nip},2026,Sangat Baik\n" for nip in nips)
    response = client.post(
        "/talenta/kinerja",
        data={"csrf_token": token},
        files={"file": ("skp.csv", skp.encode(), "text/csv")},
    )
    assert response.status_code == 303, response.text
    home = client.get("/talenta").text
    potency_id = re.search(r'name="potency_id"><option value="([^"]+)"', home).group(1)
    performance_id = re.search(r'name="performance_id"><option value="([^"]+)"', home).group(1)
    response = client.post(
        "/talenta/penempatan",
        data={
            "csrf_token": token,
            "potency_id": potency_id,
            "performance_id": performance_id,
            "period": "2026",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/talenta/run/1"
    return client, len(nips)


def test_export_import_place_and_drill_down(app, scored, use_database: str) -> None:
    client, _ = placed(app, scored)
    page = client.get("/talenta/run/1").text
    counts = dict(re.findall(r'data-box="(\d)">(\d+)<', page))
    # Two assessed officials, both menengah, both Sangat Baik → kotak 7; the rest are listed.
    assert counts["7"] == "2" and sum(int(v) for v in counts.values()) == 2
    assert "kelompok rencana suksesi</a>: 2" in page
    other_agency = client.get("/talenta/run/1/kelompok/succession_pool?agency=0000").text
    assert "/orang/" not in other_agency  # the group list follows the filters
    box = client.get("/talenta/run/1/kotak/7").text
    nip = re.search(r"/orang/(\d{18})", box).group(1)
    card = client.get(f"/talenta/run/1/orang/{nip}").text
    assert "dipertahankan; kelompok rencana suksesi instansi" in card and "Sangat Baik" in card
    export = client.get("/talenta/run/1/ekspor.csv").text
    assert export.startswith("talentbox_run_id,run_number,mode,period,nip") and ",7," in export
    assert client.get("/talenta/run/1/ekspor.xlsx").status_code == 200
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        actions = {e.action for e in db.scalars(select(AuditEntry))}
    engine.dispose()
    assert {"talentbox.view_person", "talentbox.export", "talentbox.place"} <= actions


def test_bad_upload_lists_rows_and_imports_nothing(app, scored) -> None:
    client = as_persona(app, scored, "analyst")
    token = csrf(client)
    client.cookies.set("proasn_csrf", token)
    response = client.post(
        "/talenta/kinerja",
        data={"csrf_token": token},
        files={"file": ("skp.csv", b"nip,periode,predikat\n123,2026,Baik\n", "text/csv")},
    )
    assert response.status_code == 422 and "NIP tidak sah" in response.text
    assert "tidak ada yang diimpor" in response.text
    client.cookies.set("lang", "en")  # the row's problem in the page's language
    response = client.post(
        "/talenta/kinerja",
        data={"csrf_token": token},
        files={"file": ("skp.csv", b"nip,periode,predikat\n123,2026,Unggul\n", "text/csv")},
    )
    assert response.status_code == 422
    assert "invalid NIP: a NIP has 18 digits, not 3" in response.text
    assert "unknown predicate &#39;Unggul&#39;" in response.text
    assert "tidak" not in response.text


@pytest.mark.parametrize("persona", [*PERSONAS, "outsider"])
def test_talent_box_is_for_analysts_only(app, scored, persona: str) -> None:
    client = as_persona(app, scored, persona)
    response = client.get("/talenta")
    if persona == "analyst":
        assert response.status_code == 200
    elif persona == "outsider":
        assert response.status_code == 303
    else:
        assert response.status_code == 403


def test_release_gives_agencies_their_recommendation_without_boxes(app, scored) -> None:
    client, _ = placed(app, scored)
    viewer = as_persona(app, scored, "viewer")
    assert viewer.get("/talenta/rekomendasi/1").status_code == 403  # not released yet
    token = csrf(client)
    # one click does not release: the button leads to a page that says what becomes visible
    asked = client.post("/talenta/run/1/rilis", data={"csrf_token": token})
    assert asked.status_code == 303 and asked.headers["location"] == "/talenta/run/1/rilis"
    assert viewer.get("/talenta/rekomendasi/1").status_code == 403
    confirm = client.get("/talenta/run/1/rilis").text
    assert "tidak pernah kotaknya" in confirm and "dapat ditarik" in confirm
    assert 'name="konfirmasi" value="ya"' in confirm
    released = client.post("/talenta/run/1/rilis", data={"csrf_token": token, "konfirmasi": "ya"})
    assert released.status_code == 303 and released.headers["location"] == "/talenta/run/1"
    assert "dirilis" in client.get("/talenta/run/1").text
    own = viewer.get("/talenta/rekomendasi/1")
    assert own.status_code == 200 and "kelompok rencana suksesi" in own.text
    assert "Peserta 1" in own.text and "Kotak" not in own.text and "kotak" not in own.text
    other = as_persona(app, scored, "other_viewer").get("/talenta/rekomendasi/1").text
    assert "Peserta 1" not in other
    for persona in ("proctor", "admin", "analyst"):
        assert as_persona(app, scored, persona).get("/talenta/rekomendasi/1").status_code == 403
    assert viewer.get("/talenta/run/1").status_code == 403  # no boxes for agencies
    preview = client.get("/talenta/run/1/pratinjau", params={"agency": "7371"})
    assert preview.status_code == 200 and "Pratinjau untuk analis" in preview.text
    assert "Kotak" not in preview.text and "kotak" not in preview.text
    # withdrawing asks first too (issue 22): one click leads to what it hides from whom
    asked = client.post("/talenta/run/1/tarik", data={"csrf_token": token})
    assert asked.status_code == 303 and asked.headers["location"] == "/talenta/run/1/tarik"
    assert viewer.get("/talenta/rekomendasi/1").status_code == 200  # still released
    confirm = client.get("/talenta/run/1/tarik").text
    assert "/hasil" in confirm and 'name="konfirmasi" value="ya"' in confirm
    withdrawn = client.post("/talenta/run/1/tarik", data={"csrf_token": token, "konfirmasi": "ya"})
    assert withdrawn.status_code == 303
    assert viewer.get("/talenta/rekomendasi/1").status_code == 403
    assert "Pemerintah Kota Makassar" in preview.text and "run penempatan 1" in preview.text
    assert "penanganan disiplin" not in own.text  # box 1 alone is not listed for agencies


def test_a_long_box_list_is_capped_and_says_so(app, scored, monkeypatch) -> None:
    from app.talentbox import routes

    client, _ = placed(app, scored)
    monkeypatch.setattr(routes, "LIST_LIMIT", 1)
    page = client.get("/talenta/run/1/kotak/7").text
    assert "<strong>2</strong>" in page and page.count("/orang/") == 1
    for box in (0, 10):  # there are nine boxes: no empty tenth one
        refused = client.get(f"/talenta/run/1/kotak/{box}")
        assert refused.status_code == 422 and refused.headers["content-type"].startswith(
            "text/html"
        )
        assert "Permintaan tidak sah: periksa box" in refused.text  # not FastAPI's English JSON
    assert "ekspor memuat semuanya" in page
    export = client.get("/talenta/run/1/ekspor.csv").text.splitlines()
    assert len(export) == 3  # header + both officials: the export is never capped


def test_an_import_result_is_shown_once_and_never_rides_in_the_url(app, scored) -> None:
    """Issue 22 item 6: results came back as ?pesan= and reappeared on every reload."""
    client = as_persona(app, scored, "analyst")
    token = csrf(client)
    client.cookies.set("proasn_csrf", token)
    skp = f"nip,periode,predikat\n{scored.exam.nips[0]},2026,Baik\n".encode()
    response = client.post(
        "/talenta/kinerja",
        data={"csrf_token": token},
        files={"file": ("skp.csv", skp, "text/csv")},
    )
    assert response.status_code == 303 and response.headers["location"] == "/talenta"
    first = client.get("/talenta").text
    assert "skp.csv: 1 baris diimpor" in first
    assert "skp.csv: 1 baris diimpor" not in client.get("/talenta").text  # a reload: gone
    empty = client.get("/talenta/periode", params={"periode": 1999})
    assert empty.headers["location"] == "/talenta"
    assert "periode kosong" in client.get("/talenta").text
    client.cookies.set("lang", "en")  # the same flash on an English page
    client.get("/talenta/periode", params={"periode": 1999})
    page = client.get("/talenta").text
    assert "No run for this period" in page and "periode kosong" not in page


def test_a_box_list_says_what_the_box_means_and_its_cards_lead_back_to_it(app, scored) -> None:
    """Issue 22: "Kotak 7" alone, and a person card whose back link went to the run."""
    client, _ = placed(app, scored)
    box = client.get("/talenta/run/1/kotak/7").text
    assert "Potensi menengah, kinerja di atas ekspektasi." in box  # config/talentbox.yaml
    assert "Tindak lanjut yang direkomendasikan: dipertahankan;" in box
    link = re.search(r'href="(/talenta/run/1/orang/\d{18}\?kembali=[^"]+)"', box).group(1)
    card = client.get(link.replace("&amp;", "&")).text
    assert 'href="/talenta/run/1/kotak/7"' in card
    nip = re.search(r"/orang/(\d{18})", link).group(1)
    back = "/talenta/run/1/kotak/7?eselon=III"
    kept = client.get(f"/talenta/run/1/orang/{nip}", params={"kembali": back}).text
    assert 'href="/talenta/run/1/kotak/7?eselon=III"' in kept
    for elsewhere in ("https://example.com/", "//example.com/talenta/run/1/", "/talenta/run/2/"):
        other = client.get(f"/talenta/run/1/orang/{nip}", params={"kembali": elsewhere}).text
        assert 'href="/talenta/run/1">' in other and elsewhere not in other
    client.cookies.set("lang", "en")
    english = client.get("/talenta/run/1/kotak/7").text
    assert "<h1>Box 7</h1>" in english
    assert "Potential middle, performance above expectations." in english
    assert "Recommended follow-up: retain; agency succession pool" in english
    card = client.get(f"/talenta/run/1/orang/{nip}").text
    assert "retain; agency succession pool" in card and "dipertahankan" not in card


def test_an_identity_correction_reaches_the_talent_box(app, scored, use_database: str) -> None:
    """An outside check corrected a name and found the person card and exports still showing
    the old one (the talent box keeps its own copy from the scores export)."""
    from sqlalchemy import select

    from app.audit.service import Actor
    from app.db import make_engine, make_sessionmaker, transaction
    from app.exams.models import Participant
    from app.privacy.corrections import correct_identity

    client, _ = placed(app, scored)
    nip = re.search(r"/orang/(\d{18})", client.get("/talenta/run/1/kotak/7").text).group(1)
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        person = db.scalar(select(Participant).where(Participant.nip == nip))
        assert person is not None and person.name != "Nama Yang Benar"
        correct_identity(
            db, Actor(None, "admin", "admin"), person, {"name": "Nama Yang Benar"}, "surat 9"
        )
    engine.dispose()
    assert "<h1>Nama Yang Benar</h1>" in client.get(f"/talenta/run/1/orang/{nip}").text
    assert "Nama Yang Benar" in client.get("/talenta/run/1/ekspor.csv").text
    # and the person's own copy lists the talent box's copies of their identity and level
    from app.privacy.person import person_data

    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        copies = person_data(db, nip)["talent_box_copies"]
    engine.dispose()
    assert [c["name"] for c in copies] == ["Nama Yang Benar"] and copies[0]["potency_level"]
