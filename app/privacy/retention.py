"""The retention file (config/retention.yaml): how long each kind of personal data is kept."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.kit import validation

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "retention.yaml"
# Retention under a month would purge answers before an appeal could be heard.
Months = Annotated[int, Field(ge=1, le=600)]


class RetentionInvalid(Exception):
    """The retention file is unreadable or wrong; the message names the file and field."""


class Retention(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers_months: Months = 24
    technical_logs_days: Annotated[int, Field(ge=7, le=3650)] = 180
    talentbox_months: Months = 60
    identity_months: Months = 120
    batch_size: Annotated[int, Field(ge=1, le=100_000)] = 500

    @model_validator(mode="after")
    def _identity_last(self) -> "Retention":
        longest = max(self.answers_months, self.talentbox_months)
        if self.identity_months < longest:
            raise ValueError(
                "identity_months must be at least answers_months and talentbox_months "
                "(the link to the person is the last thing to go)"
            )
        return self

    def cut_off(self, kind: str, now: datetime) -> datetime:
        """The time before which data of this kind has passed its period."""
        if kind == "technical_logs":
            return now - timedelta(days=self.technical_logs_days)
        return _months_before(now, getattr(self, f"{kind}_months"))


def _months_before(now: datetime, months: int) -> datetime:
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = min(now.day, 28)  # a month's end need not exist months earlier
    return now.replace(year=year, month=month + 1, day=day)


def load_retention(path: Path = DEFAULT_PATH) -> Retention:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RetentionInvalid(f"{path}: {exc}") from None
    try:
        return Retention.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(validation.problem(e) for e in exc.errors())
        raise RetentionInvalid(f"{path}: {problems}") from None
