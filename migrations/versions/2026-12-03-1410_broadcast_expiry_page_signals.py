"""proctor_broadcast.expires_at (a message lasts as long as the proctor chose) and the indexes
the open pages' signal stream reads: the proctor's latest action on an attempt and the room's
messages by time

Revision ID: 5b7e1c9d3a42
Revises: 4f7a9c3e1d82
Create Date: 2026-12-03 14:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b7e1c9d3a42"
down_revision: str | None = "4f7a9c3e1d82"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proctor_broadcast") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    # Messages sent before this had 30 minutes on the pages; they are long over.
    op.execute("UPDATE proctor_broadcast SET expires_at = at")
    with op.batch_alter_table("proctor_broadcast") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_index("ix_proctor_broadcast_at", ["at"])
    with op.batch_alter_table("delivery_attempt") as batch:
        batch.create_index("ix_delivery_attempt_controlled_at", ["controlled_at"])


def downgrade() -> None:
    with op.batch_alter_table("delivery_attempt") as batch:
        batch.drop_index("ix_delivery_attempt_controlled_at")
    with op.batch_alter_table("proctor_broadcast") as batch:
        batch.drop_index("ix_proctor_broadcast_at")
        batch.drop_column("expires_at")
