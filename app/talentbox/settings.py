"""config/talentbox.yaml: box table, SKP matrix, predicate levels, recommendations, groups."""

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "talentbox.yaml"
LEVELS3 = ("di_bawah", "sesuai", "di_atas")
POTENTIAL = ("rendah", "menengah", "tinggi")


class Group(BaseModel):
    label: str
    boxes: list[int]


class Predicate(BaseModel):
    level: str
    score: float


class TalentBoxSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    boxes: dict[str, dict[str, int]]
    skp_matrix: dict[str, dict[str, str]]
    predicates: dict[str, Predicate]
    recommendations: dict[int, str]
    groups: dict[str, Group]

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
