"""Proctor console (`/pengawas/…`): thin routes over proctoring.service.

Only an admin or a proctor assigned to the exam session may see or act on it; every POST
carries a CSRF token and, for actions on the clock or a login, a reason.
"""

import uuid
from collections.abc import Callable
from datetime import datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Cookie, Depends, Form, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from app.accounts.deps import Forbidden, StaffDep, current_staff
from app.accounts.service import Staff
from app.exams.models import Event, ExamSession, Participant
from app.i18n import N_, current_locale, gettext
from app.kit import clock
from app.kit.streaming import csv_chunks
from app.kit.timezones import format_local
from app.proctoring import repository, reset_requests, service
from app.proctoring.access import may_manage, may_watch
from app.proctoring.board import SessionRef, build_board
from app.proctoring.models import INCIDENT_CATEGORIES
from app.proctoring.report import session_report
from app.readiness import views as readiness_views
from app.web.csrf import verify_csrf
from app.web.deps import DB, in_transaction
from app.web.flash import redirect_with
from app.web.inputs import optional_time, optional_uuid
from app.web.pages import render
from app.web.routing import DomainRouter

router = DomainRouter(prefix="/pengawas", include_in_schema=False)
CsrfChecked = Depends(verify_csrf)
Reason = Annotated[str, Form()]


def managed_session(session_id: uuid.UUID, staff: StaffDep, db: DB) -> ExamSession:
    exam_session = db.get(ExamSession, session_id)
    if exam_session is None:
        raise Forbidden()
    role = staff.user.role
    assigned = role == "proctor" and repository.is_assigned(db, staff.user.id, session_id)
    if may_manage(role, assigned):
        return exam_session
    raise Forbidden()


SessionDep = Annotated[ExamSession, Depends(managed_session)]


def back(
    exam_session: ExamSession, outcome_or_error: str, error: bool = False, page: str = ""
) -> Response:
    return redirect_with(f"/pengawas/sesi/{exam_session.id}{page}", outcome_or_error, error)


def act(
    exam_session: ExamSession,
    action: "Callable[[], service.Outcome | BulkDone]",
    page: str = "",
) -> Response:
    """Run an action and come back with its outcome, or with why it was refused."""
    try:
        outcome = action()
    except service.ActionRefused as exc:
        return back(exam_session, exc.message, error=True, page=page)
    return back(exam_session, outcome.message, page=page)


def _since(value: str | None, zone: str) -> datetime | None:
    """A local HH:MM today (the room's zone) → aware UTC, for backdated pauses."""
    if not value:
        return None
    local_now = clock.now().astimezone(ZoneInfo(zone))
    try:
        hours, minutes = (int(x) for x in value.split(":")[:2])
        moment = datetime.combine(local_now.date(), time(hours, minutes), tzinfo=ZoneInfo(zone))
    except ValueError:
        raise service.ActionRefused(N_("The outage start must be written HH:MM")) from None
    return moment.astimezone(ZoneInfo("UTC"))


# --- pages ----------------------------------------------------------------------------------


@router.get("/sesi/{session_id}")
def session_page(
    request: Request,
    exam_session: SessionDep,
    staff: StaffDep,
    db: DB,
) -> Response:
    event = db.get(Event, exam_session.event_id)
    board = build_board(db, exam_session.id)
    context = {
        "exam_session": exam_session,
        "event": event,
        "token": service.current_token(db, exam_session),
        "board": board,
        "proctors": repository.proctors_of(db, exam_session.id),
        "starts": format_local(exam_session.starts_at, exam_session.time_zone),
        "categories": INCIDENT_CATEGORIES,
        # the time input's max: HH:MM only (with the zone's name it was no value at all)
        "local_now": clock.now().astimezone(ZoneInfo(exam_session.time_zone)).strftime("%H:%M"),
        "broadcast_minutes": service.BROADCAST_MINUTES,
        "max_broadcast_minutes": service.MAX_BROADCAST_MINUTES,
        "pc_checks": readiness_views.room_checks(db, exam_session),
        "check_rules": readiness_views.check_rules(),
    }
    return render(request, "proctoring/session.html", context)


