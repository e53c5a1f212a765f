"""Loading a validated bank into the database: all-or-nothing, idempotent, versioned."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.bank import repository
from app.bank.content import content_hash
from app.bank.loader import LoadedBank
from app.bank.models import Item, ItemVersion, Subtest
from app.i18n import N_, translate
from app.kit import clock

Progress = Callable[[int], None]

NEW, UNCHANGED, UPDATED, NEW_VERSION = "new", "unchanged", "updated", "new version"


class BankInvalid(Exception):
    """The bank has problems; nothing was imported."""

    def __init__(self, bank: LoadedBank) -> None:
        count = len(bank.problems)
        super().__init__(
            translate(
                N_("%(count)s problems in the question bank; nothing imported"), {"count": count}
            )
        )
        self.bank = bank


@dataclass
class ImportReport:
    outcomes: dict[str, str] = field(default_factory=dict)  # item code → outcome
    subtests_changed: int = 0

    @property
    def counts(self) -> Counter[str]:
        return Counter(self.outcomes.values())

    @property
    def changed(self) -> bool:
        return self.subtests_changed > 0 or any(o != UNCHANGED for o in self.outcomes.values())


def import_bank(db: Session, bank: LoadedBank, progress: Progress | None = None) -> ImportReport:
    """Store every item of a validated bank; the caller commits once at the end.

    Raises BankInvalid (before writing anything) when the bank has problems.
    """
    if not bank.ok:
        raise BankInvalid(bank)
    report = ImportReport(subtests_changed=_upsert_subtests(db, bank))
    db.flush()
    codes = [item["code"] for item in bank.items]
    items = repository.items_by_code(db, codes)
    current = repository.current_versions(db, [i.id for i in items.values()])
    now = clock.now()
    for content in bank.items:
        item = items.get(content["code"])
        version = current.get(item.id) if item else None
        report.outcomes[content["code"]] = _store_item(db, content, item, version, now)
        if progress:
            progress(1)
    db.flush()
    return report


def _upsert_subtests(db: Session, bank: LoadedBank) -> int:
    existing = repository.subtests_by_code(db)
    changed = 0
    for code, loaded in bank.subtests.items():
        values = {
            "name": loaded.name,
            "name_en": loaded.name_en,
            "scoring": loaded.scoring,
            "aspect": loaded.aspect,
            "themes": loaded.themes,
        }
        row = existing.get(code)
        if row is None:
            db.add(Subtest(code=code, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed += 1
    return changed


def _store_item(
    db: Session, content: dict[str, Any], item: Item | None, version: ItemVersion | None, now: Any
) -> str:
    digest = content_hash(content)
    if item is None:
        item = Item(code=content["code"], created_at=now)
        db.add(item)
        db.flush()
        db.add(_new_version(item, 1, content, digest, now))
        return NEW
    if version is not None and version.content_hash == digest:
        return UNCHANGED
    if version is not None and version.frozen_at is None:
        _apply_content(version, content, digest)
        return UPDATED
    next_number = (version.version + 1) if version else 1
    if version is not None:
        version.superseded_at = now
    db.add(_new_version(item, next_number, content, digest, now))
    return NEW_VERSION


def _new_version(
    item: Item, number: int, content: dict[str, Any], digest: str, now: Any
) -> ItemVersion:
    version = ItemVersion(item_id=item.id, version=number, created_at=now)
    _apply_content(version, content, digest)
    return version


def _apply_content(version: ItemVersion, content: dict[str, Any], digest: str) -> None:
    version.content_hash = digest
    version.subtest_code = content["subtest"]
    version.theme = content["theme"]
    version.subtheme = content["subtheme"]
    version.stem = content["stem"]
    version.figure_svg = content["figure_svg"]
    version.options = content["options"]
    version.scoring = content["scoring"]
    version.key = content["key"]
    version.points = content["points"]
    version.irt = content["irt"]
    version.time_hint_seconds = content["time_hint_seconds"]
    version.shuffle_options = content["shuffle_options"]
    version.meta = content["meta"]
    version.source_file = content["source"]
