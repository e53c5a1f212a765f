"""exam_blueprint_section.mode and .adaptive: a section may be adaptive (issue 21), with its
settings as the event file gave them; every existing section is fixed

Revision ID: 7c2d4e6f8a10
Revises: 5b7e1c9d3a42
Create Date: 2026-12-03 15:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c2d4e6f8a10"
down_revision: str | None = "5b7e1c9d3a42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exam_blueprint_section") as batch:
        batch.add_column(
            sa.Column("mode", sa.String(length=16), server_default="fixed", nullable=False)
        )
        batch.add_column(sa.Column("adaptive", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exam_blueprint_section") as batch:
        batch.drop_column("adaptive")
        batch.drop_column("mode")