@router.get("/sesi/{session_id}/papan")
async def board_poll(
    request: Request,
    session_id: uuid.UUID,
    since: str | None = None,
    proasn_staff: Annotated[str | None, Cookie()] = None,
) -> Response:
    """Only the rows changed since the last poll, plus the totals (htmx out-of-band swaps).

    Every open board polls every few seconds, so the same checks as `SessionDep` run with
    the board in one worker thread (`in_transaction`) instead of one thread hop each, and
    first as one statement (`access.may_watch`); only when that cannot say yes do they load
    the staff member and the session (to refuse, or to write the login's last-seen time)."""
    after = optional_time(since or "", "since")

    def work(db: Session) -> Response:
        if not may_watch(db, proasn_staff, session_id):
            managed_session(session_id, current_staff(request, db, proasn_staff), db)
        board = build_board(db, session_id, after)
        context = {"exam_session": SessionRef(session_id), "board": board}
        return render(request, "proctoring/_board_poll.html", context)

    return await in_transaction(request, work)


@router.get("/sesi/{session_id}/token")
def token_screen(request: Request, exam_session: SessionDep, db: DB) -> Response:
    context = {"exam_session": exam_session, "token": service.current_token(db, exam_session)}
    return render(request, "proctoring/token.html", context, layout="layout_bare.html")


@router.get("/sesi/{session_id}/peserta/{participant_id}")
def seat_page(
    request: Request,
    exam_session: SessionDep,
    participant_id: uuid.UUID,
    db: DB,
) -> Response:
    participant = service.participant_or_refuse(db, exam_session, participant_id)
    rows = [r for r in build_board(db, exam_session.id).rows if r.participant_id == participant.id]
    event = db.get(Event, exam_session.event_id)
    context = {"exam_session": exam_session, "row": rows[0], "login_pin": event and event.login_pin}
    return render(request, "proctoring/seat.html", context)


@router.get("/sesi/{session_id}/daftar-hadir")
def attendance_list(request: Request, exam_session: SessionDep, db: DB) -> Response:
    board = build_board(db, exam_session.id)
    context = {
        "exam_session": exam_session,
        "event": db.get(Event, exam_session.event_id),
        "starts": format_local(exam_session.starts_at, exam_session.time_zone),
        "rows": board.rows,
        "attendance": board.attendance,
    }
    return render(request, "proctoring/attendance.html", context, layout="layout_print.html")


@router.post("/sesi/{session_id}/kartu", dependencies=[CsrfChecked])
def participant_cards(
    request: Request, exam_session: SessionDep, staff: StaffDep, db: DB
) -> Response:
    issued = service.issue_cards(db, staff.actor, exam_session)
    rows = {r.participant_id: r for r in build_board(db, exam_session.id).rows}
    context = {
        "exam_session": exam_session,
        "event": db.get(Event, exam_session.event_id),
        "starts": format_local(exam_session.starts_at, exam_session.time_zone),
        "cards": [(card, rows[card.participant.id].pc_number) for card in issued],
    }
    return render(request, "proctoring/cards.html", context, layout="layout_print.html")


@router.post("/sesi/{session_id}/peserta/{participant_id}/pin", dependencies=[CsrfChecked])
def reissue_pin(
    request: Request,
    exam_session: SessionDep,
    participant_id: uuid.UUID,
    staff: StaffDep,
    db: DB,
    reason: Reason = "",
) -> Response:
    """A new login PIN for one seat, shown once on a page to print or copy onto the card."""
    participant = service.participant_or_refuse(db, exam_session, participant_id)
    try:
        pin = service.reissue_pin(db, staff.actor, exam_session, participant, reason)
    except service.ActionRefused as exc:
        return back(exam_session, exc.message, error=True, page=f"/peserta/{participant.id}")
    context = {
        "exam_session": exam_session,
        "starts": format_local(exam_session.starts_at, exam_session.time_zone),
        "participant": participant,
        "pin": pin,
    }
    return render(request, "proctoring/pin.html", context, layout="layout_print.html")


