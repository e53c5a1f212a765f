"""Exam set-up tables: events, agencies and quotas, blueprint sections, exam sessions,
registered participants and their pre-drawn forms."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.kit.ids import new_id


class Agency(Base):
    """An employing agency (instansi): ministry, province, regency or city."""

    __tablename__ = "agency"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Event(Base):
    __tablename__ = "exam_event"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(40))
    show_results_to_takers: Mapped[bool] = mapped_column(default=False)
    # A taker needs the proctor's admission to start, and to resume after a login reset.
    require_admission: Mapped[bool] = mapped_column(default=False)
    # Safe Exam Browser required (docs/exam_setup.md): {"config_keys": [...], "quit_url": ...}
    # as the event file gave it; None: any browser.
    safe_exam_browser: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A personal PIN (printed on the participant card) is asked at login with NIP and token.
    login_pin: Mapped[bool] = mapped_column(default=False)
    total_time_minutes: Mapped[int]
    shuffle_items: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    # Hash of the blueprint (sections + shuffling + time); forms record the hash they used.
    blueprint_hash: Mapped[str] = mapped_column(String(64))
    # Counts changes that reach a site's package (re-import, forms drawn): a site refuses a
    # package older than the event it holds (app/sync).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgencyQuota(Base):
    """Seats the national agency gives one agency in one event."""

    __tablename__ = "exam_agency_quota"
    __table_args__ = (UniqueConstraint("event_id", "agency_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_event.id", ondelete="CASCADE"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agency.id"))
    seats: Mapped[int]


class BlueprintSection(Base):
    __tablename__ = "exam_blueprint_section"
    __table_args__ = (UniqueConstraint("event_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_event.id", ondelete="CASCADE"))
    position: Mapped[int]  # 1-based order in the test
    title: Mapped[str] = mapped_column(String(200))
    subtest_code: Mapped[str] = mapped_column(ForeignKey("bank_subtest.code"))
    theme: Mapped[str | None] = mapped_column(String(200))
    item_count: Mapped[int]  # an adaptive section: its maximum
    time_limit_minutes: Mapped[int | None]
    instructions: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(16), default="fixed", server_default="fixed")
    # an adaptive section's settings as the event file gave them (event_file.AdaptiveDoc)
    adaptive: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ExamSession(Base):
    """One sitting in one room at one time (sesi) — not a login or database session."""

    __tablename__ = "exam_session"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_event.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    venue: Mapped[str] = mapped_column(String(200))
    room: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int]
    room_token: Mapped[str] = mapped_column(String(16))
    # After a rotation the previous token still works for a short overlap.
    previous_room_token: Mapped[str | None] = mapped_column(String(16))
    previous_token_valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    token_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    token_rotation_minutes: Mapped[int | None]  # None: no automatic rotation
    # planned → prepared (forms drawn) → open → closed
    status: Mapped[str] = mapped_column(String(16), default="planned")
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # At the centre: the site the session's latest package went to (`proasn sync package`); it
    # runs there, so it is not opened here until taken back (`proasn sync reclaim`). Never
    # sent in a package: at a site it stays empty.
    packaged_for: Mapped[str | None] = mapped_column(String(64))


class Participant(Base):
    """A registered official; no substitution: identity is the NIP within the event."""

    __tablename__ = "exam_participant"
    __table_args__ = (UniqueConstraint("event_id", "nip"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_event.id", ondelete="CASCADE"))
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_session.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agency.id"), index=True)
    # Indexed alone as well: a taker's login looks the NIP up across events.
    nip: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(300))
    eselon: Mapped[str] = mapped_column(String(8))
    # Accommodations from the participant file, applied when the attempt starts: extra time
    # as a percentage of the test's and each section's time, and large print.
    extra_time_percent: Mapped[int] = mapped_column(default=0, server_default="0")
    large_print: Mapped[bool] = mapped_column(default=False, server_default=false())
    access_code_hash: Mapped[str] = mapped_column(String(200))
    # argon2 hash of the login PIN when the event asks for one (issued with the cards).
    login_pin_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Form(Base):
    """A participant's drawn form; reproducible from `seed` and the pool as of `drawn_at`."""

    __tablename__ = "exam_form"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_participant.id", ondelete="CASCADE"), unique=True
    )
    seed: Mapped[int] = mapped_column(BigInteger)
    blueprint_hash: Mapped[str] = mapped_column(String(64))
    item_count: Mapped[int]
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # {subtest: [items, maximum]}, fixed at the draw: scoring then reads only the answered
    # items (a room's deadline scores 1,000 forms of 700 items at once). None: drawn before.
    subtest_totals: Mapped[dict[str, list[int]] | None] = mapped_column(JSON)


class FormItem(Base):
    __tablename__ = "exam_form_item"

    form_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_form.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)  # 1-based across the whole form
    section_position: Mapped[int]
    item_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bank_item_version.id"), index=True
    )
    # Option ids in the order this participant sees them.
    option_order: Mapped[list[str]] = mapped_column(JSON)


class AdaptivePool(Base):
    """An adaptive section's pool as delivery chooses from it, frozen when the event's first
    forms are drawn under this blueprint: every taker of the section is then chosen for from
    the same items, parameters and Sympson–Hetter K, and a replay years later finds them here
    (the bank and the parameter sets may have moved on)."""

    __tablename__ = "exam_adaptive_pool"
    __table_args__ = (UniqueConstraint("event_id", "section_position", "blueprint_hash"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_event.id", ondelete="CASCADE"))
    section_position: Mapped[int]
    blueprint_hash: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The parameter set the parameters came from ("NAME vN"), or None: the bank's.
    parameters: Mapped[str | None] = mapped_column(String(220))
    seed: Mapped[int] = mapped_column(BigInteger)  # Sympson–Hetter's simulation
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)  # the section's adaptive settings
    # [[version id (hex), item code, theme, parameters, Sympson–Hetter K], …] by item code
    items: Mapped[list[list[Any]]] = mapped_column(JSON)
