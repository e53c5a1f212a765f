"""Exam-room integrity (issue 19, item 7): an event may require Safe Exam Browser
(exam_event.safe_exam_browser: its config keys and quit link) and a personal login PIN
(exam_event.login_pin, exam_participant.login_pin_hash); an attempt counts how often and how
long its page left the exam window (delivery_attempt.left_window_*)

Revision ID: 9e4a6c1b2d37
Revises: 6d07a9485f32
Create Date: 2026-12-04 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9e4a6c1b2d37"
down_revision: str | None = "6d07a9485f32"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ADD / DROP COLUMN, no batch table copy: on SQLite a copy of exam_event or
# exam_participant drops the original table, and with foreign keys on that deletes every row
# that cascades from it (forms, logins, attempts) — a downgrade would lose them.


def upgrade() -> None:
    op.add_column("exam_event", sa.Column("safe_exam_browser", sa.JSON(), nullable=True))
    op.add_column(
        "exam_event",
        sa.Column("login_pin", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "exam_participant", sa.Column("login_pin_hash", sa.String(length=200), nullable=True)
    )
    for name in ("left_window_count", "left_window_seconds"):
        op.add_column(
            "delivery_attempt", sa.Column(name, sa.Integer(), server_default="0", nullable=False)
        )
    op.add_column(
        "delivery_attempt", sa.Column("left_window_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    for name in ("left_window_at", "left_window_seconds", "left_window_count"):
        op.drop_column("delivery_attempt", name)
    op.drop_column("exam_participant", "login_pin_hash")
    op.drop_column("exam_event", "login_pin")
    op.drop_column("exam_event", "safe_exam_browser")
