"""Scoring tables: norms, scoring runs with their score records, neutralised items."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.kit.ids import new_id


class Norm(Base):
    """A named, versioned, frozen reference distribution."""

    __tablename__ = "scoring_norm"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    source: Mapped[str] = mapped_column(String(16))  # cohort | imported
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class NormEntry(Base):
    """Mean and SD of one subtest's metric (or of the composite, subtest '_composite')."""

    __tablename__ = "scoring_norm_entry"
    __table_args__ = (UniqueConstraint("norm_id", "subtest_code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    norm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scoring_norm.id", ondelete="CASCADE"))
    subtest_code: Mapped[str] = mapped_column(String(64))
    metric: Mapped[str] = mapped_column(String(16))  # theta | percent | composite
    mean: Mapped[float]
    sd: Mapped[float]
    n: Mapped[int]


class ScoringRun(Base):
    __tablename__ = "scoring_run"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_event.id", ondelete="CASCADE"))
    number: Mapped[int]
    norm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scoring_norm.id"))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)  # weights and bands used
    neutralised: Mapped[list[str]] = mapped_column(JSON, default=list)  # item version ids
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(64))
    # Item parameters estimated from response data (None: the bank's own, on each version).
    parameter_set_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("scoring_parameter_set.id")
    )


class ParameterSet(Base):
    """Item parameters calibrated from an event's responses (`proasn bank calibrate --save`),
    named and versioned like norms and never changed after: a scoring run names the set it
    used, so drawn forms and earlier runs keep the parameters they had."""

    __tablename__ = "scoring_parameter_set"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_event.id", ondelete="CASCADE"))
    # Per subtest: {model, persons, iterations, converged, log_likelihood, link: {method,
    # slope, intercept, anchors} or None (the sample's own scale)}.
    subtests: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class ParameterEntry(Base):
    """One item version's estimate in a set: parameters as the bank writes them ({a, b, c}
    or {a, thresholds}), their standard errors, and the item's fit."""

    __tablename__ = "scoring_parameter_entry"
    __table_args__ = (UniqueConstraint("set_id", "item_version_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    set_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scoring_parameter_set.id", ondelete="CASCADE")
    )
    item_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bank_item_version.id"))
    subtest_code: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(8))  # 2pl | 3pl | grm
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    se: Mapped[dict[str, Any]] = mapped_column(JSON)
    n: Mapped[int]
    # S-X² (dichotomous items): {statistic, df, p_value}; None where it is not computed.
    fit: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ScoreRecord(Base):
    """One participant's profile in one run. No pass / fail: there is no such column."""

    __tablename__ = "scoring_record"
    __table_args__ = (
        UniqueConstraint("run_id", "participant_id"),
        Index("ix_scoring_record_run", "run_id", "participant_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scoring_run.id", ondelete="CASCADE"))
    participant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_participant.id"))
    attempt_status: Mapped[str] = mapped_column(String(16))
    # {code: {raw, max, percent, answered, items, theta, se, z, t, percentile}}
    subtests: Mapped[dict[str, Any]] = mapped_column(JSON)
    composite: Mapped[float | None]
    composite_t: Mapped[float | None]
    composite_percentile: Mapped[float | None]
    composite_se_z: Mapped[float | None]
    stanine: Mapped[int | None]
    level: Mapped[str | None] = mapped_column(String(32))
    near_band_edge: Mapped[bool] = mapped_column(default=False)


class NeutralisedItem(Base):
    """An item version scored for nobody in an event (faulty key, ambiguous stem …)."""

    __tablename__ = "scoring_neutralised_item"
    __table_args__ = (UniqueConstraint("event_id", "item_version_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_event.id", ondelete="CASCADE"))
    item_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bank_item_version.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(64))


class KeyCorrection(Base):
    """A corrected key for a keyed item version in one event (the drawn version keeps its
    content; scoring uses this key from the next run on)."""

    __tablename__ = "scoring_key_correction"
    __table_args__ = (UniqueConstraint("event_id", "item_version_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_event.id", ondelete="CASCADE"))
    item_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bank_item_version.id"))
    key: Mapped[str] = mapped_column(String(1))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(64))


class SelfViewLogin(Base):
    """An official's login to their own result (`/hasil`: NIP + personal access code), so the
    result survives a reload or a language switch and ends on "Keluar". Only the SHA-256 of
    the cookie token is stored; `participant_ids` are the registrations the code opened."""

    __tablename__ = "scoring_selfview_login"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    participant_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
