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


# How the stored level keys read on a page (the regulation's words).
LEVEL_WORDS = {
    "di_atas": "di atas ekspektasi",
    "sesuai": "sesuai ekspektasi",
    "di_bawah": "di bawah ekspektasi",
    "rendah": "rendah",
    "menengah": "menengah",
    "tinggi": "tinggi",
}


def level_words(key: str | None) -> str:
    """A stored level in the regulation's Indonesian words (exports and files)."""
    return LEVEL_WORDS.get(key or "", key or "–")


def box_levels(settings: TalentBoxSettings, box: int) -> tuple[str, str] | None:
    """(potential, performance) of a box number, from the settings' table."""
    for performance, row in settings.boxes.items():
        for potential, number in row.items():
            if number == box:
                return potential, performance
    return None


def rating(raw: str) -> str | None:
    """'Di atas ekspektasi' → 'di_atas' (None when not a rating)."""
    return RATING_WORDS.get(" ".join(raw.strip().lower().split()))


def predicate(settings: TalentBoxSettings, hasil: str, perilaku: str) -> str:
    """SKP predicate from rating hasil kerja and rating perilaku kerja (PermenPANRB 6/2022)."""
    return settings.skp_matrix[hasil][perilaku]


def canonical_predicate(settings: TalentBoxSettings, raw: str) -> str | None:
    """The configured predicate a file's wording means: spacing and case do not matter, and
    either half of a two-word name ("Kurang" or "Misconduct" for "Kurang/Misconduct") is it."""
    wanted = _squash(raw)
    for name in settings.predicates:
        if _squash(name) == wanted or (
            "/" in name and wanted in {_squash(part) for part in name.split("/")}
        ):
            return name
    return None


def _squash(text: str) -> str:
    return "".join(text.lower().split()).replace("/", "")


def performance_level(settings: TalentBoxSettings, predicate_name: str) -> str:
    return settings.predicates[predicate_name].level


def box(settings: TalentBoxSettings, potential: str, performance: str) -> int:
    return settings.boxes[performance][potential]


def groups_of(settings: TalentBoxSettings, number: int) -> list[str]:
    return [key for key, group in settings.groups.items() if number in group.boxes]
