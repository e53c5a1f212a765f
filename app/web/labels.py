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
    # A packaged session's results at the centre (app/sync/views.py).
    "delivery": {
        "complete": N_("complete"),
        "partial": N_("partial"),
        "missing": N_("no results yet"),
    },
    # How a blueprint gives a subtest (scoring runs, the scores export's `<code>_mode`).
    "section_mode": {
        "fixed": N_("fixed"),
        "adaptive": N_("adaptive"),
        "mixed": N_("fixed and adaptive"),
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
    # What someone did with a person's record (the access list of the official's own copy).
    "access": {
        "talentbox.view_person": N_("opened your talent-box card"),
        "talentbox.view_box": N_("listed a talent box you are in"),
        "talentbox.view_group": N_("listed a follow-up group you are in"),
        "talentbox.view_movement": N_("listed a box movement you are in"),
        "talentbox.view_profile": N_("viewed your profile records"),
        "talentbox.export": N_("exported a talent-box run with you in it"),
        "talentbox.recommendation_download": N_("downloaded an agency recommendation with you"),
        "talentbox.recommendation_preview": N_("previewed an agency recommendation with you"),
        "export.scores": N_("exported scores with yours"),
        "privacy.export_person": N_("exported your data on a written request"),
        "privacy.self_export": N_("you downloaded your data"),
        "privacy.research_export": N_("made a pseudonymised research export with you"),
        "privacy.correct_identity": N_("corrected your identity"),
        "privacy.view_registrations": N_("looked up your registrations"),
        "audit.view_person": N_("looked up who saw your record"),
        "selfview.view": N_("you viewed your result"),
        "selfview.login": N_("you logged in to see your result"),
    },
    "identity_field": {  # the fields an identity correction may change
        "name": N_("name"),
        "position": N_("position"),
        "eselon": N_("eselon"),
    },
    "profile": {
        "verified": N_("verified"),
        "unverified": N_("not verified yet"),
        "rejected": N_("rejected"),
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
