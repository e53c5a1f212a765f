"""scoring_parameter_set / scoring_parameter_entry: item parameters calibrated from response
data, versioned; scoring_run.parameter_set_id names the set a run used

Revision ID: 7b3c1e9d2f40
Revises: 6d2a9e4f8b17
Create Date: 2026-12-03 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b3c1e9d2f40"
down_revision: str | None = "6d2a9e4f8b17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scoring_parameter_set",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("subtests", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["exam_event.id"],
            name=op.f("fk_scoring_parameter_set_event_id_exam_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_parameter_set")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_scoring_parameter_set_name_version")),
    )
    op.create_table(
        "scoring_parameter_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("set_id", sa.Uuid(), nullable=False),
        sa.Column("item_version_id", sa.Uuid(), nullable=False),
        sa.Column("subtest_code", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=8), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("se", sa.JSON(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("fit", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["scoring_parameter_set.id"],
            name=op.f("fk_scoring_parameter_entry_set_id_scoring_parameter_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_version_id"],
            ["bank_item_version.id"],
            name=op.f("fk_scoring_parameter_entry_item_version_id_bank_item_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_parameter_entry")),
        sa.UniqueConstraint(
            "set_id",
            "item_version_id",
            name=op.f("uq_scoring_parameter_entry_set_id_item_version_id"),
        ),
    )
    with op.batch_alter_table("scoring_run") as batch:
        batch.add_column(sa.Column("parameter_set_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_scoring_run_parameter_set_id_scoring_parameter_set"),
            "scoring_parameter_set",
            ["parameter_set_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("scoring_run") as batch:
        batch.drop_constraint(
            batch.f("fk_scoring_run_parameter_set_id_scoring_parameter_set"), type_="foreignkey"
        )
        batch.drop_column("parameter_set_id")
    op.drop_table("scoring_parameter_entry")
    op.drop_table("scoring_parameter_set")
