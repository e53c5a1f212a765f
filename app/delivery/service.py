"""Test delivery: login, start, items, autosaved answers, the server clock, submission.

The JSON API and the HTML pages both call these functions. Every call first brings the
attempt's clock up to date (`_refresh_clock`), so an expired section or test is closed before
anything else happens; the sweeper does the same for attempts nobody is looking at.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.bank.models import ItemVersion
from app.config import get_settings
from app.delivery import adaptive, core, errors, plans, repository
from app.delivery.core import SEQ_SPAN, AnswerChange, AttemptFacts, seen_due
from app.delivery.models import Answer, AnswerJournal, Attempt, AttemptSection, TakerLogin
from app.delivery.plans import SectionPlan
from app.delivery.scoring import prefetch as prefetch_scoring
from app.delivery.scoring import score_attempt
from app.delivery.selectors import AdaptiveSelector, FixedFormSelector, ItemRef, selector_for
from app.exams.models import Event, Form, Participant
from app.kit import clock, seb
from app.kit.ids import new_id
from app.kit.nip import InvalidNIP, normalise_nip
from app.kit.secrets_gen import token_digest, verify_pin
from app.throttle import service as throttle


@dataclass(frozen=True)
class Taker:
    """The authenticated participant behind a request."""

    login: TakerLogin
    participant: Participant


@dataclass(frozen=True)
class SaveResult:
    answer: Answer
    applied: bool  # False: an equal or newer write was already stored (retry / reordering)
    # A save in an adaptive section: the position the page shows next (the next item, or
    # after the section closed the item to resume on), and whether the section closed.
    next_position: int | None = None
    section_closed: bool = False
    # The section was the test's last: the attempt is submitted, nothing more to show.
    submitted: bool = False


def answer_grace() -> timedelta:
    return timedelta(seconds=get_settings().answer_grace_seconds)


__all__ = ["SEQ_SPAN", "AnswerChange", "seen_due"]  # re-exported: the rules live in core


def seq_base() -> int:
    """core.seq_base on the server's clock."""
    return core.seq_base(clock.now())


# --- login --------------------------------------------------------------------------------


def login(
    db: Session,
    nip: str,
    room_token: str,
    cookie_token: str | None,
    user_agent: str | None = None,
    address: str | None = None,
    pin: str | None = None,
) -> tuple[Taker, str | None]:
    """Log in with NIP and room token (and the personal PIN when the event asks for one);
    returns the taker and a new cookie token (or None when this browser's existing login is
    reused). Wrong tries are limited per NIP and per address (app/throttle): a room token is
    short, and guessing one cost nothing; a wrong PIN counts as a wrong try."""
    participant, active, keyed, tried = check_credentials(db, nip, room_token, address)
    event = repository.event_of(db, participant)
    # Only once NIP and token are right: neither refusal tells a guesser more than a login.
    require_exam_browser(event.safe_exam_browser)
    if event.login_pin:
        if not (pin or "").strip():
            raise errors.PinRequired()
        if not verify_pin(participant.login_pin_hash, pin or ""):
            throttle.failed(db, "taker", keyed, tried)
            raise errors.InvalidPin()
    if active is not None:
        if cookie_token and active.token_hash == token_digest(cookie_token):
            return Taker(active, participant), None
        raise errors.LoginInUse()
    raw = secrets.token_urlsafe(32)
    new_login = repository.add_login_if_none_active(
        db,
        participant_id=participant.id,
        needs_admission=event.require_admission,
        token_hash=token_digest(raw),
        created_at=clock.now(),
        user_agent=(user_agent or "")[:400] or None,
        client_address=address,
    )
    if new_login is None:  # another browser won the same instant
        raise errors.LoginInUse()
    throttle.succeeded(db, "taker", keyed, "nip", tried)
    return Taker(new_login, participant), raw


