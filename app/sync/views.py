"""What the centre has received from its sites, per event and packaged session: the view
model of the analysts' page `/analis/lokasi` (one grouped query for the counts, the sync file
log for the rest)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from app.sync import repository
from app.sync.models import SyncFileLog

# complete: the site's results closed the session here; partial: results came while it ran
# at the site (more will follow); missing: no results from its site yet.
STATUSES = ("complete", "partial", "missing")


@dataclass(frozen=True)
class SessionDelivery:
    code: str
    site: str
    packaged_at: datetime
    results_made_at: datetime | None  # at the site, of the newest file loaded
    loaded_at: datetime | None
    status: str
    participants: int
    attempts: int  # the centre holds (a running one at the site comes with a later file)
    time_zone: str


@dataclass
class EventDeliveries:
    code: str
    name: str
    sessions: list[SessionDelivery] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(s.status for s in self.sessions)


def deliveries(db: Session) -> list[EventDeliveries]:
    """Every event with packaged sessions, each session with the site it went to last."""
    packaged: dict[tuple[str, str], SyncFileLog] = {}
    loaded: dict[tuple[str, str, str], SyncFileLog] = {}
    for row in repository.all_file_logs(db):
        for code in row.session_codes:
            if row.direction == "made" and row.kind == "package":
                packaged[(row.event_code, code)] = row
            elif row.direction == "loaded" and row.kind == "results":
                loaded[(row.event_code, code, row.site_name)] = row
    counts = repository.session_counts(db, sorted({event for event, _ in packaged}))
    events: dict[str, EventDeliveries] = {}
    for (event_code, code), package in sorted(packaged.items()):
        state = counts.get((event_code, code))
        if state is None or state.packaged_for is None:  # gone, or taken back by the centre
            continue
        results = loaded.get((event_code, code, package.site_name))
        if results is not None and results.recorded_at < package.recorded_at:
            results = None  # from before the session moved to its site
        status = "missing" if results is None else "partial"
        if results is not None and state.status == "closed":
            status = "complete"
        entry = events.setdefault(event_code, EventDeliveries(event_code, state.event_name))
        entry.sessions.append(
            SessionDelivery(
                code=code,
                site=package.site_name,
                packaged_at=package.made_at,
                results_made_at=results.made_at if results else None,
                loaded_at=results.recorded_at if results else None,
                status=status,
                participants=state.participants,
                attempts=state.attempts,
                time_zone=state.time_zone,
            )
        )
    return list(events.values())
