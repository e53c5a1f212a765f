"""Indonesian time zones: times are stored in UTC and shown in the room's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def to_local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def format_local(moment: datetime, zone: str, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """'2026-12-01 08:00 WITA' — the form a room's staff read."""
    return f"{to_local(moment, zone).strftime(pattern)} {ABBREVIATIONS.get(zone, zone)}"