def check_credentials(
    db: Session, nip: str, room_token: str, address: str | None
) -> tuple[Participant, TakerLogin | None, dict[str, str], dict[str, int]]:
    """The participant with this NIP and room token, and their live login if any; refuses
    as a wrong login (counted against the NIP and the address) when there is none. Also
    returns the throttle's keys and counts, for `throttle.succeeded` on a success."""
    try:
        digits = normalise_nip(nip)
    except InvalidNIP:
        digits = None
    keyed = throttle.keys("taker", nip=digits or nip.strip()[:40], address=address)
    try:
        tried = throttle.check(db, "taker", keyed, serialize="nip")
    except throttle.Throttled as exc:
        raise errors.TooManyTries(retry_after=exc.retry_after) from None
    token = "".join(room_token.split()).upper()
    now = clock.now()
    found = repository.participant_in_open_session(db, digits, token, now) if digits else None
    if found is None:
        throttle.failed(db, "taker", keyed, tried)
        raise errors.InvalidLogin()
    return found[0], found[1], keyed, tried


def require_exam_browser(settings: dict[str, Any] | None) -> None:
    """An event that requires Safe Exam Browser (`settings`: its config keys) refuses the
    taker request being served unless it carries a valid Config Key hash (app/kit/seb.py)."""
    if not seb.allows(settings):
        raise errors.ExamBrowserRequired()


def authenticate(db: Session, cookie_token: str | None, with_context: bool = False) -> Taker:
    """The taker of this cookie; `with_context` also reads (in the same query) what a start
    or the state needs: session, agency, event and form. Refused without Safe Exam Browser
    when the event requires it."""
    if not cookie_token:
        raise errors.NotLoggedIn()
    find = repository.taker_in_context if with_context else repository.taker_by_token_hash
    found = find(db, token_digest(cookie_token))
    if found is None:
        raise errors.NotLoggedIn()
    login, participant, exam_browser = found
    require_exam_browser(exam_browser)
    return Taker(login, participant)


def end_finished_logins(db: Session) -> int:
    """Logins whose test was submitted over `taker_login_after_submit_minutes` ago end (the
    finished page stays reachable that long; a cookie left on an exam-room PC does not
    answer for days). The sweeper calls it every minute."""
    now = clock.now()
    keep = timedelta(minutes=get_settings().taker_login_after_submit_minutes)
    return repository.end_logins_after_submission(db, now - keep, now)


def record_window_leaves(
    db: Session, attempt_id: uuid.UUID, left: core.WindowLeaves | None
) -> None:
    """Add what the page reported of leaving the exam window to the attempt's counts (for
    the proctor board); one UPDATE, only when there is something to add."""
    if left is not None and (left.count or left.seconds):
        repository.add_window_leaves(db, attempt_id, left.count, left.seconds, clock.now())


def logout(db: Session, taker: Taker) -> None:
    """Ends this login, so the participant may log in again (from this or another PC)."""
    taker.login.revoked_at = clock.now()
    taker.login.revoked_reason = "logout"
    db.flush()


# --- start and clock ----------------------------------------------------------------------


def blueprint_sections(db: Session, event: Event) -> list[SectionPlan]:
    """The event's sections (plans.sections_of: kept per worker under the blueprint's hash)."""
    return plans.sections_of(db, event.id, event.blueprint_hash)


def _event_and_limits(db: Session, participant: Participant) -> tuple[Event, list[SectionPlan]]:
    event = repository.event_of(db, participant)
    return event, blueprint_sections(db, event)


def _awaiting(login: TakerLogin) -> bool:
    return login.needs_admission and login.admitted_at is None


def check_admitted(taker: Taker) -> None:
    if _awaiting(taker.login):
        raise errors.AwaitingAdmission()


def start(db: Session, taker: Taker) -> Attempt:
    """Start the attempt (idempotent: a started attempt is returned as it is)."""
    check_admitted(taker)
    attempt = repository.attempt_of(db, taker.participant.id)
    if attempt is not None:
        _refresh_clock(db, attempt)
        return attempt
    exam_session, _ = repository.identity(db, taker.participant)
    form = repository.form_for(db, taker.participant)
    refused = core.start_refusal(
        core.StartFacts(_awaiting(taker.login), exam_session.status == "open", form is not None)
    )
    if refused is not None:
        raise refused()
    assert form is not None
    event, sections = _event_and_limits(db, taker.participant)
    extra = taker.participant.extra_time_percent
    now = clock.now()
    adaptive_event = any(s.adaptive for s in sections)
    attempt = Attempt(
        participant_id=taker.participant.id,
        form_id=form.id,
        selector=AdaptiveSelector.name if adaptive_event else FixedFormSelector.name,
        status="in_progress",
        started_at=now,
        deadline_at=core.test_deadline(event.total_time_minutes, extra, now),
        current_position=1,
        current_section=sections[0].position,
        last_seen_at=now,
    )
    db.add(attempt)
    db.flush()
    if plans.in_order(sections):
        _open_section(db, attempt, event, sections[0], now, extra)
    else:
        db.info.setdefault("attempt_sections", {})[attempt.id] = {}  # none: nothing to read
    return attempt


