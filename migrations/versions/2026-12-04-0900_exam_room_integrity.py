"""Exam-room integrity (issue 19, item 7): an event may require Safe Exam Browser
(exam_event.safe_exam_browser: its config keys and quit link) and a personal login PIN
(exam_event.login_pin, exam_participant.login_pin_hash); an attempt counts how often and how
long its page left the exam window (delivery_attempt.left_window_*)

Revision ID: 9e4a6c1b2d37
Revises: 7c2d4e6f8a10
Create Date: 2026-12-04 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9e4a6c1b2d37"
down_revision: str | None = "7c2d4e6f8a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exam_event") as batch:
        batch.add_column(sa.Column("safe_exam_browser", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("login_pin", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("exam_participant") as batch:
        batch.add_column(sa.Column("login_pin_hash", sa.String(length=200), nullable=True))
    with op.batch_alter_table("delivery_attempt") as batch:
        batch.add_column(
            sa.Column("left_window_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("left_window_seconds", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("left_window_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delivery_attempt") as batch:
        batch.drop_column("left_window_at")
        batch.drop_column("left_window_seconds")
        batch.drop_column("left_window_count")
    with op.batch_alter_table("exam_participant") as batch:
        batch.drop_column("login_pin_hash")
    with op.batch_alter_table("exam_event") as batch:
        batch.drop_column("login_pin")
        batch.drop_column("safe_exam_browser")
