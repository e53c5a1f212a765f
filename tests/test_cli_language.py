"""The command line speaks one language per run: Indonesian unless --lang en / PROASN_LANG=en,
for its help (groups, commands, options) and for the problems of an imported file."""

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli import app
from app.cli_language import cli_locale, help_texts
from tests.bank.factories import keyed_item, write_bank
from tests.test_i18n import indonesian

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
