"""The talent-box rules as plain functions over the settings (DOMAIN.md tables)."""

from app.talentbox.settings import TalentBoxSettings

RATING_WORDS = {
    "di atas ekspektasi": "di_atas",
    "di atas": "di_atas",
    "di_atas": "di_atas",
    "sesuai ekspektasi": "sesuai",
    "sesuai": "sesuai",
    "di bawah ekspektasi": "di_bawah",
    "di bawah": "di_bawah",
    "di_bawah": "di_bawah",
}


def rating(raw: str) -> str | None:
    """'Di atas ekspektasi' → 'di_atas' (None when not a rating)."""
    return RATING_WORDS.get(" ".join(raw.strip().lower().split()))


def predicate(settings: TalentBoxSettings, hasil: str, perilaku: str) -> str:
    """SKP predicate from rating hasil kerja and rating perilaku kerja (PermenPANRB 6/2022)."""
    return settings.skp_matrix[hasil][perilaku]


def canonical_predicate(settings: TalentBoxSettings, raw: str) -> str | None:
    wanted = "".join(raw.lower().split()).replace("/", "")
    for name in settings.predicates:
        if "".join(name.lower().split()).replace("/", "") == wanted:
            return name
    return None


def performance_level(settings: TalentBoxSettings, predicate_name: str) -> str:
    return settings.predicates[predicate_name].level


def box(settings: TalentBoxSettings, potential: str, performance: str) -> int:
    return settings.boxes[performance][potential]


def groups_of(settings: TalentBoxSettings, number: int) -> list[str]:
    return [key for key, group in settings.groups.items() if number in group.boxes]