def attempt_sections(db: Session, attempt: Attempt) -> dict[int, AttemptSection]:
    """The attempt's timed sections, read once per database session: an answer save and a
    heartbeat need them several times (clock, reachability, remaining time)."""
    cache: dict[uuid.UUID, dict[int, AttemptSection]]
    cache = db.info.setdefault("attempt_sections", {})
    if attempt.id not in cache:
        cache[attempt.id] = repository.sections_of(db, attempt.id)
    return cache[attempt.id]


def _open_section(
    db: Session,
    attempt: Attempt,
    event: Event,
    section: SectionPlan,
    at: datetime,
    extra_time_percent: int,
) -> None:
    limit = section.time_limit_minutes
    db.add(
        AttemptSection(
            attempt_id=attempt.id,
            section_position=section.position,
            started_at=at,
            deadline_at=core.opened_section_deadline(
                limit, extra_time_percent, at, attempt.deadline_at
            ),
        )
    )
    attempt.current_section = section.position
    db.flush()
    db.info.get("attempt_sections", {}).pop(attempt.id, None)  # a section was added
    if section.adaptive:  # its first item, chosen now
        first = adaptive.open_section(db, attempt, event, section, at)
        attempt.current_position = first if first is not None else section.first_position


def refresh_clock(db: Session, attempt: Attempt) -> None:
    """Bring an attempt's clock up to date (closing what has run out): for the proctor
    console before acting, and for the finished page the page at zero goes to."""
    _refresh_clock(db, attempt)


def facts_of(db: Session, attempt: Attempt, login: TakerLogin | None = None) -> AttemptFacts:
    """The attempt (and the asking login) as core's rules see it."""
    sections = attempt_sections(db, attempt)
    current = sections.get(attempt.current_section)
    return AttemptFacts(
        status=attempt.status,
        submitted_by=attempt.submitted_by,
        deadline_at=attempt.deadline_at,
        paused_at=attempt.paused_at,
        current_section=attempt.current_section,
        section_deadline_at=current.deadline_at if current is not None else None,
        sequential=bool(sections),
        awaiting_admission=login is not None and _awaiting(login),
    )


def remaining(db: Session, attempt: Attempt) -> tuple[int, int | None]:
    """(whole test, current section) seconds left on the server's clock."""
    return core.remaining(facts_of(db, attempt), clock.now())


def _refresh_clock(db: Session, attempt: Attempt, wait: bool = True) -> bool:
    """Close what has run out: the whole test, or (in sequential mode) the current section.

    `wait=False`: when another transaction holds the attempt's row (the sweeper closing it,
    a proctor), leave the closing to it and return False at once; the page's frequent calls
    must not hold a worker thread while a room's deadline is being scored (with 700-item
    forms they took every thread for seconds: bench/load, deadline)."""
    now = clock.now()
    grace = answer_grace()
    if core.run_out(facts_of(db, attempt), now, grace) is None:
        return True
    if not wait and not lock_now(db, attempt):
        return False
    if not _still_running_locked(db, attempt):
        return True
    if core.run_out(facts_of(db, attempt), now, grace) == "test":
        _submit(db, attempt, "timer", now)
        return True
    current = attempt_sections(db, attempt).get(attempt.current_section)
    while current is not None and core.past_cutoff(current.deadline_at, now, grace):
        # The next section starts when the previous one ran out, not when someone looks.
        assert current.deadline_at is not None
        current = _advance_section(db, attempt, current, current.deadline_at, "timer")
        if attempt.status != "in_progress":
            return True
    return True


def lock_now(db: Session, attempt: Attempt) -> bool:
    """Take the attempt's row lock if nobody holds it (PostgreSQL's NOWAIT, in a savepoint
    so that a refusal leaves the transaction usable); SQLite has no row locks."""
    if db.get_bind().dialect.name != "postgresql":
        return True
    try:
        with db.begin_nested():
            db.refresh(attempt, with_for_update={"nowait": True})
    except OperationalError:
        return False
    db.info.get("attempt_sections", {}).pop(attempt.id, None)
    return True


