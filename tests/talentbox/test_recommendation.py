"""What the agency sees of a released run must not narrow any official to one box. Before:
officials listed only under "konseling kinerja" were kotak 6, those under both development and
counselling kotak 3, and those missing from the page kotak 1."""

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.talentbox import placement, recommendation, service
from app.talentbox.settings import DEFAULT_PATH, TalentBoxSettings, load_settings
from tests.exams.factories import valid_nip
from tests.talentbox.test_service import ANALYST, potency_csv

POTENTIAL = ["rendah", "menengah", "tinggi"]
PREDICATES = ["Sangat Kurang", "Baik", "Sangat Baik"]  # di bawah, sesuai, di atas


def nine_boxes(db: Session):
    """One official in each of the nine boxes, all of one agency."""
    cells = [(p, q) for p in POTENTIAL for q in PREDICATES]
    potency = service.import_potency(db, ANALYST, "skor.csv", potency_csv([p for p, _ in cells]))
    lines = ["nip;periode;predikat;hasil_kerja;perilaku_kerja"]
    lines += [f"{valid_nip(n)};2026;{q};;" for n, (_, q) in enumerate(cells, start=1)]
    performance = service.import_performance(
        db, ANALYST, "skp.csv", "\n".join(lines).encode() + b"\n"
    )
    return placement.place(db, ANALYST, potency.id, performance.id, 2026)


def test_every_official_is_listed_and_consistent_with_at_least_two_boxes(
    db_session: Session,
) -> None:
    run = nine_boxes(db_session)
    view = recommendation.for_agency(db_session, run, "7371")
    seen: dict[str, list[str]] = {}  # NIP -> what the agency reads about them
    for group in view.groups:
        for person in group.people:
            seen.setdefault(person.nip, []).append(f"{group.label} / {group.follow_up}")
    from app.talentbox import repository

    box_of = {p.nip: p.box for p in repository.placements(db_session, run.id)}
    assert sorted(box_of.values()) == list(range(1, 10))
    assert set(seen) == set(box_of)  # every official of the agency is on the page …
    assert all(len(reads) == 1 for reads in seen.values())  # … once
    for nip, reads in seen.items():
        consistent = {box_of[other] for other, theirs in seen.items() if theirs == reads}
        assert len(consistent) >= 2, (box_of[nip], reads)


def test_agency_groups_that_would_name_a_box_are_refused() -> None:
    import yaml

    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["agency_groups"]["alone"] = {"label": "x", "boxes": [1], "follow_up": "x"}
    data["agency_groups"]["performance_guidance"]["boxes"] = [3, 6]
    with pytest.raises(ValidationError, match="at least two boxes"):
        TalentBoxSettings.model_validate(data)
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["agency_groups"]["performance_guidance"]["boxes"] = [3, 6]  # box 1 left out
    with pytest.raises(ValidationError, match="exactly once"):
        TalentBoxSettings.model_validate(data)
    assert load_settings().agency_group_of(1) == load_settings().agency_group_of(6)
