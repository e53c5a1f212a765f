"""The rules of a running attempt, as pure functions over plain values: its clock (remaining
time of the test and of the current section, pause, resume, extra time) and what a taker may
do with it (read an item, save an answer).

Every caller reads the values its own way and asks here: the ORM path (`service`), the Core
path (`hot`), the taker's views and API, and the proctor board. So the two ways of reading an
attempt cannot drift apart on a rule; tests/delivery/test_core.py holds both to these
functions.

The clock: remaining time is `deadline - now`, frozen at `paused_at` while paused. A deadline
is enforced at `deadline + grace`: the grace absorbs answers already on the wire when the
countdown reaches zero, and nothing else.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from app.delivery import chain, errors

# How far a page may count beyond its seq_base: a million saves per page load.
SEQ_SPAN = 1_000_000_000

# The board calls a seat disconnected after 45 s of silence; recording last-seen at most this
# often keeps most calls read-only (no write, no commit to wait for) without hiding one.
LAST_SEEN_EVERY = timedelta(seconds=15)

Refusal = type[errors.DeliveryError]
Purpose = Literal["read", "answer"]


@dataclass(frozen=True)
class AttemptFacts:
    """What the rules need to know of an attempt and the login asking about it."""

    status: str  # in_progress | submitted
    submitted_by: str | None  # taker | timer | proctor
    deadline_at: datetime
    paused_at: datetime | None
    current_section: int
    # The current section's own deadline (sections with a time limit only).
    section_deadline_at: datetime | None
    # Sections are taken in order (some section has a time limit): only the current is open.
    sequential: bool
    awaiting_admission: bool = False

    @property
    def running(self) -> bool:
        return self.status == "in_progress" and self.paused_at is None


# --- the clock ------------------------------------------------------------------------------


def seconds_left(
    deadline: datetime | None, now: datetime, paused_at: datetime | None = None
) -> int | None:
    """Whole seconds until `deadline`, never below 0; frozen at `paused_at` while paused."""
    if deadline is None:
        return None
    return max(0, int((deadline - (paused_at or now)).total_seconds()))


def section_cutoff(deadline_at: datetime, section_deadline_at: datetime | None) -> datetime:
    """When the current section closes: its own deadline, never after the whole test's."""
    if section_deadline_at is None:
        return deadline_at
    return min(section_deadline_at, deadline_at)


def remaining(facts: AttemptFacts, now: datetime) -> tuple[int, int | None]:
    """(whole test, current section) seconds left; the section's is None when it has no
    limit of its own."""
    total = seconds_left(facts.deadline_at, now, facts.paused_at)
    assert total is not None
    if facts.section_deadline_at is None:
        return total, None
    cutoff = section_cutoff(facts.deadline_at, facts.section_deadline_at)
    return total, seconds_left(cutoff, now, facts.paused_at)


def past_cutoff(deadline: datetime | None, now: datetime, grace: timedelta) -> bool:
    return deadline is not None and now > deadline + grace


def run_out(
    facts: AttemptFacts, now: datetime, grace: timedelta
) -> Literal["test", "section"] | None:
    """What of a running attempt has run out and must be closed before anything else: the
    whole test, the current section, or nothing (a paused or submitted attempt's clock
    stands still)."""
    if not facts.running:
        return None
    if past_cutoff(facts.deadline_at, now, grace):
        return "test"
    if past_cutoff(facts.section_deadline_at, now, grace):
        return "section"
    return None


