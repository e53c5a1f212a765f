"""`proasn talenta …`: imports with row-level errors, a weighted run with its box counts."""

import re
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app as cli
from tests.talentbox.test_service import potency_csv
from tests.talentbox.test_weighted import PROFILE, SKP


def test_imports_and_a_weighted_run(use_database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    files = {"skor.csv": potency_csv(["tinggi"] * 2), "skp.csv": SKP, "profil.csv": PROFILE}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    for command, name in (
        ("import-potency", "skor.csv"),
        ("import-performance", "skp.csv"),
        ("import-profile", "profil.csv"),
    ):
        result = runner.invoke(cli, ["talenta", command, str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    listing = runner.invoke(cli, ["talenta", "list"]).output
    ids = re.findall(r"^  ([0-9a-f-]{36})  ", listing, re.M)
    assert len(ids) == 3
    args = ["--potency", ids[0], "--performance", ids[1], "--period", "2026"]
    result = runner.invoke(
        cli, ["talenta", "place", *args, "--mode", "weighted", "--profile", ids[2]]
    )
    assert result.exit_code == 0, result.output
    assert "Run 1" in result.output and "kotak 5: 1" in result.output  # worked in test_weighted
    assert "kotak 7: 1" in result.output  # person 2: potency 70 (menengah), SKP 80 (di atas)
    assert "Penempatan" in result.output and "2/2" in result.output  # the progress bar
    refused = runner.invoke(cli, ["talenta", "place", *args[:4], "--period", "2031"])
    assert refused.exit_code == 1 and "periode 2031" in refused.output


def test_bad_rows_are_listed_and_exit_non_zero(use_database: str, tmp_path: Path) -> None:
    bad = tmp_path / "skp.csv"
    bad.write_text("nip,periode,predikat\n123,2026,Baik\n")
    result = CliRunner().invoke(cli, ["talenta", "import-performance", str(bad)])
    assert result.exit_code == 1
    assert "baris 2, kolom nip" in result.output and "tidak ada yang diimpor" in result.output
