"""The research export: no NIP, name or access code in the file; the same secret links the same
person across exports, another secret does not; quasi-identifiers coarsened."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.audit.models import AuditEntry, AuditSubject
from app.cli import app as cli
from app.exams.models import Participant
from app.privacy.research import ResearchExportRefused, birth_band, province, research_lines
from tests.privacy.factories import scored_world, session_of

SECRET = "rahasia-riset-yang-panjang-sekali-0123456789"


def export(tmp_path: Path, name: str, secret: str, *extra: str) -> list[dict]:
    secret_file = tmp_path / f"{name}.key"
    secret_file.write_text(secret)
    out = tmp_path / f"{name}.ndjson"
    args = ["data", "research-export", "proasn-uji", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--secret-file", str(secret_file), *extra])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_no_identity_in_the_file_and_the_same_secret_links(
    use_database: str, tmp_path: Path
) -> None:
    world = scored_world(use_database, tmp_path)
    with session_of(world.url) as db:
        people = list(db.scalars(select(Participant)))
        hashes = [p.access_code_hash for p in people]
        names = [p.name for p in people]
    first = export(tmp_path, "a", SECRET, "--min-cell", "1")
    text = (tmp_path / "a.ndjson").read_text()
    for forbidden in [*world.nips, *names, *world.codes.values(), *hashes, SECRET, "Kepala Seksi"]:
        assert forbidden not in text
    header, rows = first[0], first[1:]
    assert header["persons"] == 3 and header["scoring_run"] == 1 and len(rows) == 3
    assert {r["province"] for r in rows} == {"73"} and {r["eselon"] for r in rows} == {"IV"}
    sat = [r for r in rows if r["responses"]]
    assert len(sat) == 3 and all(len(r["responses"]) == 5 for r in sat)  # drawn items, all
    assert {r["attempt_status"] for r in rows} >= {"submitted"}
    assert [r["pid"] for r in rows] == sorted(r["pid"] for r in rows)  # by pseudonym (doc)
    second = export(tmp_path, "b", SECRET, "--min-cell", "1")
    assert [r["pid"] for r in first[1:]] == [r["pid"] for r in second[1:]]
    assert first[0]["key_id"] == second[0]["key_id"]
    other = export(tmp_path, "c", SECRET[::-1])
    assert not {r["pid"] for r in other[1:]} & {r["pid"] for r in rows}
    assert {r["province"] for r in other[1:]} == {"lainnya"}  # cells under 5 people coarsened
    with session_of(world.url) as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.research_export"))
        assert entry is not None
        indexed = set(db.scalars(select(AuditSubject.nip).where(AuditSubject.audit_id == entry.id)))
        assert indexed == {p.nip for p in people}


def test_refusals_name_what_was_wrong(use_database: str, tmp_path: Path) -> None:
    scored_world(use_database, tmp_path, publish=False)
    with session_of(use_database) as db:
        with pytest.raises(ResearchExportRefused, match="terlalu pendek"):
            list(research_lines(db, "proasn-uji", "pendek"))
        with pytest.raises(ResearchExportRefused, match="belum diberikan"):
            list(research_lines(db, "proasn-uji", "  "))
        with pytest.raises(ResearchExportRefused, match="tidak ditemukan"):
            list(research_lines(db, "tidak-ada", SECRET))
        with pytest.raises(ResearchExportRefused, match="belum memiliki hasil"):
            list(research_lines(db, "proasn-uji", SECRET))
    out = tmp_path / "x.ndjson"
    result = CliRunner().invoke(cli, ["data", "research-export", "proasn-uji", "--out", str(out)])
    assert result.exit_code == 2 and "PROASN_RESEARCH_SECRET" in result.output and not out.exists()


def test_coarsening_rules() -> None:
    assert birth_band("197503122000031001") == "1975-1979"
    assert birth_band("198412312010011001") == "1980-1984"
    assert (province("7371"), province("73"), province("KEMENKEU")) == ("73", "73", "pusat")
