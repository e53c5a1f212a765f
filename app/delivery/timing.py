"""The test clock, computed on the server only.

Remaining time is `deadline - now` (frozen at `paused_at` while paused). A deadline is
enforced at `deadline + grace`: the grace absorbs answers already on the wire when the
countdown reaches zero, and nothing else.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.delivery.models import Attempt, AttemptSection


@dataclass(frozen=True)
class SectionLimit:
    position: int
    minutes: int | None


def reference_time(attempt: Attempt, now: datetime) -> datetime:
    return attempt.paused_at or now


def seconds_until(deadline: datetime | None, attempt: Attempt, now: datetime) -> int | None:
    if deadline is None:
        return None
    left = (deadline - reference_time(attempt, now)).total_seconds()
    return max(0, int(left))


def past_cutoff(deadline: datetime | None, now: datetime, grace: timedelta) -> bool:
    return deadline is not None and now > deadline + grace


def section_deadline(
    limit_minutes: int | None, entered_at: datetime, attempt_deadline: datetime
) -> datetime | None:
    """A section's own deadline, never past the whole test's."""
    if limit_minutes is None:
        return None
    return min(entered_at + timedelta(minutes=limit_minutes), attempt_deadline)


def sequential(limits: list[SectionLimit]) -> bool:
    """With any per-section limit, sections are taken in order and closed behind the taker."""
    return any(limit.minutes is not None for limit in limits)


def effective_deadline(attempt: Attempt, section: AttemptSection | None) -> datetime:
    if section is not None and section.deadline_at is not None:
        return min(section.deadline_at, attempt.deadline_at)
    return attempt.deadline_at