def _still_running_locked(db: Session, attempt: Attempt) -> bool:
    """Re-read the attempt under its row lock before closing anything: the sweeper of another
    worker, or another request of the same taker (a heartbeat beside a save), may have closed
    it since it was read, and closing it twice would score it twice."""
    if attempt.id not in db.info.get("locked_attempts", ()):  # (the sweeper's are)
        db.refresh(attempt, with_for_update=True)
        db.info.get("attempt_sections", {}).pop(attempt.id, None)
    return attempt.status == "in_progress" and attempt.paused_at is None


def _advance_section(
    db: Session, attempt: Attempt, current: AttemptSection, at: datetime, by: str
) -> AttemptSection | None:
    current.closed_at = at
    participant = db.get(Participant, attempt.participant_id)
    assert participant is not None
    event, sections = _event_and_limits(db, participant)
    following = [s for s in sections if s.position > current.section_position]
    if not following:
        _submit(db, attempt, by, clock.now())
        return None
    _open_section(db, attempt, event, following[0], at, participant.extra_time_percent)
    if not following[0].adaptive:  # (an adaptive section's first item is chosen on opening)
        attempt.current_position = _first_position(db, attempt, following[0].position)
    return attempt_sections(db, attempt)[following[0].position]


def _first_position(db: Session, attempt: Attempt, section_position: int) -> int:
    refs = selector_for(attempt).all_items(db, attempt)
    return min(r.position for r in refs if r.section_position == section_position)


def in_last_section(db: Session, taker: Taker) -> bool:
    """The taker's attempt is in its event's last section: finishing it submits the test."""
    attempt = repository.attempt_of(db, taker.participant.id)
    if attempt is None:
        return False
    _, sections = _event_and_limits(db, taker.participant)
    return attempt.current_section == sections[-1].position


def finish_section(db: Session, taker: Taker) -> Attempt:
    """The taker closes the current section early and moves on (sequential mode only)."""
    attempt = _attempt_for(db, taker, "answer")
    current = attempt_sections(db, attempt).get(attempt.current_section)
    if current is not None:
        _advance_section(db, attempt, current, clock.now(), "taker")
    return attempt


# --- items and answers --------------------------------------------------------------------


def _attempt_or_raise(db: Session, taker: Taker, lock: bool = False) -> Attempt:
    attempt = repository.attempt_of(db, taker.participant.id, lock=lock)
    if attempt is None:
        raise errors.NotStarted()
    _refresh_clock(db, attempt)
    return attempt


def _attempt_for(db: Session, taker: Taker, purpose: core.Purpose) -> Attempt:
    """The taker's attempt, its clock brought up to date, or core's refusal for `purpose`."""
    check_admitted(taker)
    attempt = _attempt_to_answer(db, taker) if purpose == "answer" else _attempt_or_raise(db, taker)
    refused = core.refusal(facts_of(db, attempt), clock.now(), purpose)
    if refused is not None:
        raise refused()
    return attempt


def _attempt_to_answer(db: Session, taker: Taker) -> Attempt:
    """The attempt under its row lock (a save racing the sweeper's submit on PostgreSQL), its
    clock brought up to date. When another transaction holds the row and the time is up
    (the sweeper scoring the room's deadline), the answer is refused at once, as it would be
    after the wait: waiting saves took every worker thread at a 700-item room's deadline."""
    attempt = repository.attempt_of(db, taker.participant.id, lock=True, skip_locked=True)
    if attempt is None:  # no attempt, or one another transaction holds
        attempt = repository.attempt_of(db, taker.participant.id)
        if attempt is None:
            raise errors.NotStarted()
        if core.run_out(facts_of(db, attempt), clock.now(), answer_grace()) == "test":
            raise errors.DeadlinePassed()
        db.refresh(attempt, with_for_update=True)  # another save of the taker: wait for it
        db.info.get("attempt_sections", {}).pop(attempt.id, None)
    _refresh_clock(db, attempt)
    return attempt


