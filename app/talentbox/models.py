"""Talent-box tables (all named talentbox_*): imported potency and performance files,
placement runs and placements. Nothing here refers to the delivery or scoring tables: the
potency comes in through the documented scores export only."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
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


class PlacementRun(Base):
    __tablename__ = "talentbox_run"
    __table_args__ = (UniqueConstraint("number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[int]
    mode: Mapped[str] = mapped_column(String(16))  # simple (weighted: not yet)
    period: Mapped[int]
    potency_import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("talentbox_potency_import.id"))
    performance_import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("talentbox_performance_import.id")
    )
    # Checksums of both inputs and the settings used: the run can be reproduced.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    only_potency: Mapped[list[str]] = mapped_column(JSON)  # NIPs with no performance rating
    only_performance: Mapped[list[str]] = mapped_column(JSON)  # NIPs with no potency
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
    box: Mapped[int]
    groups: Mapped[list[str]] = mapped_column(JSON)
    recommendation: Mapped[str] = mapped_column(Text)
    # What the two axes came from (potency export row, SKP row).
    components: Mapped[dict[str, Any]] = mapped_column(JSON)
