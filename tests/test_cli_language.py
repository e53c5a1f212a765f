"""The command line speaks one language per run: Indonesian unless --lang en / PROASN_LANG=en,
for its help (groups, commands, options) and for the problems of an imported file."""

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli import app
from app.cli_language import cli_locale, help_texts
from tests.bank.factories import bank_of, keyed_item, write_bank
from tests.exams.factories import event_data, participant, write_event_file, write_participants_csv
from tests.test_i18n import INDONESIAN, indonesian

runner = CliRunner()

COMMANDS = (
    (),
    ("bank",),
    ("bank", "validate"),
    ("event", "import"),
    ("serve",),
    ("scores", "run"),
    ("talenta", "place"),
    ("sync", "package"),
    ("data", "purge"),
)
# Words each language's help uses all the time and the other never does.
INDONESIAN_WORDS = {"dan", "atau", "yang", "untuk", "berkas", "Opsi", "Tampilkan", "bawaan"}
ENGLISH_WORDS = {"the", "and", "or", "of", "file", "Options", "Show", "default", "required"}


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d]+", text))  # event_file is a name, not a word


def help_of(command: tuple[str, ...], *lang: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, [*lang, *command, "--help"], env=env)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "proasn")
def test_help_is_indonesian_by_default_and_english_with_lang_en(command: tuple[str, ...]) -> None:
    indonesian_help = help_of(command, env={"PROASN_LANG": ""})
    english_help = help_of(command, "--lang", "en")
    assert words(indonesian_help) & ENGLISH_WORDS == set(), indonesian_help
    assert words(english_help) & INDONESIAN_WORDS == set(), english_help
    assert words(indonesian_help) & INDONESIAN_WORDS
    assert words(english_help) & ENGLISH_WORDS


def test_proasn_lang_picks_the_language_too() -> None:
    assert "Options" in help_of(("bank", "validate"), env={"PROASN_LANG": "en"})
    assert "Opsi" in help_of(("bank", "validate"), env={"PROASN_LANG": "id"})
    assert "Opsi" in help_of(("bank", "validate"), "--lang", "id", env={"PROASN_LANG": "en"})


def test_the_shell_locale_is_not_read() -> None:
    """Servers mostly run with LANG=en_US or C; the product speaks Indonesian first."""
    assert cli_locale([], {"LANG": "en_US.UTF-8"}) == "id"
    assert cli_locale(["--lang=en"], {}) == "en"
    assert cli_locale(["--lang", "fr"], {"PROASN_LANG": "en"}) == "id"


def test_every_help_text_is_a_translated_catalogue_message() -> None:
    catalogue = indonesian()
    texts = help_texts(typer.main.get_command(app))
    assert len(texts) > 100
    missing = sorted({t for t in texts if not catalogue.get(t)})
    assert missing == [], "give it help=N_(...) and translate: " + repr(missing)


def test_the_problems_of_a_bank_are_printed_in_the_chosen_language(tmp_path: Path) -> None:
    root = write_bank(tmp_path / "b", [keyed_item("V1", 1, key="Z")])
    english = runner.invoke(app, ["--lang", "en", "bank", "validate", str(root)])
    assert "ERROR b/items.yaml [V1] key: key 'Z' is not among the options" in english.output
    assert "kunci" not in english.output and "GALAT" not in english.output
    indonesian_run = runner.invoke(app, ["bank", "validate", str(root)], env={"PROASN_LANG": ""})
    assert "GALAT b/items.yaml [V1] key: kunci 'Z' tidak ada di antara pilihan" in (
        indonesian_run.output
    )


# --- what the commands print: the run's language too ----------------------------------------


def indonesian_in(text: str) -> set[str]:
    return {w.lower() for w in words(text)} & INDONESIAN


def in_language(lang: str, *args: str | Path) -> str:
    """The output of `proasn [--lang en] ARGS…` (PROASN_LANG cleared: Indonesian by default)."""
    chosen = ["--lang", "en"] if lang == "en" else []
    result = runner.invoke(app, [*chosen, *map(str, args)], env={"PROASN_LANG": ""})
    return result.output


