"""Sync tables: the sites a central server packages for, the central key a site trusts, and
a log of every sync file made or loaded here."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.kit.ids import new_id


class SyncSite(Base):
    """A site server registered at the centre, by name and public key (`proasn sync add-site`)."""

    __tablename__ = "sync_site"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    public_key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(24))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SyncCentralKey(Base):
    """The central server's public key as a site trusts it; the newest row not replaced is it."""

    __tablename__ = "sync_central_key"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    public_key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(24))
    trusted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SyncFileLog(Base):
    """A sync file this server made (`made`) or loaded (`loaded`)."""

    __tablename__ = "sync_file_log"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    file_id: Mapped[uuid.UUID] = mapped_column(index=True)  # the header's id
    direction: Mapped[str] = mapped_column(String(8))  # made | loaded
    kind: Mapped[str] = mapped_column(String(16))  # package | results
    site_name: Mapped[str] = mapped_column(String(64))
    event_code: Mapped[str] = mapped_column(String(64))
    event_version: Mapped[int]
    session_codes: Mapped[list[str]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SyncSiteToken(Base):
    """A site's credential for pushing results to the centre over the network
    (`POST /api/v1/sync/results`); only its SHA-256 is stored, like an analyst's API token.
    A site holds at most one live token: issuing a new one revokes the old."""

    __tablename__ = "sync_site_token"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sync_site.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
