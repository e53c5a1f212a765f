"""Personal data kept by an optional module (the talent box, which has its own edge): the
duties of this package (the person's document, identity corrections, the retention purge)
reach it through a `Holder`, registered where the app is assembled (app/extensions.py). No
core module imports the optional one (tests/test_layers.py)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session


class Holder(Protocol):
    """What a module keeping personal data answers to. `kind` names its purge kind and
    retention period (config/retention.yaml)."""

    kind: str

    def person_sections(self, db: Session, nip: str) -> dict[str, list[dict[str, Any]]]:
        """The person's rows, by section of their document (privacy/person.py)."""
        ...

    def correct_identity(
        self, db: Session, nip: str, event_code: str, values: dict[str, str]
    ) -> dict[str, int]:
        """Carry an identity correction into the module's own copies; rows changed by table."""
        ...

    def scoring_runs_named(self, db: Session, run_ids: Sequence[str]) -> set[str]:
        """The scoring runs (of `run_ids`) whose results the module still links to people:
        their events keep the identity of their registrations."""
        ...

    def purge_plan(
        self, db: Session, before: datetime
    ) -> tuple[dict[str, int], list[tuple[str, list[Any]]]]:
        """(what is held back and why → count, [(part, ids)]) for data older than `before`."""
        ...

    def purge(self, db: Session, part: str, ids: Sequence[Any], dry_run: bool) -> dict[str, int]:
        """Remove (or, in a dry run, count) one batch of a part; rows by table."""
        ...

    def component_labels(self) -> dict[str, str]:
        """Labels of the score components its rows name (the printable document shows them)."""
        ...


registered: list[Holder] = []


def register(holder: Holder) -> None:
    if holder not in registered:
        registered.append(holder)


def of_kind(kind: str) -> list[Holder]:
    return [h for h in registered if h.kind == kind]
