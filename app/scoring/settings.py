"""The scoring settings file (config/scoring.yaml): composite weights and level bands."""

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.scoring.norms import NEAR_EDGE_CHANCE, Bands

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "scoring.yaml"


class LevelsDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    labels: tuple[str, str, str] = ("rendah", "menengah", "tinggi")
    middle_from_stanine: Annotated[int, Field(ge=2, le=8)] = 4
    high_from_stanine: Annotated[int, Field(ge=3, le=9)] = 7
    # "near a band edge" when another level has at least this chance (docs/scoring.md §4)
    near_edge_chance: Annotated[float, Field(gt=0, le=0.5)] = NEAR_EDGE_CHANCE

    @model_validator(mode="after")
    def _ordered(self) -> "LevelsDoc":
        if self.high_from_stanine <= self.middle_from_stanine:
            raise ValueError("high_from_stanine must be above middle_from_stanine")
        return self

    def bands(self) -> Bands:
        return Bands(
            self.labels, self.middle_from_stanine, self.high_from_stanine, self.near_edge_chance
        )


class ScoringSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    composite_weights: dict[str, Annotated[float, Field(ge=0)]]
    levels: LevelsDoc = LevelsDoc()


def load_scoring_settings(path: Path = DEFAULT_PATH) -> ScoringSettings:
    return ScoringSettings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