def _reachable_ref(
    db: Session, attempt: Attempt, position: int, answered_too: bool = False
) -> ItemRef:
    """The item at `position` if the taker may reach it now; an adaptive item already
    answered is refused (no going back) unless `answered_too` (a save's retry is answered
    as such before that refusal)."""
    ref = selector_for(attempt).item_at(db, attempt, position)
    refused = core.item_refusal(facts_of(db, attempt), ref.section_position if ref else None)
    if refused is not None:
        raise refused()
    assert ref is not None
    if ref.answered and not answered_too:
        raise errors.ItemNotCurrent()
    return ref


def open_item(
    db: Session, taker: Taker, position: int, remember: bool = True
) -> tuple[Attempt, ItemRef, ItemVersion]:
    """The item at `position` for display; `remember` makes it the item to resume on."""
    attempt = _attempt_for(db, taker, "read")
    mark_seen(attempt)
    ref = _reachable_ref(db, attempt, position)
    version = db.get(ItemVersion, ref.version_id)
    assert version is not None
    if remember and attempt.current_position != position:
        attempt.current_position = position
    return attempt, ref, version


def open_items(
    db: Session, taker: Taker, first: int, last: int
) -> tuple[Attempt, list[tuple[ItemRef, ItemVersion, Answer | None]]]:
    """The reachable items at positions `first`..`last` with their stored answers, for the
    page to keep (a prefetch: the item to resume on stays)."""
    attempt = _attempt_for(db, taker, "read")
    mark_seen(attempt)
    facts = facts_of(db, attempt)
    refs = [
        ref
        for ref in selector_for(attempt).items_between(db, attempt, first, last)
        if core.item_refusal(facts, ref.section_position) is None and not ref.answered
    ]
    versions = repository.versions_by_id(db, {ref.version_id for ref in refs})
    answers = repository.answers_between(db, attempt.id, first, last)
    return attempt, [(r, versions[r.version_id], answers.get(r.position)) for r in refs]


def save_answer(
    db: Session,
    taker: Taker,
    position: int,
    option_id: str | None,
    flagged: bool,
    seq: int,
    shown: bool = False,
) -> tuple[Attempt, SaveResult]:
    """Store an answer unless an equal or newer one (by `seq`) is already stored. `shown`:
    the page shows this item now, so it is the one to resume on."""
    attempt = _attempt_for(db, taker, "answer")
    mark_seen(attempt)
    ref = _reachable_ref(db, attempt, position, answered_too=True)
    refused = core.answer_refusal(option_id, ref.option_order, seq, clock.now())
    if refused is not None:
        raise refused()
    if shown and attempt.current_position != position and not ref.adaptive:
        attempt.current_position = position
    answer = db.get(Answer, (attempt.id, position))
    if not core.newer(answer, seq):
        assert answer is not None
        return attempt, _saved(attempt, ref, answer, applied=False)
    if ref.adaptive and ref.answered:
        raise errors.ItemNotCurrent()
    if ref.adaptive and option_id is None:
        raise errors.AnswerRequired()
    now = clock.now()
    change = AnswerChange(attempt.id, position, option_id, flagged, seq, now, taker.login.id)
    journal_id = new_id()
    linked = change.chained(journal_id, attempt.journal_head, attempt.journal_rows)
    db.add(
        AnswerJournal(
            id=journal_id,
            **change.journal(answer),
            chain_index=linked["chain_index"],
            chain_hash=linked["chain_hash"],
        )
    )
    attempt.journal_head, attempt.journal_rows = linked["journal_head"], linked["journal_rows"]
    before = answer.option_id if answer is not None else None
    attempt.answered_count += core.answered_change(before, option_id)
    attempt.last_answer_at = now
    if answer is None:
        answer = Answer(attempt_id=attempt.id, position=position)
        db.add(answer)
    answer.option_id, answer.flagged, answer.seq, answer.answered_at = option_id, flagged, seq, now
    db.flush()
    if ref.adaptive:
        assert option_id is not None
        _adaptive_step(db, attempt, ref, option_id, now)
    return attempt, _saved(attempt, ref, answer, applied=True)


def _adaptive_step(
    db: Session, attempt: Attempt, ref: ItemRef, option_id: str, now: datetime
) -> None:
    """After an answer in an adaptive section: its next item, or the section closes (as a
    sequential section closed early does) and the next one opens."""
    participant = db.get(Participant, attempt.participant_id)
    assert participant is not None
    event, sections = _event_and_limits(db, participant)
    plan = next(s for s in sections if s.position == ref.section_position)
    done = adaptive.answer(db, attempt, event, plan, ref.position, option_id, now, ref.version_id)
    if done.next_position is not None:
        attempt.current_position = done.next_position
        return
    current = attempt_sections(db, attempt).get(ref.section_position)
    assert current is not None
    _advance_section(db, attempt, current, now, "taker")