def test_a_bank_import_and_an_event_import_report_in_the_chosen_language(
    use_database: str, tmp_path: Path
) -> None:
    root = bank_of(tmp_path / "bank", verbal=10, sjt=6)
    english = in_language("en", "bank", "import", root)
    assert "New 16, updated 0, new version 0, unchanged 0; subtests changed" in english
    assert "Importing items" in english and "Baru" not in english
    again = in_language("id", "bank", "import", root)
    assert "Tidak ada perubahan: 16 butir sudah sama." in again
    assert "No changes: 16 items already the same." in in_language("en", "bank", "import", root)

    event_file = write_event_file(tmp_path / "acara.yaml", event_data())
    people = write_participants_csv(tmp_path / "p.csv", [participant(1), participant(2)])
    codes = tmp_path / "kode.csv"
    english = in_language("en", "event", "import", event_file, "-p", people, "--codes-out", codes)
    assert "Event proasn-uji created: new participants 2, updated 0" in english
    assert "2 new access codes" in english and "written to" in english
    assert "Mengundi" not in english and "kode akses" not in english
    indonesian_run = in_language("id", "event", "import", event_file, "-p", people)
    assert "Acara proasn-uji diperbarui: peserta baru 0, diperbarui" in indonesian_run

    assert "Session S1: 2 forms drawn; session ready." in in_language(
        "en", "event", "prepare", "proasn-uji", "--session", "S1"
    )
    assert "Event 'tidak-ada' not found." in in_language("en", "event", "prepare", "tidak-ada")
    assert "Acara 'tidak-ada' tidak ditemukan." in in_language(
        "id", "event", "prepare", "tidak-ada"
    )


def test_the_problems_of_an_event_file_and_a_norm_file_follow_the_language(
    tmp_path: Path,
) -> None:
    data = event_data()
    data["blueprint"]["sections"][0]["time_limit_minutes"] = 90
    event_file = write_event_file(tmp_path / "acara.yaml", data)
    people = write_participants_csv(tmp_path / "p.csv", [participant(1)])
    english = in_language("en", "event", "import", event_file, "-p", people)
    assert "section 1 (Verbal): time limit 90 minutes exceeds the total time 60 minutes" in english
    indonesian_run = in_language("id", "event", "import", event_file, "-p", people)
    assert "bagian 1 (Verbal): batas waktu 90 menit melebihi waktu total 60 menit" in (
        indonesian_run
    )

    norm = tmp_path / "norma.csv"
    norm.write_text("subtest,metric,mean,sd,n\nverbal,theta,10,0,5\n", encoding="utf-8")
    english = in_language("en", "scores", "import-norm", "n1", norm)
    assert "ERROR" in english and "row 2: sd must be > 0 and n ≥ 2" in english
    assert "a _composite row (the composite) is required" in english
    indonesian_run = in_language("id", "scores", "import-norm", "n1", norm)
    assert "GALAT" in indonesian_run and "baris 2: sd harus > 0 dan n ≥ 2" in indonesian_run


