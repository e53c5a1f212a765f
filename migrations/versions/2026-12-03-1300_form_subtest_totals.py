"""exam_form.subtest_totals: items and maximum per subtest, fixed when the form is drawn, so
scoring at the deadline reads only the answered items; delivery_attempt_score.detail dropped
(written for every attempt, never read: the answers and the frozen versions give it back)

Revision ID: 8c4d2a7e5b19
Revises: 3e8f0a6c5d21
Create Date: 2026-12-03 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c4d2a7e5b19"
down_revision: str | None = "3e8f0a6c5d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Forms drawn before this have none: scoring reads their items as it did.
    op.add_column("exam_form", sa.Column("subtest_totals", sa.JSON(), nullable=True))
    with op.batch_alter_table("delivery_attempt_score") as batch:
        batch.drop_column("detail")


def downgrade() -> None:
    with op.batch_alter_table("delivery_attempt_score") as batch:
        batch.add_column(sa.Column("detail", sa.JSON(), nullable=False, server_default="[]"))
    op.drop_column("exam_form", "subtest_totals")