def _saved(attempt: Attempt, ref: ItemRef, answer: Answer, applied: bool) -> SaveResult:
    if not ref.adaptive:
        return SaveResult(answer, applied)
    if attempt.status != "in_progress":
        return SaveResult(answer, applied, None, True, submitted=True)
    closed = attempt.current_section != ref.section_position
    return SaveResult(answer, applied, attempt.current_position, closed)


def heartbeat(db: Session, taker: Taker, position: int | None = None) -> Attempt | None:
    """The page is alive (last-seen time for the proctor board); it may also report the item
    it shows, so a page that moved between prefetched items resumes there."""
    attempt = repository.attempt_of(db, taker.participant.id)
    if attempt is None:
        return None
    if not _refresh_clock(db, attempt, wait=False):
        return attempt  # being closed by another: the time is up, nothing to record
    mark_seen(attempt)
    if position is not None and attempt.status == "in_progress":
        ref = selector_for(attempt).item_at(db, attempt, position)
        reachable = core.item_refusal(facts_of(db, attempt), ref.section_position if ref else None)
        if reachable is None and ref is not None and not ref.answered:
            attempt.current_position = position
    return attempt


def mark_seen(attempt: Attempt) -> None:
    """Last-seen for the proctor board, at most every LAST_SEEN_EVERY (core.seen_due)."""
    now = clock.now()
    if seen_due(attempt.last_seen_at, now):
        attempt.last_seen_at = now


# --- submission ---------------------------------------------------------------------------


def submit(db: Session, taker: Taker) -> Attempt:
    """The taker submits; submitting twice is harmless."""
    attempt = _attempt_or_raise(db, taker, lock=True)
    if attempt.status != "submitted":
        if attempt.paused_at is not None:
            raise errors.AttemptPaused()
        _submit(db, attempt, "taker", clock.now())
    return attempt


def force_submit(db: Session, attempt: Attempt, by: str = "proctor") -> None:
    """Submit on someone else's behalf (the proctor ending a seat)."""
    if attempt.status != "submitted":
        attempt.paused_at = None
        _submit(db, attempt, by, clock.now())


def _submit(db: Session, attempt: Attempt, by: str, now: datetime) -> None:
    attempt.status = "submitted"
    attempt.submitted_by = by
    attempt.submitted_at = min(now, attempt.deadline_at) if by == "timer" else now
    for section in attempt_sections(db, attempt).values():
        if section.closed_at is None:
            section.closed_at = attempt.submitted_at
    score_attempt(db, attempt)


def submit_expired(db: Session, limit: int | None = None) -> int:
    """Submit (at most `limit` of) the attempts whose time ran out, with or without a
    browser open; returns how many."""
    cutoff = clock.now() - answer_grace()
    ids = repository.expired_attempt_ids(db, cutoff, limit)  # locked until the commit
    if not ids:
        return 0
    # The batch read together: a room's deadline expires them all at once, and one at a
    # time (attempt, sections, lock, form, keys, answers, scores) is ~9 queries each.
    attempts = repository.attempts_by_id(db, ids)
    sections = repository.sections_of_many(db, ids)
    cache = db.info.setdefault("attempt_sections", {})
    for attempt_id in ids:
        cache[attempt_id] = sections.get(attempt_id, {})
    db.info["locked_attempts"] = set(ids)
    prefetch_scoring(db, attempts)
    try:
        for attempt in attempts:
            _refresh_clock(db, attempt)
        db.flush()  # the batch's updates and scores together
    finally:
        db.info.pop("locked_attempts", None)
        db.info.pop("scoring", None)
    return len(ids)


def next_due(db: Session) -> datetime | None:
    """When the earliest running attempt's time runs out, the answer grace included."""
    deadline = repository.earliest_deadline(db)
    return deadline + answer_grace() if deadline is not None else None


def form_of(db: Session, attempt: Attempt) -> Form:
    form = db.get(Form, attempt.form_id)
    assert form is not None
    return form
