"""throttle_key: a row per watched person key (account, NIP), locked by each try so parallel
guesses for one account are checked one at a time

Revision ID: 6d2a9e4f8b17
Revises: 4e8b2f6c1a93
Create Date: 2026-12-03 08:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6d2a9e4f8b17"
down_revision: str | None = "4e8b2f6c1a93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "throttle_key",
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("purpose", "key", name=op.f("pk_throttle_key")),
    )


def downgrade() -> None:
    op.drop_table("throttle_key")
