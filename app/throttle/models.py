"""One row per failed guess (a wrong password, access code or room token), by purpose and key."""

from datetime import datetime

from sqlalchemy import Index, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class ThrottleFailure(Base):
    __tablename__ = "throttle_failure"
    __table_args__ = (Index("ix_throttle_failure_purpose_key_at", "purpose", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    purpose: Mapped[str] = mapped_column(String(16))  # staff | selfview | taker
    key: Mapped[str] = mapped_column(String(120))  # "account:budi", "address:10.0.0.5", "nip:…"
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ThrottleKey(Base):
    """One row per person key a limit watches (account, NIP): a try locks it for its
    transaction, so parallel guesses for one account are checked one after the other (20
    wrong passwords sent at once were all verified when only a count was read first)."""

    __tablename__ = "throttle_key"
    __table_args__ = (PrimaryKeyConstraint("purpose", "key"),)

    purpose: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(120))
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime())
