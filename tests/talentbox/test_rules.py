"""The DOMAIN.md tables, cell by cell, as configured in config/talentbox.yaml."""

import pytest

from app.talentbox import rules
from app.talentbox.settings import load_settings

SETTINGS = load_settings()


@pytest.mark.parametrize(
    ("performance", "potential", "box"),
    [
        ("di_atas", "rendah", 4),
        ("di_atas", "menengah", 7),
        ("di_atas", "tinggi", 9),
        ("sesuai", "rendah", 2),
        ("sesuai", "menengah", 5),
        ("sesuai", "tinggi", 8),
        ("di_bawah", "rendah", 1),
        ("di_bawah", "menengah", 3),
        ("di_bawah", "tinggi", 6),
    ],
)
def test_box_numbering(performance: str, potential: str, box: int) -> None:
    assert rules.box(SETTINGS, potential, performance) == box


@pytest.mark.parametrize(
    ("hasil", "perilaku", "predicate"),
    [
        ("di_atas", "di_bawah", "Kurang/Misconduct"),
        ("di_atas", "sesuai", "Baik"),
        ("di_atas", "di_atas", "Sangat Baik"),
        ("sesuai", "di_bawah", "Kurang/Misconduct"),
        ("sesuai", "sesuai", "Baik"),
        ("sesuai", "di_atas", "Baik"),
        ("di_bawah", "di_bawah", "Sangat Kurang"),
        ("di_bawah", "sesuai", "Butuh Perbaikan"),
        ("di_bawah", "di_atas", "Butuh Perbaikan"),
    ],
)
def test_skp_predicate_matrix(hasil: str, perilaku: str, predicate: str) -> None:
    assert rules.predicate(SETTINGS, hasil, perilaku) == predicate


@pytest.mark.parametrize(
    ("predicate", "level"),
    [
        ("Sangat Baik", "di_atas"),
        ("Baik", "sesuai"),
        ("Butuh Perbaikan", "di_bawah"),
        ("Kurang/Misconduct", "di_bawah"),
        ("Sangat Kurang", "di_bawah"),
    ],
)
def test_predicate_to_performance_level(predicate: str, level: str) -> None:
    assert rules.performance_level(SETTINGS, predicate) == level


def test_follow_up_groups_default() -> None:
    assert [rules.groups_of(SETTINGS, b) for b in range(1, 10)] == [
        ["disciplinary"],
        ["competence_development"],
        ["competence_development", "performance_counselling"],
        ["competence_development"],
        ["competence_development"],
        ["performance_counselling"],
        ["succession_pool"],
        ["succession_pool"],
        ["succession_pool"],
    ]


@pytest.mark.parametrize("raw", ["Di atas ekspektasi", "di  atas", "DI_ATAS"])
def test_rating_words(raw: str) -> None:
    assert rules.rating(raw) == "di_atas"


@pytest.mark.parametrize("raw", ["kurang / misconduct", "Kurang/Misconduct", "KURANG/MISCONDUCT"])
def test_predicate_spellings(raw: str) -> None:
    assert rules.canonical_predicate(SETTINGS, raw) == "Kurang/Misconduct"


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("sangat baik", "Sangat Baik"),
        ("Kurang / Misconduct", "Kurang/Misconduct"),
        ("Kurang", "Kurang/Misconduct"),
        ("misconduct", "Kurang/Misconduct"),
        ("Sangat  Kurang", "Sangat Kurang"),
        ("Luar Biasa", None),
    ],
)
def test_predicate_wording_in_files(raw: str, name: str | None) -> None:
    assert rules.canonical_predicate(SETTINGS, raw) == name


def test_every_configured_text_has_its_english_and_a_typo_is_refused(tmp_path) -> None:
    """Issue 22: English pages showed the configured Indonesian recommendations and group
    names. config/talentbox.yaml gives each its English; a key matching no configured text
    (a typo) is refused when the file loads."""
    import yaml

    from app.talentbox.settings import DEFAULT_PATH, english_texts

    settings = load_settings()
    assert settings.texts() == set(settings.english)
    assert english_texts()["kelompok rencana suksesi"] == "succession pool"
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["english"]["kelompok rencana sukses"] = "typo"
    broken = tmp_path / "talentbox.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="kelompok rencana sukses"):
        load_settings(broken)


def test_configured_texts_read_in_the_pages_language() -> None:
    from app.web.templating import _configured, current_locale

    text = load_settings().recommendations[9]
    token = current_locale.set("en")
    try:
        assert _configured(text).startswith("promote and retain")
        assert _configured("teks yang tidak dikonfigurasi") == "teks yang tidak dikonfigurasi"
    finally:
        current_locale.reset(token)
    assert _configured(text) == text  # Indonesian: as configured
