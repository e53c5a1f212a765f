"""Every user-visible string goes through translations and has an Indonesian one."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def extracted_messages() -> set[str]:
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"N_": None, "_": None, "gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def indonesian() -> dict[str, str]:
    with (ROOT / "app/locale/id/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and "fuzzy" not in m.flags}


def test_every_string_in_code_and_templates_has_an_indonesian_translation() -> None:
    catalog = indonesian()
    missing = sorted(m for m in extracted_messages() if not catalog.get(m))
    assert missing == [], "run scripts/i18n.sh and translate: " + repr(missing)


def test_translations_keep_their_placeholders() -> None:
    for message, translation in indonesian().items():
        assert sorted(PLACEHOLDER.findall(message)) == sorted(PLACEHOLDER.findall(translation)), (
            message
        )


# Names and symbols that are the same in every language (a language is named in its own
# language; statistics use their usual symbols).
NAMES = ("ProASN CAT", "Bahasa Indonesia", "English")
SYMBOLS = {"UTC", "SD", "SE", "SEM", "PC", "csv", "xlsx", "ndjson", "CSV", "XLSX"}


def test_templates_have_no_untranslated_literal_text() -> None:
    """Text between tags in templates must come from {{ _(...) }} or data."""
    offenders = []
    for path in [*(ROOT / "templates").glob("*.html"), *(ROOT / "templates").glob("*/*.html")]:
        text = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", "", path.read_text(), flags=re.S)
        for chunk in re.findall(r">([^<>]+)<", text):
            if "=" in chunk:
                continue
            bare = chunk
            for name in NAMES:
                bare = bare.replace(name, "")
            words = [w for w in re.findall(r"[^\W\d_]{2,}", bare) if w not in SYMBOLS]
            if words:
                offenders.append((path.name, chunk.strip()))
    assert offenders == []
