"""The event file (`proasn event import EVENT.yaml`), documented in docs/exam_setup.md.

Validated with Pydantic; every error is reported with its path in the file.
"""

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.adaptive.rules import (
    RANDOMESQUE,
    SYMPSON_HETTER,
    AdaptiveRules,
    Exposure,
    minimum_top_k,
)
from app.config import ROOM_TIME_ZONES
from app.i18n import N_, translate
from app.kit import validation

CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
Code = Annotated[str, Field(pattern=CODE)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_zone(zone: str | None) -> str | None:
    if zone is not None and zone not in ROOM_TIME_ZONES:
        message = N_("the time zone must be one of %(zones)s")
        raise ValueError(translate(message, {"zones": ", ".join(ROOM_TIME_ZONES)}))
    return zone


class AgencyDoc(_Doc):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    seats: int = Field(ge=1, description="quota of seats for this agency in the event")


class ExposureDoc(_Doc):
    """Exposure control of an adaptive section (docs/exam_setup.md)."""

    method: Literal["sympson-hetter", "randomesque", "none"] = SYMPSON_HETTER
    max_rate: float = Field(default=0.25, gt=0, le=1)
    top_k: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _top_k_fits(self) -> "ExposureDoc":
        if self.method != RANDOMESQUE:
            if self.top_k is not None:
                raise ValueError("top_k: " + translate(N_("only for method randomesque")))
            return self
        needed = minimum_top_k(self.max_rate)
        if self.top_k is None:
            self.top_k = needed
        elif self.top_k < needed:
            message = N_(
                "every taker's first item is chosen from the same %(k)s items (exposure rate "
                "≥ 1/%(k)s); max_rate %(rate)s needs top_k ≥ %(needed)s"
            )
            params = {"k": self.top_k, "rate": f"{self.max_rate:g}", "needed": needed}
            raise ValueError("top_k: " + translate(message, params))
        return self


class AdaptiveDoc(_Doc):
    """An adaptive section's pool (its subtest, these themes), lengths, stopping rule,
    content balance and exposure control."""

    themes: list[str] | None = Field(default=None, min_length=1)
    min_items: int = Field(ge=1, le=2000)
    max_items: int = Field(ge=1, le=2000)
    stop_se: float | None = Field(default=None, gt=0, lt=1)
    content: dict[str, float] | None = Field(default=None, min_length=1)
    exposure: ExposureDoc = Field(default_factory=ExposureDoc)
    # A calibrated parameter set (NAME or NAME:VERSION, as `scores run --parameters` takes
    # it) whose estimates the section chooses by; None: the bank's parameters.
    parameters: str | None = Field(default=None, min_length=1, max_length=210)

    @model_validator(mode="after")
    def _consistent(self) -> "AdaptiveDoc":
        if self.min_items > self.max_items:
            message = N_("min_items %(min)s exceeds max_items %(max)s")
            raise ValueError(translate(message, {"min": self.min_items, "max": self.max_items}))
        if self.content is None:
            return self
        if any(share <= 0 for share in self.content.values()):
            raise ValueError("content: " + translate(N_("every theme's share must be above 0")))
        if abs(sum(self.content.values()) - 1.0) > 1e-6:
            message = N_("the theme shares must add up to 1 (now %(sum)s)")
            total = f"{sum(self.content.values()):g}"
            raise ValueError("content: " + translate(message, {"sum": total}))
        if self.themes is not None and set(self.themes) != set(self.content):
            message = N_("the themes must be the same as themes (this section's pool)")
            raise ValueError("content: " + translate(message))
        return self

    def pool_themes(self) -> list[str] | None:
        """The themes the pool holds (None: every item of the subtest)."""
        if self.themes is not None:
            return self.themes
        return sorted(self.content) if self.content else None

    def rules(self) -> AdaptiveRules:
        exposure = self.exposure
        return AdaptiveRules(
            self.min_items,
            self.max_items,
            self.stop_se,
            dict(self.content or {}),
            Exposure(exposure.method, exposure.max_rate, exposure.top_k or 1),
        )


class SectionDoc(_Doc):
    title: str = Field(min_length=1, max_length=200)
    subtest: str
    mode: Literal["fixed", "adaptive"] = "fixed"
    theme: str | None = None
    items: int | None = Field(default=None, ge=1, le=2000)
    adaptive: AdaptiveDoc | None = None
    time_limit_minutes: int | None = Field(default=None, ge=1)
    instructions: str | None = None

    @model_validator(mode="after")
    def _mode_fields(self) -> "SectionDoc":
        if self.mode == "fixed":
            if self.items is None:
                raise ValueError(
                    "items: " + translate(N_("required for a fixed section (mode fixed)"))
                )
            if self.adaptive is not None:
                only = N_("only for a section with mode adaptive")
                raise ValueError("adaptive: " + translate(only))
            return self
        if self.adaptive is None:
            needed = N_("required for mode adaptive (min_items, max_items, …)")
            raise ValueError("adaptive: " + translate(needed))
        if self.items is not None:
            uses = N_("an adaptive section uses adaptive.max_items")
            raise ValueError("items: " + translate(uses))
        if self.theme is not None:
            uses = N_("an adaptive section uses adaptive.themes")
            raise ValueError("theme: " + translate(uses))
        return self

    @property
    def item_count(self) -> int:
        """The items a form reserves for the section: all of them, or the adaptive maximum."""
        return self.adaptive.max_items if self.adaptive else self.items or 0

    def canonical(self) -> dict[str, Any]:
        """As hashed: a fixed section without the adaptive fields, so blueprints written
        before adaptive mode keep their hash (and their drawn forms)."""
        data = self.model_dump(mode="json")
        if self.mode == "fixed":
            del data["mode"], data["adaptive"]
        elif data["adaptive"]["parameters"] is None:
            del data["adaptive"]["parameters"]
        return data


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
                message = N_(
                    "section %(index)s (%(title)s): time limit %(limit)s minutes exceeds the "
                    "total time %(total)s minutes"
                )
                params = {"index": index, "title": section.title, "limit": limit}
                params["total"] = self.total_time_minutes
                raise ValueError(translate(message, params))
        return self

    def canonical_hash(self) -> str:
        data = self.model_dump(mode="json")
        data["sections"] = [section.canonical() for section in self.sections]
        payload = json.dumps(data, sort_keys=True, ensure_ascii=False)
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


CONFIG_KEY = r"^[0-9a-fA-F]{64}$"


class SafeExamBrowserDoc(_Doc):
    """Safe Exam Browser required (docs/exam_setup.md): the Config Keys of the .seb files
    allowed (SEB Config Tool, "Use Browser Exam Key and Config Key"), and the link on the
    finished page that quits SEB (the .seb file's quit URL)."""

    config_keys: list[Any] = Field(min_length=1, max_length=20)
    quit_url: str | None = Field(default=None, max_length=500)

    @field_validator("config_keys")
    @classmethod
    def _keys_are_sha256(cls, keys: list[Any]) -> list[str]:
        problems = []
        for index, key in enumerate(keys, start=1):
            if not isinstance(key, str) or not re.match(CONFIG_KEY, key.strip()):
                shown = len(key.strip()) if isinstance(key, str) else translate(N_("not text"))
                problems.append(f"[{index}] ({shown})")
        if problems:
            message = N_(
                "every config key must be 64 hexadecimal characters, copied from the SEB Config "
                "Tool and written in quotes; wrong: %(wrong)s"
            )
            raise ValueError(translate(message, {"wrong": ", ".join(problems)}))
        lowered = [key.strip().lower() for key in keys]
        if len(set(lowered)) != len(lowered):
            raise ValueError(translate(N_("duplicate config key")))
        return lowered

    @field_validator("quit_url")
    @classmethod
    def _quit_url_absolute(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https?://[^\s/]+[^\s]*$", url):
            message = N_(
                "quit_url must be a full address (http:// or https://), the same as the quit "
                "link in the .seb file"
            )
            raise ValueError(translate(message))
        return url


class EventDoc(_Doc):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    organiser: str = Field(min_length=1, max_length=200)
    time_zone: str = "Asia/Jakarta"
    show_results_to_takers: bool = False
    require_admission: bool = False
    safe_exam_browser: SafeExamBrowserDoc | None = None
    login_pin: bool = False
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
                message = N_("duplicate codes %(codes)s")
                raise ValueError(
                    f"{label}: " + translate(message, {"codes": ", ".join(duplicates)})
                )
        return self

    def session_zone(self, session: SessionDoc) -> str:
        return session.time_zone or self.time_zone


class EventFileInvalid(Exception):
    def __init__(self, path: Path, errors: list[str]) -> None:
        super().__init__(f"{path}: " + translate(N_("%(count)s errors"), {"count": len(errors)}))
        self.path = path
        self.errors = errors


def read_event_file(path: Path) -> EventDoc:
    """Parse and validate an event file; raise EventFileInvalid listing every error."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        unreadable = translate(N_("cannot be read: %(reason)s"), {"reason": exc})
        raise EventFileInvalid(path, [unreadable]) from None
    try:
        return EventDoc.model_validate(data)
    except ValidationError as exc:
        raise EventFileInvalid(path, [validation.problem(e) for e in exc.errors()]) from None
