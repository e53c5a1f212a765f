"""`import_bank`: all-or-nothing, idempotent, new versions for items already in forms."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.bank import repository
from app.bank.loader import load_bank
from app.bank.models import Item, ItemVersion
from app.bank.service import BankInvalid, import_bank
from app.kit import clock
from tests.bank.factories import SAFE_SVG, graded_item, keyed_item, write_bank


def count(db: Session, model) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def versions_of(db: Session, code: str) -> list[ItemVersion]:
    query = (
        select(ItemVersion)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(Item.code == code)
        .order_by(ItemVersion.version)
    )
    return list(db.scalars(query))


def test_first_import_creates_items_and_subtests(db_session: Session, tmp_path: Path) -> None:
    root = write_bank(tmp_path / "b", [keyed_item("V1", 1), graded_item("S1", 2)])
    report = import_bank(db_session, load_bank(root))
    assert report.outcomes == {"V1": "new", "S1": "new"}
    assert set(repository.subtests_by_code(db_session)) == {"verbal", "sjt", "numerik"}
    [graded] = versions_of(db_session, "S1")
    assert graded.scoring == "graded" and graded.points == {"A": 5, "B": 4, "C": 3, "D": 2, "E": 1}
    assert graded.key is None


def test_same_content_again_changes_nothing(db_session: Session, tmp_path: Path) -> None:
    root = write_bank(tmp_path / "b", [keyed_item("V1", 1), graded_item("S1", 2)])
    import_bank(db_session, load_bank(root))
    again = import_bank(db_session, load_bank(root))
    assert not again.changed and set(again.outcomes.values()) == {"unchanged"}
    assert count(db_session, ItemVersion) == 2


def test_same_content_in_another_layout_is_unchanged(db_session: Session, tmp_path: Path) -> None:
    """Figure in a file vs inline: the SVG text is the content, not where it came from."""
    import_bank(
        db_session,
        load_bank(
            write_bank(
                tmp_path / "a", [keyed_item("V1", figure="f.svg")], files={"f.svg": SAFE_SVG}
            )
        ),
    )
    again = import_bank(
        db_session, load_bank(write_bank(tmp_path / "b", [keyed_item("V1", figure_svg=SAFE_SVG)]))
    )
    assert again.outcomes == {"V1": "unchanged"}


def test_change_to_an_unused_item_updates_it_in_place(db_session: Session, tmp_path: Path) -> None:
    import_bank(db_session, load_bank(write_bank(tmp_path / "a", [keyed_item("V1", 1)])))
    changed = keyed_item("V1", 1, key="C")
    report = import_bank(db_session, load_bank(write_bank(tmp_path / "b", [changed])))
    assert report.outcomes == {"V1": "updated"}
    [version] = versions_of(db_session, "V1")
    assert (version.version, version.key) == (1, "C")


def test_change_to_an_item_in_a_form_creates_a_new_version(
    db_session: Session, tmp_path: Path
) -> None:
    import_bank(db_session, load_bank(write_bank(tmp_path / "a", [keyed_item("V1", 1)])))
    [first] = versions_of(db_session, "V1")
    repository.freeze_versions(db_session, [first.id], clock.now())  # as drawing a form does
    report = import_bank(
        db_session, load_bank(write_bank(tmp_path / "b", [keyed_item("V1", 1, key="D")]))
    )
    assert report.outcomes == {"V1": "new version"}
    old, new = versions_of(db_session, "V1")
    assert (old.version, old.key, old.superseded_at is not None) == (1, "B", True)
    assert (new.version, new.key, new.superseded_at) == (2, "D", None)
    # Re-importing the new content is idempotent again.
    again = import_bank(
        db_session, load_bank(write_bank(tmp_path / "c", [keyed_item("V1", 1, key="D")]))
    )
    assert again.outcomes == {"V1": "unchanged"}


def test_invalid_bank_imports_nothing(db_session: Session, tmp_path: Path) -> None:
    root = write_bank(tmp_path / "b", [keyed_item("V1", 1), keyed_item("V2", 2, key="Q")])
    with pytest.raises(BankInvalid):
        import_bank(db_session, load_bank(root))
    assert count(db_session, Item) == 0


def test_progress_is_reported_per_item(db_session: Session, tmp_path: Path) -> None:
    ticks: list[int] = []
    items = [keyed_item(f"V{i}", i) for i in range(5)]
    import_bank(db_session, load_bank(write_bank(tmp_path / "b", items)), ticks.append)
    assert sum(ticks) == 5
