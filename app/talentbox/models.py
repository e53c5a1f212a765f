"""Talent-box tables (all named talentbox_*): imported potency, performance and profile
files, placement runs and placements. Nothing here refers to the delivery or scoring tables: the
potency comes in through the documented scores export only."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.kit.ids import new_id


class PotencyImport(Base):
    __tablename__ = "talentbox_potency_import"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    file_name: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64))
    scoring_run_ids: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[str] = mapped_column(String(64))


class PotencyRow(Base):
    __tablename__ = "talentbox_potency_row"
    __table_args__ = (UniqueConstraint("import_id", "nip"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("talentbox_potency_import.id", ondelete="CASCADE")
    )
    nip: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    agency_code: Mapped[str] = mapped_column(String(32))
    agency_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(300))
    eselon: Mapped[str] = mapped_column(String(8))
    event_code: Mapped[str] = mapped_column(String(64))
    scoring_run_id: Mapped[str] = mapped_column(String(64))
    potency_level: Mapped[str | None] = mapped_column(String(32))
    composite_percentile: Mapped[float | None]


class PerformanceImport(Base):
    __tablename__ = "talentbox_performance_import"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    file_name: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[str] = mapped_column(String(64))


class PerformanceRow(Base):
    __tablename__ = "talentbox_performance_row"
    __table_args__ = (UniqueConstraint("import_id", "nip", "period"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("talentbox_performance_import.id", ondelete="CASCADE")
    )
    nip: Mapped[str] = mapped_column(String(18))
    period: Mapped[int]
    predicate: Mapped[str] = mapped_column(String(32))
    # When the file gave the two ratings, they are kept to show where the predicate came from.
    rating_results: Mapped[str | None] = mapped_column(String(16))
    rating_behaviour: Mapped[str | None] = mapped_column(String(16))


class ProfileImport(Base):
    """A file of profile component records (from the officials' personnel-system uploads)."""

    __tablename__ = "talentbox_profile_import"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    file_name: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[str] = mapped_column(String(64))


VERIFICATION_STATUSES = ("unverified", "verified", "rejected")


class ProfileRecord(Base):
    """One uploaded record (a diploma, a training, an award …) with its verification status.
    The status changes when an analyst verifies or rejects it; every change is audited."""

    __tablename__ = "talentbox_profile_record"
    __table_args__ = (
        Index("ix_talentbox_profile_record_nip", "import_id", "nip"),
        Index("ix_talentbox_profile_record_status", "import_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("talentbox_profile_import.id", ondelete="CASCADE")
    )
    row_number: Mapped[int]
    nip: Mapped[str] = mapped_column(String(18))
    component: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))  # unverified / verified / rejected
    status_by: Mapped[str | None] = mapped_column(String(64))
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_note: Mapped[str] = mapped_column(Text, default="")


class PlacementRun(Base):
    __tablename__ = "talentbox_run"
    __table_args__ = (UniqueConstraint("number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[int]
    mode: Mapped[str] = mapped_column(String(16))  # simple | weighted
    period: Mapped[int]
    potency_import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("talentbox_potency_import.id"))
    performance_import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("talentbox_performance_import.id")
    )
    # Weighted mode: the profile file, whether unverified records counted (rejected never do),
    # and how a missing component was handled (reweight | zero).
    profile_import_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("talentbox_profile_import.id")
    )
    include_unverified: Mapped[bool] = mapped_column(default=False, server_default=false())
    missing_policy: Mapped[str | None] = mapped_column(String(16))
    # Checksums of the inputs (and of the profile records used) and the settings: the run can
    # be reproduced.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    only_potency: Mapped[list[str]] = mapped_column(JSON)  # NIPs with no performance rating
    only_performance: Mapped[list[str]] = mapped_column(JSON)  # NIPs with no potency
    # Weighted mode with a profile file: NIPs with profile records but neither potency nor SKP.
    only_profile: Mapped[list[str] | None] = mapped_column(JSON)
    # Weighted mode: how many placed officials lacked each component (shown before trusting it).
    missing_counts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    # Released: agencies may download their recommendation, officials see their own box.
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_by: Mapped[str | None] = mapped_column(String(64))


class Placement(Base):
    __tablename__ = "talentbox_placement"
    __table_args__ = (
        UniqueConstraint("run_id", "nip"),
        Index("ix_talentbox_placement_box", "run_id", "box"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("talentbox_run.id", ondelete="CASCADE"))
    nip: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    agency_code: Mapped[str] = mapped_column(String(32))
    agency_name: Mapped[str] = mapped_column(String(200))
    eselon: Mapped[str] = mapped_column(String(8))
    potential_level: Mapped[str] = mapped_column(String(32))
    performance_level: Mapped[str] = mapped_column(String(16))
    predicate: Mapped[str] = mapped_column(String(32))
    # Weighted mode only: the two 0-100 axis scores that were banded.
    potential_score: Mapped[float | None]
    performance_score: Mapped[float | None]
    box: Mapped[int]
    groups: Mapped[list[str]] = mapped_column(JSON)
    recommendation: Mapped[str] = mapped_column(Text)
    # What the two axes came from (potency export row, SKP row, weighted components).
    components: Mapped[dict[str, Any]] = mapped_column(JSON)
