"""Words for the values stored as codes (roles, statuses, incident categories), so that an
Indonesian page never shows `open`, `proctor` or `environment / power` (issue 22). Templates
write `_(label(kind, value))`: the label is a catalogue message id; an unknown value passes
through as it is."""

from app.i18n import N_

LABELS: dict[str, dict[str, str]] = {
    "role": {
        "admin": N_("administrator"),
        "proctor": N_("proctor"),
        "analyst": N_("analyst"),
        "agency_viewer": N_("agency viewer"),
        "official": N_("the official themself"),
    },
    "session": {
        "planned": N_("planned"),
        "prepared": N_("prepared"),
        "open": N_("open"),
        "closed": N_("closed"),
    },
    "attempt": {
        "not_started": N_("not started"),
        "in_progress": N_("in progress"),
        "paused": N_("paused"),
        "submitted": N_("submitted"),
    },
    "attendance": {
        "unknown": N_("not recorded"),
        "present": N_("present"),
        "late": N_("late"),
        "absent": N_("absent"),
    },
    # Potency levels and the talent box's performance levels (DOMAIN.md's words); the keys
    # are the stored values (a rating also as its words).
    "level": {
        "rendah": N_("low"),
        "menengah": N_("middle"),
        "tinggi": N_("high"),
        "di_bawah": N_("below expectations"),
        "sesuai": N_("in line with expectations"),
        "di_atas": N_("above expectations"),
        "di bawah ekspektasi": N_("below expectations"),
        "sesuai ekspektasi": N_("in line with expectations"),
        "di atas ekspektasi": N_("above expectations"),
    },
    "incident": {
        "environment": N_("environment"),
        "taker": N_("participant"),
        "technical": N_("technical"),
        "other": N_("other"),
        "power": N_("power"),
        "noise": N_("noise"),
        "lighting": N_("lighting"),
        "temperature": N_("temperature"),
        "illness": N_("illness"),
        "late": N_("late arrival"),
        "identity": N_("identity"),
        "behaviour": N_("behaviour"),
        "network": N_("network"),
        "workstation": N_("workstation"),
        "server": N_("server"),
    },
}


def label(kind: str, value: str | None) -> str:
    if value is None:
        return "–"
    return LABELS.get(kind, {}).get(value, value)
