"""Delivery tables: taker logins, attempts with their server-side clock, answers and the
append-only answer journal, per-section timing, per-subtest raw scores, and the proctor's
messages to a room (what the taker's page shows)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.kit.ids import new_id


class TakerLogin(Base):
    """One login of a participant (a login session, not an exam session).

    Only the SHA-256 of the cookie token is stored. At most one login per participant is
    active (not revoked): a second browser is refused until a proctor resets the login. The
    database holds that rule (a unique index over the active logins): twenty browsers logging
    in with one NIP in the same instant got two to four live logins when only a read checked it.
    """

    __tablename__ = "delivery_taker_login"
    __table_args__ = (
        Index(
            "ux_delivery_taker_login_one_active",
            "participant_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_participant.id", ondelete="CASCADE")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(200))
    # With the event's admission setting, a login may start or resume only once admitted.
    needs_admission: Mapped[bool] = mapped_column(default=False)
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str | None] = mapped_column(String(400))
    client_address: Mapped[str | None] = mapped_column(String(64))


class Attempt(Base):
    """A participant's sitting of their form.

    The deadline is stored, not the duration: extra time and pauses move it, and the remaining
    time is always `deadline_at - now` (or `- paused_at` while paused) on the server's clock.
    """

    __tablename__ = "delivery_attempt"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_participant.id", ondelete="CASCADE"), unique=True
    )
    form_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exam_form.id"))
    selector: Mapped[str] = mapped_column(String(32), default="fixed-form")
    # in_progress → submitted (paused is added by the proctor console)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    current_position: Mapped[int] = mapped_column(default=1)
    current_section: Mapped[int] = mapped_column(default=1)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # taker | timer | proctor
    submitted_by: Mapped[str | None] = mapped_column(String(16))
    # Last proctor action on this attempt (pause, resume, extra time, end, login reset): the board
    # re-sends a row when it changes, and the open page hears of it (delivery/signals.py).
    controlled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # How often and how long the page left the exam window (blur, hidden tab), as the page
    # reported with its saves and heartbeats; `left_window_at`: its latest report.
    left_window_count: Mapped[int] = mapped_column(default=0, server_default="0")
    left_window_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    left_window_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The answer journal's hash chain (delivery/chain.py): its row count and last hash.
    journal_rows: Mapped[int] = mapped_column(default=0, server_default="0")
    journal_head: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Kept by every accepted save with the chain (core.counted): the items answered (an
    # option chosen) and when the last save was, for the proctor board, which would otherwise
    # count the answers of every seat on every poll.
    answered_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AttemptSection(Base):
    """Timing of one blueprint section within an attempt (only sections with a time limit
    get a deadline; sections are then taken in order)."""

    __tablename__ = "delivery_attempt_section"

    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE"), primary_key=True
    )
    section_position: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Answer(Base):
    """The current answer to one item of an attempt; `seq` orders competing writes."""

    __tablename__ = "delivery_answer"

    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[str | None] = mapped_column(String(1))
    flagged: Mapped[bool] = mapped_column(default=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AnswerJournal(Base):
    """Every accepted answer change, append-only: what settles disputes later."""

    __tablename__ = "delivery_answer_journal"
    __table_args__ = (Index("ix_delivery_answer_journal_attempt", "attempt_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    old_option_id: Mapped[str | None] = mapped_column(String(1))
    new_option_id: Mapped[str | None] = mapped_column(String(1))
    old_flagged: Mapped[bool | None]
    new_flagged: Mapped[bool]
    seq: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    login_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("delivery_taker_login.id"))
    # The row's place in its attempt's chain and its hash (delivery/chain.py); None only on
    # rows written before the chain existed.
    chain_index: Mapped[int | None]
    chain_hash: Mapped[str | None] = mapped_column(String(64))


class AdaptiveStep(Base):
    """One item an attempt was given in an adaptive section: chosen when the answer before
    it arrived (or the section opened), then its response and θ / SE after it. With the
    section's pool (exam_adaptive_pool) and the form's seed these rows reproduce the
    sequence exactly (delivery/adaptive.py: resume, audit replay)."""

    __tablename__ = "delivery_adaptive_step"
    __table_args__ = (UniqueConstraint("attempt_id", "section_position", "step"),)

    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)  # in the form's numbering
    section_position: Mapped[int]
    step: Mapped[int]  # 1-based within the section
    item_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bank_item_version.id"))
    option_order: Mapped[list[str]] = mapped_column(JSON)
    # Item codes Sympson–Hetter drew against and passed over when choosing this one.
    passed: Mapped[list[Any]] = mapped_column(JSON)
    # Step 1 only: the pool's item codes the form holds elsewhere (its fixed sections, an
    # earlier adaptive section), never chosen here; so later steps need not read the form.
    excluded: Mapped[list[Any] | None] = mapped_column(JSON)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The engine's response (keyed: 1 right, 0 wrong; graded: the 0-based category).
    response: Mapped[int | None]
    theta: Mapped[float | None]  # θ and SE after this answer
    se: Mapped[float | None]
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AttemptScore(Base):
    """Raw score per subtest, computed at submission. No pass mark exists anywhere."""

    __tablename__ = "delivery_attempt_score"
    __table_args__ = (UniqueConstraint("attempt_id", "subtest_code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE")
    )
    subtest_code: Mapped[str] = mapped_column(String(64))
    raw: Mapped[int]
    maximum: Mapped[int]
    answered: Mapped[int]
    items: Mapped[int]


class Broadcast(Base):
    """A proctor's message to every taker of a room: shown on the pages of attempts started
    before it was sent, until `expires_at` (the proctor chooses how long). Delivery owns it
    because the taker's page reads it on the hot path; proctoring writes it (the table keeps
    its first name)."""

    __tablename__ = "proctor_broadcast"
    __table_args__ = (Index("ix_proctor_broadcast_session", "exam_session_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    exam_session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exam_session.id", ondelete="CASCADE")
    )
    message: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PurgedAttempt(Base):
    """An attempt whose answers, journal, section timings and taker logins were removed at the
        end of their retention period. The journal's append-only trigger lets a row go only when
        its attempt is listed here, so nothing but the purge can delete it; scoring refuses an
        event with purged attempts (the scores would be computed from nothing). Written by the
    retention purge (app/privacy); the table keeps its first name."""

    __tablename__ = "privacy_purged_attempt"

    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE"), primary_key=True
    )
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime())
