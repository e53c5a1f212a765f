"""exam_participant.extra_time_percent and .large_print: accommodations from the participant
file (issue 19), applied when the attempt starts; everyone registered so far has none

Revision ID: 3e8a6c2f9b17
Revises: 9e4a6c1b2d37
Create Date: 2026-12-03 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3e8a6c2f9b17"
down_revision: str | None = "9e4a6c1b2d37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place, never a batch copy: on SQLite dropping the copied table would cascade to the
    # logins, attempts and seats of every participant.
    op.add_column(
        "exam_participant",
        sa.Column("extra_time_percent", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "exam_participant",
        sa.Column("large_print", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    # In place (SQLite >= 3.35): a batch copy would drop the old table and, by cascade on
    # SQLite, the logins, attempts and seats hanging off it.
    op.drop_column("exam_participant", "large_print")
    op.drop_column("exam_participant", "extra_time_percent")