@router.get("/sesi/{session_id}/berita-acara")
def report_page(request: Request, exam_session: SessionDep, db: DB) -> Response:
    report = session_report(db, exam_session)
    return render(request, "proctoring/report.html", {"report": report}, layout="layout_print.html")


@router.get("/sesi/{session_id}/berita-acara.csv")
def report_csv(exam_session: SessionDep, db: DB) -> Response:
    report = session_report(db, exam_session)
    header = ["bagian", "waktu", "peserta", "nip", "kejadian", "rincian", "alasan", "oleh"]
    name = f"berita-acara-{exam_session.code}.csv"
    return StreamingResponse(
        csv_chunks(header, report.csv_rows()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- session-wide actions -------------------------------------------------------------------


@router.post("/sesi/{session_id}/buka", dependencies=[CsrfChecked])
def open_session(exam_session: SessionDep, staff: StaffDep, db: DB) -> Response:
    return act(exam_session, lambda: service.open_session(db, staff.actor, exam_session))


@router.post("/sesi/{session_id}/tutup", dependencies=[CsrfChecked])
def close_session(
    exam_session: SessionDep,
    staff: StaffDep,
    db: DB,
    reason: Reason = "",
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    def action() -> service.Outcome:
        if not confirm:  # a closed session cannot be opened again
            raise service.ActionRefused(N_("Tick the confirmation to close the session"))
        return service.close_session(db, staff.actor, exam_session, reason)

    return act(exam_session, action)


@router.post("/sesi/{session_id}/token/rotasi", dependencies=[CsrfChecked])
def rotate_token(exam_session: SessionDep, staff: StaffDep, db: DB) -> Response:
    return act(exam_session, lambda: service.rotate_token(db, staff.actor, exam_session))


@router.post("/sesi/{session_id}/token/otomatis", dependencies=[CsrfChecked])
def token_rotation(
    exam_session: SessionDep, staff: StaffDep, db: DB, minutes: Annotated[int, Form()] = 0
) -> Response:
    value = minutes or None
    return act(exam_session, lambda: service.set_rotation(db, staff.actor, exam_session, value))


@router.post("/sesi/{session_id}/jeda", dependencies=[CsrfChecked])
def pause_room(
    exam_session: SessionDep,
    staff: StaffDep,
    db: DB,
    reason: Reason = "",
    since: Annotated[str, Form()] = "",
) -> Response:
    return act(
        exam_session,
        lambda: service.pause_room(
            db, staff.actor, exam_session, reason, _since(since, exam_session.time_zone)
        ),
    )


@router.post("/sesi/{session_id}/lanjut", dependencies=[CsrfChecked])
def resume_room(exam_session: SessionDep, staff: StaffDep, db: DB, reason: Reason = "") -> Response:
    return act(exam_session, lambda: service.resume_room(db, staff.actor, exam_session, reason))


@router.post("/sesi/{session_id}/pesan", dependencies=[CsrfChecked])
def broadcast(
    exam_session: SessionDep,
    staff: StaffDep,
    db: DB,
    message: Annotated[str, Form()] = "",
    minutes: Annotated[int, Form()] = service.BROADCAST_MINUTES,
) -> Response:
    return act(
        exam_session,
        lambda: service.broadcast(db, staff.actor, exam_session, message, minutes),
    )


@router.post("/sesi/{session_id}/kejadian", dependencies=[CsrfChecked])
def incident(
    exam_session: SessionDep,
    staff: StaffDep,
    db: DB,
    kind: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    participant_id: Annotated[str, Form()] = "",
) -> Response:
    category, _, subcategory = kind.partition(":")
    seat = optional_uuid(participant_id, "participant_id")
    participant = service.participant_or_refuse(db, exam_session, seat) if seat else None
    return act(
        exam_session,
        lambda: service.add_incident(
            db, staff.actor, exam_session, category, subcategory, note, participant
        ),
    )


@router.post("/sesi/{session_id}/massal", dependencies=[CsrfChecked])
def bulk_action(
    exam_session: SessionDep,
    staff: StaffDep,
    db: DB,
    participant_id: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI reads it)
    action: Annotated[str, Form()] = "",
    reason: Reason = "",
    confirm: Annotated[bool, Form()] = False,
    minutes: Annotated[str, Form()] = "",  # for "extra_time"; left empty for the others
) -> Response:
    """Admit, pause, resume, give extra time to, reset the login of, or end several seats at
    once, with one reason."""

    def run() -> BulkDone:
        seats = [optional_uuid(value, "participant_id") for value in participant_id]
        people = [service.participant_or_refuse(db, exam_session, s) for s in seats if s]
        extra = int(minutes) if minutes.strip().isdigit() else 0  # 0 is refused for extra time
        outcome = service.bulk_action(
            db, staff.actor, exam_session, people, action, reason, confirm, extra
        )
        if outcome.refused and not outcome.changed:
            raise BulkRefused(outcome)
        return BulkDone(outcome)

    return act(exam_session, run)


_BULK_DONE = {
    "admit": N_("Admitted: %(n)s"),
    "pause": N_("Paused: %(n)s"),
    "resume": N_("Resumed: %(n)s"),
    "extra_time": N_("%(minutes)s minutes added for: %(n)s"),
    "reset_login": N_("Logins freed: %(n)s"),
    "end": N_("Tests ended and submitted: %(n)s"),
}


def _bulk_message(outcome: service.BulkOutcome, locale: str) -> str:
    """What a bulk action did, in the page's language, naming the action and every refusal."""
    done = {"n": len(outcome.changed), "minutes": outcome.minutes}
    parts = [gettext(_BULK_DONE[outcome.action], locale) % done]
    if outcome.unchanged:
        parts.append(gettext(N_("unchanged: %(n)s"), locale) % {"n": len(outcome.unchanged)})
    if outcome.refused:
        why = "; ".join(f"{who} — {refusal.message_in(locale)}" for who, refusal in outcome.refused)
        refused = gettext(N_("refused: %(n)s (%(why)s)"), locale)
        parts.append(refused % {"n": len(outcome.refused), "why": why})
    return "; ".join(parts)


class BulkDone:
    """A bulk action's outcome as `act` shows it."""

    def __init__(self, outcome: service.BulkOutcome) -> None:
        self.outcome, self.changed = outcome, bool(outcome.changed)

    @property
    def message(self) -> str:
        return _bulk_message(self.outcome, current_locale.get())


class BulkRefused(service.ActionRefused):
    """Every chosen seat refused the action: said as a refusal, naming each seat's reason."""

    def __init__(self, outcome: service.BulkOutcome) -> None:
        super().__init__()
        self.outcome = outcome

    def message_in(self, locale: str) -> str:
        return _bulk_message(self.outcome, locale)


# --- seat actions ---------------------------------------------------------------------------


def _seat_action(
    exam_session: ExamSession,
    db: Session,
    participant_id: uuid.UUID,
    staff: Staff,
    action: Callable[[Participant], service.Outcome],
) -> Response:
    participant = service.participant_or_refuse(db, exam_session, participant_id)
    page = f"/peserta/{participant.id}"
    return act(exam_session, lambda: action(participant), page=page)


@router.post("/sesi/{session_id}/peserta/{participant_id}/hadir", dependencies=[CsrfChecked])
def check_in(
    exam_session: SessionDep,
    participant_id: uuid.UUID,
    staff: StaffDep,
    db: DB,
    attendance: Annotated[str, Form()] = "unknown",
    id_checked: Annotated[bool, Form()] = False,
    pc_number: Annotated[str, Form()] = "",
    version: Annotated[int, Form()] = 0,
) -> Response:
    return _seat_action(
        exam_session,
        db,
        participant_id,
        staff,
        lambda p: service.check_in(
            db, staff.actor, exam_session, p, attendance, id_checked, pc_number, version
        ),
    )


@router.post("/sesi/{session_id}/peserta/{participant_id}/izinkan", dependencies=[CsrfChecked])
def admit(exam_session: SessionDep, participant_id: uuid.UUID, staff: StaffDep, db: DB) -> Response:
    return _seat_action(
        exam_session,
        db,
        participant_id,
        staff,
        lambda p: service.admit(db, staff.actor, exam_session, p),
    )


@router.post("/sesi/{session_id}/peserta/{participant_id}/jeda", dependencies=[CsrfChecked])
def pause_seat(
    exam_session: SessionDep,
    participant_id: uuid.UUID,
    staff: StaffDep,
    db: DB,
    reason: Reason = "",
) -> Response:
    return _seat_action(
        exam_session,
        db,
        participant_id,
        staff,
        lambda p: service.pause_seat(db, staff.actor, exam_session, p, reason),
    )


@router.post("/sesi/{session_id}/peserta/{participant_id}/lanjut", dependencies=[CsrfChecked])
def resume_seat(
    exam_session: SessionDep,
    participant_id: uuid.UUID,
    staff: StaffDep,
    db: DB,
    reason: Reason = "",
) -> Response:
    return _seat_action(
        exam_session,
        db,
        participant_id,
        staff,
        lambda p: service.resume_seat(db, staff.actor, exam_session, p, reason),
    )


@router.post("/sesi/{session_id}/peserta/{participant_id}/tambah-waktu", dependencies=[CsrfChecked])
def extra_time(
    exam_session: SessionDep,
    participant_id: uuid.UUID,
    staff: StaffDep,
    db: DB,
    minutes: Annotated[int, Form()] = 0,
    reason: Reason = "",
    deadline: Annotated[str, Form()] = "",
) -> Response:
    return _seat_action(
        exam_session,
        db,
        participant_id,
        staff,
        lambda p: service.add_extra_time(
            db, staff.actor, exam_session, p, minutes, reason, deadline or None
        ),
    )


@router.post("/sesi/{session_id}/peserta/{participant_id}/reset-login", dependencies=[CsrfChecked])
def reset_login(
    exam_session: SessionDep,
    participant_id: uuid.UUID,
    staff: StaffDep,
    db: DB,
    reason: Reason = "",
    pc_number: Annotated[str, Form()] = "",
) -> Response:
    return _seat_action(
        exam_session,
        db,
        participant_id,
        staff,
        lambda p: service.reset_login(db, staff.actor, exam_session, p, reason, pc_number or None),
    )


@router.post("/sesi/{session_id}/peserta/{participant_id}/akhiri", dependencies=[CsrfChecked])
def end_attempt(
    exam_session: SessionDep,
    participant_id: uuid.UUID,
    staff: StaffDep,
    db: DB,
    reason: Reason = "",
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    def action(participant: Participant) -> service.Outcome:
        if not confirm:
            raise service.ActionRefused(N_("Tick the confirmation to end the taker's test"))
        return service.end_attempt(db, staff.actor, exam_session, participant, reason)

    return _seat_action(exam_session, db, participant_id, staff, action)


# --- a taker's login reset request (proctoring.reset_requests) ------------------------------


@router.post("/sesi/{session_id}/permintaan-reset/{request_id}/setujui", dependencies=[CsrfChecked])
def approve_reset_request(
    exam_session: SessionDep, request_id: uuid.UUID, staff: StaffDep, db: DB
) -> Response:
    """One click on the board: the seat's login reset, audited with the request."""
    return act(
        exam_session, lambda: reset_requests.approve(db, staff.actor, exam_session, request_id)
    )


@router.post("/sesi/{session_id}/permintaan-reset/{request_id}/tolak", dependencies=[CsrfChecked])
def reject_reset_request(
    exam_session: SessionDep, request_id: uuid.UUID, staff: StaffDep, db: DB
) -> Response:
    return act(
        exam_session, lambda: reset_requests.reject(db, staff.actor, exam_session, request_id)
    )
