"""Adaptive sections in the event file: schema errors naming the section and field, fixed
blueprints' hash unchanged, and the bank's pool checked against the exposure target."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.bank.loader import load_bank
from app.bank.service import import_bank
from app.exams import repository, service
from app.exams.event_file import EventFileInvalid, read_event_file
from app.exams.service import EventImportRejected, import_event
from app.kit.clock import FrozenClock, use_clock
from tests.bank.factories import keyed_item, write_bank
from tests.exams.factories import event_data, event_doc, participant, rows

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "event.yaml"
THEMES = ["deret angka", "aritmetika"]


def adaptive_section(**adaptive: Any) -> dict[str, Any]:
    settings = {
        "min_items": 5,
        "max_items": 10,
        "stop_se": 0.3,
        "content": {"deret angka": 0.5, "aritmetika": 0.5},
        "exposure": {"method": "sympson-hetter", "max_rate": 0.25},
    } | adaptive
    return {
        "title": "Numerik adaptif",
        "subtest": "numerik",
        "mode": "adaptive",
        "adaptive": settings,
    }


def with_adaptive(**adaptive: Any) -> dict[str, Any]:
    data = event_data()
    data["blueprint"]["sections"][1] = adaptive_section(**adaptive)
    return data


def errors(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    import yaml

    path = tmp_path / "event.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(EventFileInvalid) as invalid:
        read_event_file(path)
    return invalid.value.errors


def test_fixed_blueprints_keep_their_hash() -> None:
    # the hash main computed before adaptive mode: their drawn forms stay valid
    doc = read_event_file(EXAMPLE)
    assert doc.blueprint.canonical_hash() == (
        "b7897e07facc388760b0e9989e3c2a8f2b08902cec638e73b810b54b925cba31"
    )
    assert all(s.mode == "fixed" and s.item_count == s.items for s in doc.blueprint.sections)


def test_an_adaptive_section_parses_into_engine_rules() -> None:
    section = event_doc(**with_adaptive()).blueprint.sections[1]
    assert section.item_count == 10
    rules = section.adaptive.rules()
    assert (rules.min_items, rules.max_items, rules.stop_se) == (5, 10, 0.3)
    assert rules.content == {"deret angka": 0.5, "aritmetika": 0.5}
    assert rules.exposure.method == "sympson-hetter"
    assert section.adaptive.pool_themes() == sorted(THEMES)


@pytest.mark.parametrize(
    ("adaptive", "expected"),
    [
        ({"min_items": 12}, "blueprint.sections[2].adaptive: min_items 12 melebihi max_items 10"),
        (
            {"content": {"deret angka": 0.5, "aritmetika": 0.4}},
            "content: porsi tema harus berjumlah 1",
        ),
        ({"themes": ["deret angka"]}, "content: tema harus sama dengan themes"),
        (
            {"exposure": {"method": "randomesque", "max_rate": 0.25, "top_k": 3}},
            "blueprint.sections[2].adaptive.exposure: top_k: butir pertama",
        ),
        (
            {"exposure": {"method": "sympson-hetter", "top_k": 3}},
            "top_k: hanya untuk method randomesque",
        ),
        ({"stop_se": 0}, "blueprint.sections[2].adaptive.stop_se"),
    ],
)
def test_schema_errors_name_the_section_and_field(
    tmp_path: Path, adaptive: dict, expected: str
) -> None:
    assert any(expected in e for e in errors(tmp_path, with_adaptive(**adaptive))), errors(
        tmp_path, with_adaptive(**adaptive)
    )


def test_mode_decides_which_fields_a_section_takes(tmp_path: Path) -> None:
    data = with_adaptive()
    data["blueprint"]["sections"][1]["items"] = 10
    assert any(
        "sections[2]: items: bagian adaptif memakai adaptive.max_items" in e
        for e in errors(tmp_path, data)
    )
    data = event_data()
    del data["blueprint"]["sections"][0]["items"]
    assert any("sections[1]: items: wajib" in e for e in errors(tmp_path, data))


@pytest.fixture
def numerik_bank(db_session: Session, tmp_path: Path) -> None:
    items = [
        keyed_item(f"V{i:04d}", i, irt={"model": "2pl", "a": 1.0, "b": 0.0}) for i in range(1, 13)
    ]
    for n, theme in enumerate(40 * ["deret angka"] + 39 * ["aritmetika"], start=1):
        items.append(
            keyed_item(
                f"N{n:04d}",
                1000 + n,
                subtest="numerik",
                theme=theme,
                irt={"model": "2pl", "a": 1.2, "b": 0.1},
            )
        )
    with use_clock(FrozenClock(datetime(2026, 11, 28, 1, 0, tzinfo=UTC))):
        import_bank(db_session, load_bank(write_bank(tmp_path / "bank", items)))


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(datetime(2026, 11, 28, 2, 0, tzinfo=UTC))) as c:
        yield c


def refusal(db_session: Session, data: dict[str, Any]) -> list[str]:
    data["blueprint"]["sections"] = (
        data["blueprint"]["sections"][:1] + data["blueprint"]["sections"][1:2]
    )
    with pytest.raises(EventImportRejected) as rejected:
        import_event(db_session, event_doc(**data), rows(participant(1)))
    return rejected.value.setup_problems


def test_a_pool_that_cannot_meet_the_exposure_target_is_refused(
    db_session: Session, numerik_bank: None, frozen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "ADAPTIVE_DELIVERY", True)
    # 20 items at rate 0.25 need 80 (40 per theme): aritmetika has 39
    assert refusal(db_session, with_adaptive(max_items=20)) == [
        "blueprint: bagian 2 (Numerik adaptif) adaptive.max_items: bank memiliki 79 butir untuk "
        "pool ini; 20 butir maksimum dengan laju paparan maksimum 0.25 memerlukan sedikitnya 80",
        "blueprint: bagian 2 (Numerik adaptif) adaptive.content.aritmetika: tema 'aritmetika' "
        "memiliki 39 butir; porsi 0.5 dari 20 butir dengan laju paparan maksimum 0.25 "
        "memerlukan sedikitnya 40",
    ]


def test_a_feasible_adaptive_section_is_stored_with_its_settings(
    db_session: Session, numerik_bank: None, frozen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "ADAPTIVE_DELIVERY", True)
    data = with_adaptive()
    data["blueprint"]["sections"] = data["blueprint"]["sections"][:2]
    import_event(db_session, event_doc(**data), rows(participant(1)))
    event = repository.event_by_code(db_session, "proasn-uji")
    assert event is not None
    fixed, adaptive = repository.sections(db_session, event.id)
    assert (fixed.mode, fixed.adaptive) == ("fixed", None)
    assert (adaptive.mode, adaptive.item_count) == ("adaptive", 10)
    assert adaptive.adaptive is not None and adaptive.adaptive["exposure"]["max_rate"] == 0.25


def test_with_the_switch_off_adaptive_sections_are_refused(
    db_session: Session, numerik_bank: None, frozen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "ADAPTIVE_DELIVERY", False)
    assert refusal(db_session, with_adaptive()) == [
        "blueprint: bagian 2 (Numerik adaptif) mode: bagian adaptif dimatikan di server ini"
    ]


def test_a_parameter_set_the_section_names_must_exist(
    db_session: Session, numerik_bank: None, frozen: Any
) -> None:
    assert refusal(db_session, with_adaptive(parameters="kalibrasi 2026")) == [
        "blueprint: bagian 2 (Numerik adaptif) adaptive.parameters: "
        "set parameter 'kalibrasi 2026' tidak ditemukan"
    ]
