"""Bank tables: subtests, items and their immutable-once-used versions."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.kit.ids import new_id


class Subtest(Base):
    __tablename__ = "bank_subtest"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    scoring: Mapped[str] = mapped_column(String(16))  # keyed | graded
    aspect: Mapped[str | None] = mapped_column(String(200))
    themes: Mapped[list[str] | None] = mapped_column(JSON)


class Item(Base):
    """An item's identity; its content lives in versions."""

    __tablename__ = "bank_item"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ItemVersion(Base):
    """One version of an item's content.

    A version that appears in a participant's form is never edited again: a content change
    then creates a new version (and sets `superseded_at` on this one), so forms keep exactly
    what they were drawn with. `created_at` / `superseded_at` let a form's pool be recomputed
    as it was at drawing time.
    """

    __tablename__ = "bank_item_version"
    __table_args__ = (
        UniqueConstraint("item_id", "version"),
        Index("ix_bank_item_version_pool", "subtest_code", "theme", "superseded_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bank_item.id"), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    subtest_code: Mapped[str] = mapped_column(ForeignKey("bank_subtest.code"))
    theme: Mapped[str | None] = mapped_column(String(200))
    subtheme: Mapped[str | None] = mapped_column(String(200))
    stem: Mapped[str] = mapped_column(Text)
    figure_svg: Mapped[str | None] = mapped_column(Text)
    # [{id, text, figure_svg}] in authored order.
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    scoring: Mapped[str] = mapped_column(String(16))
    key: Mapped[str | None] = mapped_column(String(1))
    points: Mapped[dict[str, int] | None] = mapped_column(JSON)
    irt: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    time_hint_seconds: Mapped[int | None]
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_file: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the version is first drawn into a form; from then on its content is frozen.
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