def test_sync_output_follows_the_language(
    use_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings
    from app.db import unit_of_work
    from tests.sync.factories import EVENT, seed_central

    with unit_of_work(use_database) as db:
        seed_central(db, tmp_path, {"S1": [1, 2]})

    def on(server: str, lang: str, *args: str | Path) -> str:
        monkeypatch.setenv("PROASN_SYNC_KEY_FILE", str(tmp_path / f"{server}.key"))
        get_settings.cache_clear()
        return in_language(lang, "sync", *args)

    made = on("site", "en", "keys")
    assert "Server keys made:" in made and "Fingerprint:" in made and "Public key (hand" in made
    site_key = next(line for line in made.splitlines() if line.startswith("proasn-sync-1:"))
    assert "Kunci server sudah ada:" in on("site", "id", "keys")
    assert "Server keys already exist:" in on("site", "en", "keys")
    assert "Kunci server dibuat:" in on("centre", "id", "keys")
    assert "No site registered yet." in on("centre", "en", "sites")
    assert "Belum ada lokasi terdaftar." in on("centre", "id", "sites")
    added = on("centre", "en", "add-site", "makassar", "--public-key", site_key)
    assert "Site makassar registered (fingerprint" in added and "registered 20" in added

    out = tmp_path / "makassar.proasn"
    package = ("package", EVENT, "--site", "makassar", "--sessions", "S1", "--out", out)
    english = on("centre", "en", *package)
    assert re.search(rf"Package {EVENT} version \d+ for makassar, sessions S1: {out} \(", english)
    assert "Packing forms" in english and "participants 2" in english and "bytes)" in english
    assert indonesian_in(english) == set(), english

    english = on("centre", "en", "verify", out)
    assert re.search(rf"Valid: exam package {EVENT} version \d+, sessions S1, made", english)
    assert "signed by this server (" in english and "its content opens only there" in english
    assert indonesian_in(english) == set(), english
    indonesian_run = on("centre", "id", "verify", out)
    assert re.search(rf"Sah: paket ujian {EVENT} versi \d+, sesi S1, dibuat", indonesian_run)
    assert "ditandatangani server ini (" in indonesian_run
    assert "isinya hanya dapat dibuka di sana" in indonesian_run

    refused = on("site", "en", "verify", out)  # the centre's key is not trusted yet
    assert "REFUSED" in refused and "DITOLAK" not in refused
    assert "DITOLAK" in on("site", "id", "verify", out)
    central_key = next(
        line for line in on("centre", "en", "keys").splitlines() if line.startswith("proasn-")
    )
    assert "Central key trusted: fingerprint" in on("site", "en", "trust-central", central_key)
    at_site = on("site", "en", "verify", out)
    assert "signed by the centre (" in at_site
    assert "sealed for this server and its content opens whole" in at_site
    assert "ditandatangani pusat (" in on("site", "id", "verify", out)


def test_talent_box_output_follows_the_language(use_database: str, tmp_path: Path) -> None:
    from tests.talentbox.test_service import potency_csv
    from tests.talentbox.test_weighted import SKP

    (tmp_path / "skor.csv").write_bytes(potency_csv(["tinggi"] * 2))
    (tmp_path / "skp.csv").write_bytes(SKP)
    english = in_language("en", "talenta", "import-potency", tmp_path / "skor.csv")
    assert "skor.csv: 2 rows imported" in english
    indonesian_run = in_language("id", "talenta", "import-performance", tmp_path / "skp.csv")
    assert "skp.csv: 2 baris diimpor" in indonesian_run

    listing = in_language("en", "talenta", "list")
    assert "Potency" in listing and "Performance" in listing and "(2 rows)" in listing
    assert "Placement runs" in listing and indonesian_in(listing) == set(), listing
    ids = re.findall(r"^  ([0-9a-f-]{36})  ", listing, re.M)
    args = ["--potency", ids[0], "--performance", ids[1], "--period", "2026"]
    english = in_language("en", "talenta", "place", *args)
    assert "Run 1: 2 placed" in english and "box 9: " in english
    assert "potency only: 0, performance only: 0" in english and "Placement" in english
    assert indonesian_in(english) == set(), english
    listing = in_language("id", "talenta", "list")
    assert "Potensi" in listing and "Kinerja" in listing and "(2 baris)" in listing
    assert "Run penempatan" in listing and "periode 2026" in listing
    assert "  1  period 2026  simple  " in in_language("en", "talenta", "list")

    pull = ("talenta", "pull-potency", "--url", "http://x", "--event", "e")
    assert "Set PROASN_EXPORT_TOKEN to an analyst API token." in in_language("en", *pull)
    assert "Isi PROASN_EXPORT_TOKEN dengan token API analis." in in_language("id", *pull)
