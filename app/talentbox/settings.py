"""config/talentbox.yaml: box table, SKP matrix, predicate levels, recommendations, groups,
and the weighted mode's components, weights and bands."""

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "talentbox.yaml"
LEVELS3 = ("di_bawah", "sesuai", "di_atas")
POTENTIAL = ("rendah", "menengah", "tinggi")


class Group(BaseModel):
    label: str
    boxes: list[int]
    # Listed on the agency's printed recommendation (the issue names succession, development
    # and counselling; a list of box 1 alone would name the box).
    for_agency: bool = True


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
    weighted: Weighted

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
        return self


def load_settings(path: Path = DEFAULT_PATH) -> TalentBoxSettings:
    return TalentBoxSettings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
