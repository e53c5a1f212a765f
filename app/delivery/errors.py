"""Delivery errors: a stable machine code, an HTTP status and a translatable message."""

from app.i18n import N_
from app.kit.errors import Refusal


class DeliveryError(Refusal):
    status = 400
    code = "delivery_error"
    message_id = N_("The request could not be processed.")

    def __init__(self, detail: str | None = None, retry_after: int | None = None) -> None:
        super().__init__()
        self.detail = detail
        self.retry_after = retry_after  # seconds, sent as Retry-After


def _error(code: str, status: int, message: str) -> type[DeliveryError]:
    return type(code, (DeliveryError,), {"code": code, "status": status, "message_id": message})


InvalidLogin = _error(
    "invalid_login",
    401,
    N_("Wrong NIP or room token, or the exam session is not open yet."),
)
LoginInUse = _error(
    "login_in_use",
    409,
    N_("This participant is already logged in on another computer. Please ask the proctor."),
)
TooManyTries = _error(
    "too_many_attempts",
    429,
    N_("Too many wrong logins. Please wait a moment, check the NIP and the room token."),
)
ExamBrowserRequired = _error(
    "exam_browser_required",
    403,
    N_(
        "This test can only be taken in Safe Exam Browser. Close this browser and start Safe "
        "Exam Browser with the exam's configuration file (.seb), as the proctor shows you."
    ),
)
PinRequired = _error("pin_required", 401, N_("Enter the PIN printed on your participant card."))
InvalidPin = _error(
    "invalid_pin",
    401,
    N_("Wrong PIN. Check the PIN on your participant card, or ask the proctor for a new one."),
)
NotLoggedIn = _error("not_logged_in", 401, N_("Please log in with your NIP and the room token."))
SessionNotOpen = _error("session_not_open", 409, N_("The exam session is not open."))
NotStarted = _error("not_started", 409, N_("The test has not been started yet."))
AttemptSubmitted = _error("attempt_submitted", 409, N_("The test has already been submitted."))
AttemptPaused = _error("attempt_paused", 423, N_("The test is paused by the proctor."))
DeadlinePassed = _error("deadline_passed", 409, N_("Time is up: this answer was not saved."))
ItemNotFound = _error("item_not_found", 404, N_("This item is not part of your test."))
SectionLocked = _error(
    "section_locked", 409, N_("This item belongs to a section that is not open now.")
)
InvalidOption = _error("invalid_option", 422, N_("This option does not belong to this item."))
NoForm = _error(
    "no_form", 409, N_("No test form has been prepared for you. Please ask the proctor.")
)
AwaitingAdmission = _error(
    "awaiting_admission", 409, N_("Please wait: the proctor must admit you before you continue.")
)
InvalidSequence = _error(
    "invalid_sequence", 422, N_("This save carries an invalid sequence number.")
)
InvalidBatch = _error(
    "invalid_batch", 422, N_("Ask for 1 to 25 consecutive items, the first at position 1 or later.")
)
LoginFree = _error(
    "login_free", 409, N_("Your login is free: log in again with your NIP and the room token.")
)
ItemNotCurrent = _error(
    "item_not_current",
    409,
    N_(
        "In this section each item is chosen from your answers: an answered item cannot be "
        "opened or changed again. The current item is shown."
    ),
)
AnswerRequired = _error(
    "answer_required",
    422,
    N_("Choose an answer: in this section the next item is chosen from it."),
)
