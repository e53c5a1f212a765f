"""The event file (`proasn event import EVENT.yaml`), documented in docs/exam_setup.md.

Validated with Pydantic; every error is reported with its path in the file.
"""

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.config import ROOM_TIME_ZONES

CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
Code = Annotated[str, Field(pattern=CODE)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_zone(zone: str | None) -> str | None:
    if zone is not None and zone not in ROOM_TIME_ZONES:
        raise ValueError(f"zona waktu harus salah satu dari {', '.join(ROOM_TIME_ZONES)}")
    return zone


class AgencyDoc(_Doc):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    seats: int = Field(ge=1, description="quota of seats for this agency in the event")


class SectionDoc(_Doc):
    title: str = Field(min_length=1, max_length=200)
    subtest: str
    theme: str | None = None
    items: int = Field(ge=1, le=2000)
    time_limit_minutes: int | None = Field(default=None, ge=1)
    instructions: str | None = None


class BlueprintDoc(_Doc):
    total_time_minutes: int = Field(ge=1, le=24 * 60)
    shuffle_items: bool = True
    shuffle_options: bool = True
    sections: list[SectionDoc] = Field(min_length=1)

    @model_validator(mode="after")
    def _section_limits_fit(self) -> "BlueprintDoc":
        for index, section in enumerate(self.sections, start=1):
            limit = section.time_limit_minutes
            if limit is not None and limit > self.total_time_minutes:
                raise ValueError(
                    f"bagian {index} ({section.title}): batas waktu {limit} menit melebihi "
                    f"waktu total {self.total_time_minutes} menit"
                )
        return self

    def canonical_hash(self) -> str:
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


class SessionDoc(_Doc):
    code: Code
    venue: str = Field(min_length=1, max_length=200)
    room: str = Field(min_length=1, max_length=200)
    time_zone: str | None = None
    date: dt.date
    start: dt.time
    capacity: int = Field(ge=1, le=10_000)

    _zone = field_validator("time_zone")(_check_zone)


class EventDoc(_Doc):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    organiser: str = Field(min_length=1, max_length=200)
    time_zone: str = "Asia/Jakarta"
    show_results_to_takers: bool = False
    require_admission: bool = False
    agencies: list[AgencyDoc] = Field(min_length=1)
    blueprint: BlueprintDoc
    sessions: list[SessionDoc] = Field(min_length=1)

    _zone = field_validator("time_zone")(_check_zone)

    @model_validator(mode="after")
    def _codes_unique(self) -> "EventDoc":
        for label, codes in (
            ("agencies", [a.code for a in self.agencies]),
            ("sessions", [s.code for s in self.sessions]),
        ):
            duplicates = sorted({c for c in codes if codes.count(c) > 1})
            if duplicates:
                raise ValueError(f"{label}: kode ganda {', '.join(duplicates)}")
        return self

    def session_zone(self, session: SessionDoc) -> str:
        return session.time_zone or self.time_zone


class EventFileInvalid(Exception):
    def __init__(self, path: Path, errors: list[str]) -> None:
        super().__init__(f"{path}: {len(errors)} kesalahan")
        self.path = path
        self.errors = errors


def read_event_file(path: Path) -> EventDoc:
    """Parse and validate an event file; raise EventFileInvalid listing every error."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise EventFileInvalid(path, [f"tidak dapat dibaca: {exc}"]) from None
    try:
        return EventDoc.model_validate(data)
    except ValidationError as exc:
        raise EventFileInvalid(path, [_describe(e) for e in exc.errors()]) from None


def _describe(error: dict) -> str:  # type: ignore[type-arg]
    where = ".".join(str(p) if not isinstance(p, int) else f"[{p + 1}]" for p in error["loc"])
    where = re.sub(r"\.\[", "[", where) or "(berkas)"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"
