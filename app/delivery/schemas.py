"""JSON shapes of the taker API (the contract for browsers, kiosk clients and load tests)."""

from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

# The highest item position anyone may ask for: forms hold ~700 items; a position past the
# database's integer range was a 500 (SQLite: too large to bind; PostgreSQL: out of range).
MAX_POSITION = 10_000
ItemPosition = Annotated[
    int, Path(ge=1, le=MAX_POSITION, description="1-based position in the form")
]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LoginIn(BaseModel):
    nip: str = Field(min_length=1, max_length=40, examples=["19780512 200312 1 001"])
    token: str = Field(min_length=1, max_length=32, description="room token shown by the proctor")
    pin: str | None = Field(
        default=None,
        max_length=20,
        description="the personal PIN on the participant card, when the event asks for one",
    )


class SectionOut(_Out):
    position: int
    title: str
    first_position: int
    last_position: int
    time_limit_minutes: int | None
    instructions: str | None
    state: Literal["open", "closed", "upcoming", "free"]
    adaptive: bool = False


class ScoreOut(_Out):
    subtest: str
    raw: int
    maximum: int
    answered: int


class StateOut(_Out):
    status: Literal["not_started", "in_progress", "paused", "submitted"]
    name: str
    nip: str
    agency: str
    session_code: str
    event_name: str
    remaining_seconds: int | None
    section_remaining_seconds: int | None
    current_position: int
    current_section: int
    total_items: int
    answered: int
    flagged: int
    sections: list[SectionOut]
    seq_base: int = Field(description="start of this page's answer sequence numbers")
    show_results: bool
    scores: list[ScoreOut]


class OptionOut(_Out):
    option_id: str
    label: str
    text: str | None
    figure_url: str | None = None


class ItemOut(BaseModel):
    position: int
    section_position: int
    stem: str
    figure_url: str | None
    options: list[OptionOut]
    option_id: str | None
    flagged: bool
    total_items: int
    remaining_seconds: int | None
    section_remaining_seconds: int | None
    seq_base: int


class LeftWindowIn(BaseModel):
    """The page left the exam window (another window or tab in front) since its last report:
    how often, and for how many whole seconds it stayed away (a leave still under way counts
    once now and its seconds when the page comes back)."""

    count: int = Field(default=0, ge=0, le=1000)
    seconds: int = Field(default=0, ge=0, le=86_400)


LEFT_WINDOW_HELP = "leaving the exam window since the page's last report (only when it did)"


class AnswerIn(BaseModel):
    option_id: str | None = Field(default=None, max_length=1)
    flagged: bool = False
    seq: int = Field(
        ge=0, le=2**62, description="counts up from the page's seq_base; greater than earlier saves"
    )
    shown: bool = Field(
        default=False,
        description="the page shows this item now: it becomes the item to resume on (so the "
        "page need not report its moves between items in calls of their own)",
    )
    left_window: LeftWindowIn | None = Field(default=None, description=LEFT_WINDOW_HELP)


class HeartbeatIn(BaseModel):
    position: int | None = Field(
        default=None, ge=1, le=MAX_POSITION, description="the item the page shows now"
    )
    left_window: LeftWindowIn | None = Field(default=None, description=LEFT_WINDOW_HELP)


class BroadcastOut(BaseModel):
    id: str
    message: str
    sent_at: str = Field(description="when the proctor sent it, in the room's zone: 10:42 WITA")
    expires_in: int = Field(description="seconds it still stands (the proctor chose how long)")


BROADCAST_HELP = (
    "the proctor's latest message to the room that still stands, sent since this attempt began"
)


class AnswerOut(BaseModel):
    position: int
    option_id: str | None
    flagged: bool
    seq: int
    applied: bool = Field(description="false when a newer or equal save was already stored")
    remaining_seconds: int | None
    section_remaining_seconds: int | None
    # A save answers what a heartbeat would, so an answering page needs no heartbeat.
    broadcast: BroadcastOut | None = Field(default=None, description=BROADCAST_HELP)
    next_position: int | None = Field(
        default=None,
        description="a save in an adaptive section: the item chosen next (or, once the "
        "section closed, the item to resume on); null elsewhere",
    )
    section_closed: bool = Field(
        default=False, description="the adaptive section stopped with this answer"
    )
    test_submitted: bool = Field(
        default=False,
        description="the stopped section was the test's last: the test is submitted "
        "(next_position is null)",
    )


class ClockOut(BaseModel):
    status: str
    remaining_seconds: int | None
    section_remaining_seconds: int | None
    current_section: int
    broadcast: BroadcastOut | None = Field(default=None, description=BROADCAST_HELP)


class GridCellOut(BaseModel):
    position: int
    section: int
    state: Literal["answered", "flagged", "empty"]


class ErrorOut(BaseModel):
    code: str = Field(description="stable machine code, e.g. deadline_passed")
    message: str = Field(description="Indonesian message for the taker")
