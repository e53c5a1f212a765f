"""Site and central servers (issue 17): sync_site (the centre's registered sites),
sync_central_key (the key a site trusts), sync_file_log (sync files made or loaded) and
exam_event.version (a site refuses a package older than the event it holds)

Revision ID: 6d07a9485f32
Revises: 5c8c80934e0c
Create Date: 2026-12-03 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6d07a9485f32"
down_revision: str | None = "5c8c80934e0c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place (see downgrade): a batch copy of exam_event cascades on SQLite.
    op.add_column(
        "exam_event", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.create_table(
        "sync_site",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=24), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_site")),
        sa.UniqueConstraint("name", name=op.f("uq_sync_site_name")),
    )
    op.create_table(
        "sync_central_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("public_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=24), nullable=False),
        sa.Column("trusted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_central_key")),
    )
    op.create_table(
        "sync_file_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("site_name", sa.String(length=64), nullable=False),
        sa.Column("event_code", sa.String(length=64), nullable=False),
        sa.Column("event_version", sa.Integer(), nullable=False),
        sa.Column("session_codes", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_file_log")),
    )
    op.create_index(op.f("ix_sync_file_log_file_id"), "sync_file_log", ["file_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_file_log_file_id"), table_name="sync_file_log")
    op.drop_table("sync_file_log")
    op.drop_table("sync_central_key")
    op.drop_table("sync_site")
    # In place (SQLite >= 3.35 drops a column itself): a batch copy of exam_event would
    # drop the old table, and with it, by cascade, every session and participant.
    op.drop_column("exam_event", "version")
