"""The shipped sample bank and the generated pool are valid and big enough."""

import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.bank.loader import load_bank
from app.bank.service import import_bank
from app.exams.forms import SectionSpec, draw_form
from app.exams.preparation import pools_for
from app.kit import clock

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "question_bank" / "sample"
NINE_COMPETENCIES = {
    "integritas",
    "kerja sama",
    "komunikasi",
    "orientasi pada hasil",
    "pelayanan publik",
    "pengembangan diri dan orang lain",
    "mengelola perubahan",
    "pengambilan keputusan",
    "perekat bangsa",
}


@pytest.fixture(scope="module")
def sample():
    return load_bank(SAMPLE)


def test_sample_bank_is_valid_without_warnings(sample) -> None:
    assert sample.problems == [] and sample.warnings == []


def test_four_subtests_with_at_least_sixty_items_each(sample) -> None:
    per_subtest = Counter(item["subtest"] for item in sample.items)
    assert set(per_subtest) >= {"verbal", "numerik", "figural", "sjt"}
    assert all(count >= 60 for count in per_subtest.values()), per_subtest


def test_situational_judgement_is_graded_and_covers_all_nine_competencies(sample) -> None:
    sjt = [i for i in sample.items if i["subtest"] == "sjt"]
    assert {i["theme"] for i in sjt} == NINE_COMPETENCIES
    assert all(sorted(i["points"].values()) == [1, 2, 3, 4, 5] for i in sjt)


def test_irt_parameters_on_at_least_two_subtests(sample) -> None:
    with_irt = {i["subtest"] for i in sample.items if i["irt"]}
    assert len(with_irt) >= 2


def test_figural_items_carry_svg_figures(sample) -> None:
    figural = [i for i in sample.items if i["subtest"] == "figural"]
    assert all(i["figure_svg"] or any(o["figure_svg"] for o in i["options"]) for i in figural)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("generator", ["numerik", "figural"])
def test_generated_sample_files_are_what_the_generators_produce(
    generator: str, tmp_path: Path
) -> None:
    subprocess.run(
        [sys.executable, "-m", f"question_bank.generators.{generator}", "--out", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert _digest(tmp_path) == _digest(SAMPLE / generator)


def test_generated_pool_of_1200_is_valid_and_gives_a_700_item_form(
    db_session: Session, tmp_path: Path
) -> None:
    from question_bank.generators.pool import write_pool

    assert write_pool(tmp_path / "pool", 1200) >= 1200
    pool = load_bank(tmp_path / "pool")
    assert pool.problems == [] and len(pool.items) >= 1200
    import_bank(db_session, pool)
    per_subtest = Counter(i["subtest"] for i in pool.items)
    sections = [
        SectionSpec(n, code, code, None, count * 7 // 12)
        for n, (code, count) in enumerate(sorted(per_subtest.items()), start=1)
    ]
    total = sum(s.item_count for s in sections)
    assert total >= 690
    form = draw_form(42, sections, pools_for(db_session, sections, clock.now()), True, True)
    assert len(form) == total and len({d.code for d in form}) == total
