"""`load_bank`: every problem kind is reported with file, item id and field."""

from pathlib import Path

import pytest

from app.bank.loader import load_bank
from tests.bank.factories import SAFE_SVG, graded_item, keyed_item, write_bank


def problems_of(root: Path) -> list[tuple[str, str | None, str, str]]:
    bank = load_bank(root)
    return [(p.file, p.item_id, p.field, p.message) for p in bank.problems]


def only_problem(root: Path):
    found = load_bank(root).problems
    assert len(found) == 1, found
    return found[0]


def test_valid_bank_has_no_problems(tmp_path: Path) -> None:
    root = write_bank(tmp_path / "b", [keyed_item("V1", 1), graded_item("S1", 2)])
    bank = load_bank(root)
    assert bank.ok and not bank.warnings
    assert [i["code"] for i in bank.items] == ["V1", "S1"]


def test_duplicate_ids_in_one_file_and_across_files(tmp_path: Path) -> None:
    root = write_bank(
        tmp_path / "b",
        [keyed_item("V1", 1), keyed_item("V1", 2)],
        files={
            "more/extra.yaml": "items:\n"
            + "\n".join(
                "  " + line
                for line in __import__("yaml")
                .safe_dump([keyed_item("V1", 3)], allow_unicode=True)
                .splitlines()
            )
        },
    )
    found = [p for p in load_bank(root).problems if p.field == "id"]
    assert len(found) == 2
    assert all(p.item_id == "V1" and "id ganda" in p.message for p in found)
    assert {p.file for p in found} == {"b/items.yaml", "b/more/extra.yaml"}


def test_missing_key(tmp_path: Path) -> None:
    item = keyed_item("V1")
    del item["key"]
    problem = only_problem(write_bank(tmp_path / "b", [item]))
    assert (problem.file, problem.item_id, problem.field) == ("b/items.yaml", "V1", "key")
    assert "wajib" in problem.message


def test_key_not_among_options(tmp_path: Path) -> None:
    problem = only_problem(write_bank(tmp_path / "b", [keyed_item("V1", key="F")]))
    assert (
        problem.field == "key" and "'F' tidak ada di antara pilihan A, B, C, D" in problem.message
    )


@pytest.mark.parametrize("bad", [0, 6, 2.5, "lima"])
def test_points_outside_one_to_five(tmp_path: Path, bad: object) -> None:
    item = graded_item("S1", points={"A": 5, "B": bad, "C": 3, "D": 2, "E": 1})
    problem = only_problem(write_bank(tmp_path / "b", [item]))
    assert (problem.item_id, problem.field) == ("S1", "points")
    assert "pilihan B harus bilangan bulat 1-5" in problem.message


def test_graded_item_with_option_missing_points(tmp_path: Path) -> None:
    item = graded_item("S1", points={"A": 5, "B": 4, "C": 3, "D": 2})
    problem = only_problem(write_bank(tmp_path / "b", [item]))
    assert problem.field == "points" and "pilihan E tidak diberi nilai" in problem.message


def test_unknown_subtest_and_unknown_theme(tmp_path: Path) -> None:
    items = [keyed_item("V1", 1, subtest="kuantum"), keyed_item("V2", 2, theme="puisi")]
    found = problems_of(write_bank(tmp_path / "b", items))
    assert (
        "b/items.yaml",
        "V1",
        "subtest",
        "subtes 'kuantum' tidak dikenal (lihat subtests.yaml)",
    ) in found
    assert any(p[1] == "V2" and p[2] == "theme" and "'puisi'" in p[3] for p in found)


@pytest.mark.parametrize("count", [1, 7])
def test_option_count_must_be_two_to_six(tmp_path: Path, count: int) -> None:
    options = [{"id": "ABCDEFG"[i], "text": str(i)} for i in range(count)]
    problem = only_problem(write_bank(tmp_path / "b", [keyed_item("V1", options=options, key="A")]))
    assert problem.field == "options"


def test_missing_svg_file_is_reported(tmp_path: Path) -> None:
    problem = only_problem(write_bank(tmp_path / "b", [keyed_item("V1", figure="fig/none.svg")]))
    assert problem.field == "figure" and "tidak ditemukan" in problem.message


def test_svg_file_outside_the_bank_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.svg").write_text(SAFE_SVG)
    problem = only_problem(write_bank(tmp_path / "b", [keyed_item("V1", figure="../outside.svg")]))
    assert problem.field == "figure"


