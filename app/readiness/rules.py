"""The pass rules of a PC's readiness check, as plain functions of what the page measured.

The page (static/js/check.js) measures and shows; the server judges here and stores the
verdicts, and the page then shows the server's verdicts, so there is one set of rules. The
thresholds are also handed to the page (data attributes) to show each rule before a report.
A required check decides whether the PC passed; an informative one is only shown (the PC's
clock and zone: the test runs on the server's clock and shows times in the room's zone).
"""

from dataclasses import dataclass
from datetime import datetime
from statistics import median
from zoneinfo import ZoneInfo

from app.i18n import N_
from app.kit.timezones import ABBREVIATIONS

MIN_SCREEN = (1024, 768)  # the taker pages are laid out for it (the browser tests' viewport)
# A save is one request per answer; a LAN answers in a few ms, a room served over a VPN or
# the internet in tens. Half a second per request is where answering starts to lag.
MAX_LATENCY_MS = 500
LATENCY_SAMPLES = 5

PASS, FAIL, INFO = "pass", "fail", "info"


@dataclass(frozen=True)
class Check:
    code: str
    name: str  # English msgid
    rule: str  # English msgid: when it passes, shown beside it
    required: bool  # counts in the PC's verdict; otherwise only shown


CHECKS = (
    Check(
        "storage",
        N_("Browser storage"),
        N_("localStorage and sessionStorage can be written (answers wait there while offline)"),
        True,
    ),
    Check("fetch", N_("fetch"), N_("The browser has fetch (every answer is sent with it)"), True),
    Check(
        "event_source",
        N_("EventSource"),
        N_("The browser has EventSource (a proctor's pause reaches the page at once)"),
        True,
    ),
    Check(
        "service_worker",
        N_("Service worker"),
        N_(
            "Shown only: the test page keeps itself for a reload while the network is down "
            "only where the browser has service workers (HTTPS, or the server on this PC)"
        ),
        False,
    ),
    Check(
        "screen",
        N_("Screen size"),
        N_("Screen at least %(width)s × %(height)s pixels"),
        True,
    ),
    Check(
        "latency",
        N_("Latency to the server"),
        N_("Median of %(samples)s requests at most %(ms)s ms"),
        True,
    ),
    Check(
        "clock",
        N_("PC clock against the server"),
        N_("Shown only, never used: the test runs on the server's clock"),
        False,
    ),
    Check(
        "time_zone",
        N_("Time zone"),
        N_("Shown only: the pages show times in the room's zone"),
        False,
    ),
    Check(
        "seb",
        N_("Safe Exam Browser"),
        N_("Shown only: whether the PC runs Safe Exam Browser"),
        False,
    ),
)
RULE_PARAMS = {
    "width": MIN_SCREEN[0],
    "height": MIN_SCREEN[1],
    "samples": LATENCY_SAMPLES,
    "ms": MAX_LATENCY_MS,
}


@dataclass(frozen=True)
class Measurements:
    """What the page measured (the page's own numbers: the server cannot see them)."""

    local_storage: bool
    session_storage: bool
    fetch: bool
    event_source: bool
    service_worker: bool
    screen: tuple[int, int]
    viewport: tuple[int, int]
    latencies_ms: tuple[float, ...]
    clock_offset_ms: float | None  # the PC's clock minus the server's
    utc_offset_minutes: int | None  # the PC's zone, east of UTC
    time_zone: str | None  # the PC's zone name, if the browser says


def is_seb(user_agent: str | None, request_hash: str | None) -> bool:
    """Safe Exam Browser adds "SEB" to its user agent and, when so configured, sends the
    X-SafeExamBrowser-RequestHash header."""
    return bool(request_hash) or "SEB" in (user_agent or "")


def _verdict(ok: bool) -> str:
    return PASS if ok else FAIL


def _offset_text(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def judge(
    measured: Measurements, room_zone: str, seb: bool, now: datetime
) -> dict[str, dict[str, str | None]]:
    """Per check: its verdict and the value it was judged on (numbers and units only, the
    same in every language; a yes/no check has no value, its verdict says it)."""
    latency = median(measured.latencies_ms) if measured.latencies_ms else None
    room_offset = ZoneInfo(room_zone).utcoffset(now)
    room_minutes = int(room_offset.total_seconds() // 60) if room_offset is not None else 0
    pc_zone = (
        _offset_text(measured.utc_offset_minutes)
        if measured.utc_offset_minutes is not None
        else "?"
    )
    room_text = f"{_offset_text(room_minutes)} {ABBREVIATIONS.get(room_zone, room_zone)}"
    offset = measured.clock_offset_ms
    return {
        "storage": {
            "verdict": _verdict(measured.local_storage and measured.session_storage),
            "value": None,
        },
        "fetch": {"verdict": _verdict(measured.fetch), "value": None},
        "event_source": {"verdict": _verdict(measured.event_source), "value": None},
        "service_worker": {"verdict": INFO, "value": "yes" if measured.service_worker else "no"},
        "screen": {
            "verdict": _verdict(
                measured.screen[0] >= MIN_SCREEN[0] and measured.screen[1] >= MIN_SCREEN[1]
            ),
            "value": "{}×{} ({}×{})".format(*measured.screen, *measured.viewport),
        },
        "latency": {
            "verdict": _verdict(
                latency is not None
                and len(measured.latencies_ms) >= LATENCY_SAMPLES
                and latency <= MAX_LATENCY_MS
            ),
            "value": f"{round(latency)} ms" if latency is not None else None,
        },
        "clock": {
            "verdict": INFO,
            "value": f"{offset / 1000:+.0f} s" if offset is not None else None,
        },
        "time_zone": {
            "verdict": INFO,
            "value": f"PC {pc_zone} · {room_text}",
        },
        "seb": {"verdict": INFO, "value": "yes" if seb else "no"},
    }


def passed(results: dict[str, dict[str, str | None]]) -> bool:
    """A PC passes when every required check does."""
    return all(results.get(c.code, {}).get("verdict") == PASS for c in CHECKS if c.required)
