"""guessing limits per purpose and key (throttle_failure); the staff account lock goes (its
columns with it): a delay that doubles per failure replaces a 15-minute lock anyone could set

Revision ID: 4e8b2f6c1a93
Revises: 9c3e51d7a0f2
Create Date: 2026-12-03 07:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4e8b2f6c1a93"
down_revision: str | None = "9c3e51d7a0f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "throttle_failure",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttle_failure")),
    )
    op.create_index(
        "ix_throttle_failure_purpose_key_at", "throttle_failure", ["purpose", "key", "at"]
    )
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade() -> None:
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True)))
    op.drop_index("ix_throttle_failure_purpose_key_at", table_name="throttle_failure")
    op.drop_table("throttle_failure")
