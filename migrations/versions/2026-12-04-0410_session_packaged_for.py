"""exam_session.packaged_for: at the centre, the site a session's latest package went to; the
centre does not open such a session until it is taken back (`proasn sync reclaim`).

Filled from the sync file log: for each session, the site of the latest package made for it
(the rule `proasn sync package` went by). A plain ADD COLUMN, no table copy.

Revision ID: b5d2f7a1c934
Revises: 7c1e5a9b3d20
Create Date: 2026-12-04 04:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b5d2f7a1c934"
down_revision: str | None = "7c1e5a9b3d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = sa.table(
    "sync_file_log",
    sa.column("id", sa.Uuid()),
    sa.column("direction", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("site_name", sa.String()),
    sa.column("event_code", sa.String()),
    sa.column("session_codes", sa.JSON()),
    sa.column("recorded_at", sa.DateTime(timezone=True)),
)
event = sa.table("exam_event", sa.column("id", sa.Uuid()), sa.column("code", sa.String()))
session = sa.table(
    "exam_session",
    sa.column("event_id", sa.Uuid()),
    sa.column("code", sa.String()),
    sa.column("packaged_for", sa.String()),
)


def upgrade() -> None:
    op.add_column("exam_session", sa.Column("packaged_for", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    packages = connection.execute(
        sa.select(log.c.site_name, log.c.event_code, log.c.session_codes)
        .where(log.c.direction == "made", log.c.kind == "package")
        .order_by(log.c.recorded_at, log.c.id)
    )
    owners: dict[tuple[str, str], str] = {}
    for site, event_code, codes in packages:
        owners.update({(event_code, code): site for code in codes})  # the latest one wins
    for (event_code, code), site in owners.items():
        event_id = sa.select(event.c.id).where(event.c.code == event_code).scalar_subquery()
        connection.execute(
            sa.update(session)
            .where(session.c.event_id == event_id, session.c.code == code)
            .values(packaged_for=site)
        )


def downgrade() -> None:
    op.drop_column("exam_session", "packaged_for")
