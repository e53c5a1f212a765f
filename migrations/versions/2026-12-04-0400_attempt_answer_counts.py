"""delivery_attempt.answered_count and last_answer_at: kept by every accepted save, so the
proctor board reads an attempt's progress from its row instead of counting its answers on
every poll (a cost that grew with the answers given: issue 14)

Revision ID: 7c1e5a9b3d20
Revises: 4a8c2e7d1f36
Create Date: 2026-12-04 04:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e5a9b3d20"
down_revision: str | None = "4a8c2e7d1f36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "delivery_attempt",
        sa.Column("answered_count", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "delivery_attempt", sa.Column("last_answer_at", sa.DateTime(timezone=True), nullable=True)
    )
    # The attempts stored so far: counted once from their answers.
    op.execute(
        "UPDATE delivery_attempt SET"
        " answered_count = (SELECT count(a.option_id) FROM delivery_answer a"
        " WHERE a.attempt_id = delivery_attempt.id),"
        " last_answer_at = (SELECT max(a.answered_at) FROM delivery_answer a"
        " WHERE a.attempt_id = delivery_attempt.id)"
    )


def downgrade() -> None:
    op.drop_column("delivery_attempt", "last_answer_at")
    op.drop_column("delivery_attempt", "answered_count")
