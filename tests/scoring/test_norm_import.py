"""Importing a norm table and scoring against it."""

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from app.cli import app as cli
from app.db import make_engine, make_sessionmaker, transaction
from app.scoring.models import Norm, NormEntry

GOOD = """subtest,metric,mean,sd,n
verbal,percent,60,20,5000
sjt,percent,70,10,5000
_composite,composite,0,0.8,5000
"""


def test_norm_table_is_imported_and_versioned(use_database: str, tmp_path: Path) -> None:
    path = tmp_path / "norma.csv"
    path.write_text(GOOD)
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(cli, ["scores", "import-norm", "eselon III nasional", str(path)])
        assert result.exit_code == 0, result.output
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        norms = list(db.scalars(select(Norm).order_by(Norm.version)))
        entries = list(db.scalars(select(NormEntry).where(NormEntry.norm_id == norms[0].id)))
    engine.dispose()
    assert [(n.name, n.version, n.source) for n in norms] == [
        ("eselon III nasional", 1, "imported"),
        ("eselon III nasional", 2, "imported"),
    ]
    assert {e.subtest_code: (e.mean, e.sd) for e in entries}["verbal"] == (60.0, 20.0)


def test_bad_norm_table_lists_every_problem(use_database: str, tmp_path: Path) -> None:
    path = tmp_path / "norma.csv"
    path.write_text("subtest,metric,mean,sd,n\nverbal,skor,60,20,5000\nsjt,percent,70,0,10\n")
    result = CliRunner().invoke(cli, ["scores", "import-norm", "x", str(path)])
    assert result.exit_code == 1
    assert "baris 2, kolom metric" in result.output and "baris 3: sd harus > 0" in result.output
    assert "_composite" in result.output


def test_scoring_against_an_imported_norm_uses_its_numbers(db_session, tmp_path: Path) -> None:
    from app.scoring import service
    from app.scoring.norm_import import import_norm, read_norm_file
    from tests.delivery.factories import open_exam
    from tests.scoring.test_service import ANALYST, by_nip, sit

    path = tmp_path / "norma.csv"
    path.write_text(GOOD)
    norm = import_norm(db_session, ANALYST, "nasional", "", read_norm_file(path))
    exam = open_exam(db_session, tmp_path, people=2)
    sit(db_session, exam, 0, best=True)
    run = service.run_scoring(db_session, exam.event, ANALYST, norm_id=norm.id)
    best = by_nip(db_session, run, exam)[exam.nips[0]]
    # verbal 100 % against mean 60, SD 20: z = 2, T = 70; sjt 100 % vs 70, 10: z = 3, T = 80.
    assert (best.subtests["verbal"]["t"], best.subtests["sjt"]["t"]) == (70.0, 80.0)
    # composite z = (2 + 3) / 2 = 2.5 against mean 0, SD 0.8: z = 3.125, T = 81.25, stanine 9.
    assert (best.composite_t, best.stanine, best.level) == (81.25, 9, "tinggi")


def test_a_norm_of_another_metric_is_refused(db_session, tmp_path: Path) -> None:
    import pytest

    from app.scoring import service
    from app.scoring.norm_import import import_norm, read_norm_file
    from tests.delivery.factories import open_exam
    from tests.scoring.test_service import ANALYST, sit

    path = tmp_path / "norma.csv"
    path.write_text(GOOD.replace("verbal,percent", "verbal,theta"))
    norm = import_norm(db_session, ANALYST, "theta", "", read_norm_file(path))
    exam = open_exam(db_session, tmp_path, people=2)
    sit(db_session, exam, 0, best=True)
    with pytest.raises(service.ScoringRefused, match="verbal: norma memakai theta"):
        service.run_scoring(db_session, exam.event, ANALYST, norm_id=norm.id)


def test_norm_from_several_events_and_one_eselon(db_session, tmp_path: Path) -> None:
    from app.scoring import service
    from tests.delivery.factories import open_exam
    from tests.scoring.test_service import ANALYST, sit

    exam = open_exam(db_session, tmp_path, people=2)
    sit(db_session, exam, 0, best=True)
    sit(db_session, exam, 1, best=False)
    norm = service.norm_from_events(db_session, ANALYST, "eselon IV nasional", [exam.event], "IV")
    entries = {
        e.subtest_code: e
        for e in db_session.scalars(select(NormEntry).where(NormEntry.norm_id == norm.id))
    }
    assert norm.description.endswith("eselon IV") and entries["verbal"].n == 2
    run = service.run_scoring(db_session, exam.event, ANALYST, norm_id=norm.id)
    assert run.norm_id == norm.id