def allowed_minutes(minutes: int, extra_time_percent: int = 0) -> int:
    """A time limit (the whole test's or a section's) with a participant's extra time, a
    percentage of it, rounded up to a whole minute: 30 minutes + 25 % is 38. Applied when
    the attempt starts (and each section opens), so the stored deadlines already hold it."""
    return minutes + -(-minutes * extra_time_percent // 100)


def section_deadline(
    limit_minutes: int | None, entered_at: datetime, attempt_deadline: datetime
) -> datetime | None:
    """A section's own deadline, never past the whole test's."""
    if limit_minutes is None:
        return None
    return min(entered_at + timedelta(minutes=limit_minutes), attempt_deadline)


def sequential(limits: list[int | None]) -> bool:
    """With any per-section limit, sections are taken in order and closed behind the taker."""
    return any(minutes is not None for minutes in limits)


def pause_at(requested: datetime | None, floors: list[datetime | None], now: datetime) -> datetime:
    """When a pause takes effect: backdated to `requested` (an outage's start), but never
    before any of `floors` (the session's start, the attempt's start, its last resume) and
    never in the future."""
    floor = max(t for t in floors if t is not None)
    return min(max(requested or now, floor), now)


def pause_credit(paused_at: datetime, now: datetime) -> timedelta:
    """On resume the deadlines move by exactly the paused time: the same remaining time as
    when paused."""
    return now - paused_at


def extra_time(minutes: int) -> timedelta:
    """A proctor's extra time, 1-240 minutes, for the test and the open timed section."""
    if not 1 <= minutes <= 240:
        raise ValueError("extra time: 1-240 minutes")
    return timedelta(minutes=minutes)


# --- starting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartFacts:
    """What "Mulai tes" needs to know of a login that has no attempt yet."""

    awaiting_admission: bool
    session_open: bool
    has_form: bool


def start_refusal(facts: StartFacts) -> Refusal | None:
    """Why a login with no attempt may not start one; None when it may."""
    if facts.awaiting_admission:
        return errors.AwaitingAdmission
    if not facts.session_open:
        return errors.SessionNotOpen
    if not facts.has_form:
        return errors.NoForm
    return None


def test_deadline(total_minutes: int, extra_time_percent: int, started_at: datetime) -> datetime:
    """A new attempt's deadline: the test's time with the participant's extra time."""
    return started_at + timedelta(minutes=allowed_minutes(total_minutes, extra_time_percent))


def opened_section_deadline(
    limit_minutes: int | None,
    extra_time_percent: int,
    opened_at: datetime,
    attempt_deadline: datetime,
) -> datetime | None:
    """The deadline of a section opened at `opened_at`: its limit with the participant's
    extra time, never past the whole test's; None when it has no limit."""
    if limit_minutes is None:
        return None
    limit = allowed_minutes(limit_minutes, extra_time_percent)
    return section_deadline(limit, opened_at, attempt_deadline)


# --- what a taker may do --------------------------------------------------------------------


def refusal(facts: AttemptFacts, now: datetime, purpose: Purpose) -> Refusal | None:
    """Why this attempt (its clock brought up to date) refuses to show an item (`read`) or
    to take an answer (`answer`); None when it does not."""
    if facts.awaiting_admission:
        return errors.AwaitingAdmission
    if facts.status == "submitted":
        if purpose == "answer" and facts.submitted_by == "timer" and now > facts.deadline_at:
            return errors.DeadlinePassed
        return errors.AttemptSubmitted
    if facts.paused_at is not None:  # no reading ahead while the clock stands still
        return errors.AttemptPaused
    return None


def item_refusal(facts: AttemptFacts, item_section: int | None) -> Refusal | None:
    """Why the item of section `item_section` (None: no such position) cannot be reached."""
    if item_section is None:
        return errors.ItemNotFound
    if facts.sequential and item_section != facts.current_section:
        return errors.SectionLocked
    return None


def answer_refusal(
    option_id: str | None, option_order: tuple[str, ...] | list[str], seq: int, now: datetime
) -> Refusal | None:
    """Why an answer's content is refused: an option of another item, or a sequence number
    from the future (it would freeze the answer against every later save)."""
    if option_id is not None and option_id not in option_order:
        return errors.InvalidOption
    if seq > seq_base(now) + SEQ_SPAN:
        return errors.InvalidSequence
    return None


def ordinary(
    facts: AttemptFacts,
    now: datetime,
    grace: timedelta,
    purpose: Purpose,
    item_section: int | None | Literal[False] = False,
) -> bool:
    """Nothing to close and nothing to refuse: the case a fast path may answer alone
    (`item_section` False: no item involved)."""
    if run_out(facts, now, grace) is not None or refusal(facts, now, purpose) is not None:
        return False
    return item_section is False or item_refusal(facts, item_section) is None


def seq_base(now: datetime) -> int:
    """Sequence numbers a page starts counting from: later pages always start higher, so a
    stale tab or a late retry can never overwrite a newer answer."""
    return int(now.timestamp() * 1000) * 1000


def seen_due(last_seen: datetime | None, now: datetime) -> bool:
    """Whether a call at `now` refreshes the board's last-seen. Every call of the page counts
    (an answering page sends no heartbeats), refused ones too: the page is there."""
    return last_seen is None or now - last_seen >= LAST_SEEN_EVERY


class StoredAnswer(Protocol):
    option_id: str | None
    flagged: bool
    seq: int


def newer(stored: StoredAnswer | None, seq: int) -> bool:
    """A save applies unless an equal or newer one (by `seq`) is stored: retries and
    reordered saves are harmless."""
    return stored is None or stored.seq < seq


def answered_change(before: str | None, after: str | None) -> int:
    """How an accepted save changes the attempt's count of items answered (an option chosen):
    +1 for a first choice, -1 for a choice taken back, 0 otherwise."""
    return int(after is not None) - int(before is not None)


@dataclass(frozen=True)
class Answering:
    """A save as the page sends it: `shown` says the page shows this item now."""

    position: int
    option_id: str | None
    flagged: bool
    seq: int
    shown: bool = False


@dataclass(frozen=True)
class WindowLeaves:
    """The page left the exam window `count` times and stayed away `seconds` since its last
    report: it says so with its next save or heartbeat, not with calls of its own."""

    count: int
    seconds: int


@dataclass(frozen=True)
class AnswerChange:
    """One accepted save: the journal row it adds and the answer's new values, for the ORM
    path and the Core path alike."""

    attempt_id: Any
    position: int
    option_id: str | None
    flagged: bool
    seq: int
    at: datetime
    login_id: Any

    def journal(self, before: StoredAnswer | None) -> dict[str, Any]:
        """AnswerJournal's columns (but its id), given the answer stored before, if any."""
        return {
            "attempt_id": self.attempt_id,
            "position": self.position,
            "old_option_id": before.option_id if before else None,
            "new_option_id": self.option_id,
            "old_flagged": before.flagged if before else None,
            "new_flagged": self.flagged,
            "seq": self.seq,
            "recorded_at": self.at,
            "login_id": self.login_id,
        }

    def chained(self, journal_id: Any, head: str, rows: int) -> dict[str, Any]:
        """The journal row's place and hash after the attempt's `rows` rows ending in `head`,
        and the attempt's new head and count (delivery/chain.py; the old values are not
        hashed, so the fast path need not know them before its one statement)."""
        return chain.link(head, rows, {"id": journal_id, **self.journal(None)})
