"""config/talentbox.yaml: box table, SKP matrix, predicate levels, recommendations, groups,
and the weighted mode's components, weights and bands."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.web.templating import register_configured_english

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "talentbox.yaml"
LEVELS3 = ("di_bawah", "sesuai", "di_atas")
POTENTIAL = ("rendah", "menengah", "tinggi")


class Group(BaseModel):
    """A follow-up group of the analysts' views (groups may overlap)."""

    label: str
    boxes: list[int]


class AgencyGroup(BaseModel):
    """A group of the agency's printed recommendation: the agency sees which of these each
    of its officials is in, and nothing finer."""

    model_config = ConfigDict(extra="forbid")
    label: str
    boxes: list[int]
    follow_up: str


AGENCY_DEFAULT = {
    "succession_pool": AgencyGroup(
        label="kelompok rencana suksesi", boxes=[7, 8, 9], follow_up="rencana suksesi"
    ),
    "competence_development": AgencyGroup(
        label="pengembangan kompetensi", boxes=[2, 4, 5], follow_up="pengembangan kompetensi"
    ),
    "performance_guidance": AgencyGroup(
        label="pembinaan kinerja", boxes=[1, 3, 6], follow_up="pembinaan kinerja"
    ),
}


class Predicate(BaseModel):
    level: str
    score: float


class Component(BaseModel):
    """One component of an axis in weighted mode, scored 0-100 (see config/talentbox.yaml)."""

    model_config = ConfigDict(extra="forbid")
    label: str
    weight: float = Field(gt=0)
    source: Literal["test", "skp", "profile"]
    aggregate: Literal["best", "worst", "sum", "mean"] = "best"
    categories: dict[str, float] | None = None
    full_at: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_scale(self) -> "Component":
        if self.categories is not None and self.full_at is not None:
            raise ValueError("a component has categories or full_at, not both")
        if self.categories and not all(0 <= v <= 100 for v in self.categories.values()):
            raise ValueError("category points must lie in 0-100")
        return self


class Bands(BaseModel):
    high: float
    middle: float

    @model_validator(mode="after")
    def _ordered(self) -> "Bands":
        if not 0 <= self.middle < self.high <= 100:
            raise ValueError("bands need 0 <= middle < high <= 100")
        return self


class Weighted(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bands: Bands
    potential: dict[str, Component]
    performance: dict[str, Component]

    @model_validator(mode="after")
    def _sources(self) -> "Weighted":
        if [c.source for c in self.potential.values()].count("test") != 1:
            raise ValueError("the potential axis needs exactly one `test` component")
        if [c.source for c in self.performance.values()].count("skp") != 1:
            raise ValueError("the performance axis needs exactly one `skp` component")
        if set(self.potential) & set(self.performance):
            raise ValueError("a component key belongs to one axis only")
        return self

    def profile_components(self) -> dict[str, Component]:
        both = self.potential | self.performance
        return {key: c for key, c in both.items() if c.source == "profile"}


class TalentBoxSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    boxes: dict[str, dict[str, int]]
    skp_matrix: dict[str, dict[str, str]]
    predicates: dict[str, Predicate]
    recommendations: dict[int, str]
    groups: dict[str, Group]
    # Runs placed before agency groups existed stored settings without them: the default
    # partition lets them be replayed.
    agency_groups: dict[str, AgencyGroup] = Field(default_factory=lambda: dict(AGENCY_DEFAULT))
    weighted: Weighted
    # English of the Indonesian texts above, for pages in English; a text not listed shows
    # as configured (app.web.templating's `configured` filter).
    english: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> "TalentBoxSettings":
        numbers = sorted(self.boxes[p][q] for p in LEVELS3 for q in POTENTIAL)
        if numbers != list(range(1, 10)):
            raise ValueError("boxes must number the nine cells 1-9 once each")
        for row in LEVELS3:
            for column in LEVELS3:
                if self.skp_matrix[row][column] not in self.predicates:
                    raise ValueError(f"skp_matrix {row}/{column}: unknown predicate")
        if set(self.recommendations) != set(range(1, 10)):
            raise ValueError("a recommendation is needed for every box 1-9")
        # The agency must not be able to tell any official's box: every official is in
        # exactly one agency group, and every group spans two boxes or more.
        boxes = sorted(b for g in self.agency_groups.values() for b in g.boxes)
        if boxes != list(range(1, 10)):
            raise ValueError("agency_groups must hold each box 1-9 exactly once")
        if any(len(g.boxes) < 2 for g in self.agency_groups.values()):
            raise ValueError("every agency group spans at least two boxes (one would name it)")
        unknown = sorted(set(self.english) - self.texts())
        if unknown:  # a typo would leave the Indonesian on English pages without a word
            raise ValueError(f"english: no configured text reads {unknown[0]!r}")
        return self

    def texts(self) -> set[str]:
        """Every Indonesian text of these settings a page shows."""
        components = self.weighted.potential | self.weighted.performance
        return (
            set(self.recommendations.values())
            | {g.label for g in self.groups.values()}
            | {t for g in self.agency_groups.values() for t in (g.label, g.follow_up)}
            | {c.label for c in components.values()}
        )

    def agency_group_of(self, box: int) -> str:
        return next(key for key, g in self.agency_groups.items() if box in g.boxes)


def load_settings(path: Path = DEFAULT_PATH) -> TalentBoxSettings:
    return TalentBoxSettings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=4)
def _english(path: Path, modified: float) -> dict[str, str]:
    return load_settings(path).english


def english_texts(path: Path = DEFAULT_PATH) -> dict[str, str]:
    """The configured texts' English, read again when the file changes."""
    return _english(path, path.stat().st_mtime)


register_configured_english(english_texts)