def test_svg_file_next_to_item_file_is_loaded_inline(tmp_path: Path) -> None:
    root = write_bank(
        tmp_path / "b",
        [keyed_item("V1", figure="fig/kotak.svg")],
        files={"fig/kotak.svg": SAFE_SVG},
    )
    bank = load_bank(root)
    assert bank.ok and bank.items[0]["figure_svg"] == SAFE_SVG


@pytest.mark.parametrize(
    ("svg", "expected"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="x()"/></svg>', "onclick"),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xl="http://www.w3.org/1999/xlink">'
            '<use xl:href="http://evil.example/a.svg#x"/></svg>',
            "rujukan eksternal",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(http://x/y)"/></svg>',
            "url(http://x/y)",
        ),
        ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>', "<foreignObject>"),
        ("<svg><rect/>", "tidak dapat diurai"),
    ],
)
def test_unsafe_or_broken_inline_svg_is_refused(tmp_path: Path, svg: str, expected: str) -> None:
    found = load_bank(write_bank(tmp_path / "b", [keyed_item("V1", figure_svg=svg)])).problems
    assert found and all(p.field == "figure" for p in found)
    assert any(expected in p.message for p in found), found


def test_unsafe_svg_on_an_option_names_the_option(tmp_path: Path) -> None:
    item = keyed_item("V1")
    item["options"][2]["figure_svg"] = (
        '<svg xmlns="http://www.w3.org/2000/svg"><circle onload="x()"/></svg>'
    )
    problem = only_problem(write_bank(tmp_path / "b", [item]))
    assert problem.field == "options[3].figure"


@pytest.mark.parametrize(
    ("irt", "message"),
    [
        ({"model": "3pl", "a": 0, "b": 0.1, "c": 0.2}, "parameter a"),
        ({"model": "3pl", "a": 1.0, "b": 0.1, "c": 0.6}, "parameter c"),
        ({"model": "2pl", "a": 1.0}, "parameter b"),
        ({"model": "grm", "a": 1.0, "thresholds": [0, 1, 2, 3]}, "model IRT"),
    ],
)
def test_invalid_irt_on_keyed_items(tmp_path: Path, irt: dict, message: str) -> None:
    problem = only_problem(write_bank(tmp_path / "b", [keyed_item("V1", irt=irt)]))
    assert problem.field == "irt" and message in problem.message


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [([-1.0, 0.5, 0.2, 1.0], "naik tegas"), ([-1.0, 0.0, 1.0], "perlu 4 thresholds")],
)
def test_invalid_grm_thresholds(tmp_path: Path, thresholds: list[float], message: str) -> None:
    item = graded_item("S1", irt={"model": "grm", "a": 1.2, "thresholds": thresholds})
    problem = only_problem(write_bank(tmp_path / "b", [item]))
    assert problem.field == "irt" and message in problem.message


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    bad_key = keyed_item("V1", 1, key="Z")
    unknown = keyed_item("V2", 2, subtest="x")
    bad_points = graded_item("S1", 3, points={"A": 9, "B": 4, "C": 3, "D": 2, "E": 1})
    found = problems_of(write_bank(tmp_path / "b", [bad_key, unknown, bad_points]))
    assert {(p[1], p[2]) for p in found} == {("V1", "key"), ("V2", "subtest"), ("S1", "points")}


def test_near_duplicate_stems_within_a_subtest_are_warnings(tmp_path: Path) -> None:
    stem = "Manakah sikap yang paling tepat ketika atasan meminta laporan anggaran segera?"
    items = [
        keyed_item("V1", 1, stem=stem),
        keyed_item("V2", 2, stem=stem.replace("segera", "segera sekali")),
        keyed_item("N1", 3, subtest="numerik", stem=stem),  # another subtest: not compared
    ]
    bank = load_bank(write_bank(tmp_path / "b", items))
    assert bank.ok
    assert [(w.item_id, w.field) for w in bank.warnings] == [("V2", "stem")]
    assert "V1" in bank.warnings[0].message


def test_missing_subtests_file(tmp_path: Path) -> None:
    root = write_bank(tmp_path / "b", [keyed_item("V1")])
    (root / "subtests.yaml").unlink()
    fields = {p.field for p in load_bank(root).problems}
    assert "subtests" in fields


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    root = write_bank(tmp_path / "b", [keyed_item("V1")], files={"rusak.yaml": "items: [\n"})
    found = load_bank(root).problems
    assert [(p.file, p.field) for p in found] == [("b/rusak.yaml", "yaml")]
