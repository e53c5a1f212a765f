"""An adaptive section's pool: which items it may choose, with which parameters, checked at
import and frozen when the event's first forms are drawn under the blueprint.

The parameters are the bank's, or those of the calibrated parameter set the section names
(`adaptive.parameters`, NAME or NAME:VERSION as `proasn scores run --parameters` takes it):
with a set, an item the set lacks cannot be chosen from (θ from two scales at once would mean
nothing, as scoring says), so the import refuses the pool as it refuses items without
parameters. The frozen pool (exam_adaptive_pool) keeps the items, their parameters and,
with Sympson–Hetter, each item's K from a simulation (app/adaptive/exposure.py); every
taker of the section is chosen for from it, and a replay finds it there later.
"""

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.adaptive import exposure
from app.adaptive.engine import Section
from app.adaptive.pool import ItemPool, PoolEntry
from app.adaptive.rules import SYMPSON_HETTER
from app.bank import repository as bank_repository
from app.exams import repository
from app.exams.event_file import AdaptiveDoc
from app.exams.forms import BlueprintUnsatisfiable
from app.exams.models import AdaptivePool, BlueprintSection, Event
from app.i18n import N_, translate
from app.kit.errors import Refusal

# Sympson–Hetter's calibration when a pool is frozen: simulees per round and rounds (the
# bench's figures hold at these; bench/README.md, adaptive).
SH_SIMULEES = 500
SH_ROUNDS = 8


@dataclass(frozen=True)
class PoolItemSource:
    version_id: Any  # uuid.UUID
    code: str
    theme: str | None
    params: dict[str, Any]


@dataclass
class PoolSource:
    """The section's pool now: items with parameters, codes of those without, and the
    parameter set's label ("NAME vN") when one is named."""

    items: list[PoolItemSource] = field(default_factory=list)
    unparametrised: list[str] = field(default_factory=list)
    parameters: str | None = None

    def counts(self) -> dict[str | None, int]:
        found: dict[str | None, int] = {}
        for item in self.items:
            found[item.theme] = found.get(item.theme, 0) + 1
        return found


# A calibrated parameter set by NAME or NAME:VERSION: (its label, parameters by item version
# id). Sets belong to scoring, a layer above exams: scoring's lookup is registered where the
# app is assembled (app/extensions.py); it raises a Refusal for a set not found.
ParameterLookup = Callable[[Session, str], tuple[str, dict[uuid.UUID, dict[str, Any]]]]
_parameter_lookup: ParameterLookup | None = None


def register_parameter_lookup(lookup: ParameterLookup) -> None:
    global _parameter_lookup
    _parameter_lookup = lookup


class ParametersUnavailable(Refusal):
    status, code = 409, "parameters_unavailable"
    message_id = N_("Calibrated parameter sets cannot be read here (scoring is not installed)")


def pool_source(db: Session, subtest: str, doc: AdaptiveDoc, at: datetime) -> PoolSource:
    """The items of `subtest` (and the section's themes) the bank held at `at`, with their
    parameters. Raises the lookup's Refusal for a set not found."""
    themes = doc.pool_themes()
    entries = None
    source = PoolSource()
    if doc.parameters is not None:
        if _parameter_lookup is None:
            raise ParametersUnavailable()
        source.parameters, entries = _parameter_lookup(db, doc.parameters)
    for version, code in bank_repository.pool_as_of(db, subtest, None, at):
        if themes is not None and version.theme not in themes:
            continue
        if entries is not None:
            found = entries.get(version.id)
            params = dict(found) if found is not None else None
        else:
            params = dict(version.irt) if version.irt else None
        if not params:
            source.unparametrised.append(code)
            continue
        source.items.append(PoolItemSource(version.id, code, version.theme, params))
    return source


def ensure_pools(db: Session, event: Event, at: datetime) -> list[AdaptivePool]:
    """Freeze the pool of each adaptive section of the event's blueprint that has none yet
    (drawing forms calls it first)."""
    simulees, rounds = SH_SIMULEES, SH_ROUNDS
    built = []
    for section in repository.sections(db, event.id):
        if section.mode != "adaptive":
            continue
        if repository.adaptive_pool(db, event.id, section.position, event.blueprint_hash):
            continue
        built.append(_freeze(db, event, section, at, simulees, rounds))
    return built


def _freeze(
    db: Session,
    event: Event,
    section: BlueprintSection,
    at: datetime,
    simulees: int,
    rounds: int,
) -> AdaptivePool:
    assert section.adaptive is not None
    doc = AdaptiveDoc.model_validate(section.adaptive)
    source = pool_source(db, section.subtest_code, doc, at)
    if source.unparametrised or not source.items:
        message = N_(
            "section %(position)s (%(title)s): the adaptive pool has %(items)s items with "
            "parameters and %(without)s without"
        )
        counts = {"items": len(source.items), "without": len(source.unparametrised)}
        where = {"position": section.position, "title": section.title}
        raise BlueprintUnsatisfiable(translate(message, where | counts))
    entries = [PoolEntry(i.code, i.theme, i.params) for i in source.items]
    pool, rules = ItemPool(entries), doc.rules()
    seed = secrets.randbits(62)
    k = [1.0] * len(pool)
    if rules.exposure.method == SYMPSON_HETTER:
        found = exposure.sympson_hetter(Section(pool, rules, seed), simulees, seed, rounds)
        k = [round(float(x), 6) for x in found]
    by_code = {i.code: i for i in source.items}
    rows = [
        [by_code[code].version_id.hex, code, by_code[code].theme, by_code[code].params, k[n]]
        for n, code in enumerate(pool.codes)
    ]
    frozen = AdaptivePool(
        event_id=event.id,
        section_position=section.position,
        blueprint_hash=event.blueprint_hash,
        built_at=at,
        parameters=source.parameters,
        seed=seed,
        settings=dict(section.adaptive),
        items=rows,
    )
    db.add(frozen)
    bank_repository.freeze_versions(db, [i.version_id for i in source.items], at)
    db.flush()
    return frozen
