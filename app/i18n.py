"""Translations: Bahasa Indonesia first, English second.

Source strings (msgids) are English; `app/locale/id/LC_MESSAGES/messages.po` must translate
every one (a test checks it). The .po files are read at start-up and compiled in memory, so
there is no build step to forget.
"""

from collections.abc import Mapping
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"

# The language of the request being answered (set by app.web.edge from the `lang` cookie), or
# of the CLI run (--lang / PROASN_LANG, set by app.cli_language); Indonesian when nobody chose.
current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Marks a string for extraction; it is translated later, where the locale is known."""
    return message


@lru_cache
def translations(locale: str) -> NullTranslations:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale not in LOCALES or not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(message: str, locale: str = DEFAULT_LOCALE) -> str:
    return translations(locale).gettext(message)


def translate(message: str, params: Mapping[str, object] | None = None) -> str:
    """A catalogue message in the current language, its %(name)s parameters filled in."""
    text = translations(current_locale.get()).gettext(message)
    return text % params if params else text


def format_count(n: int) -> str:
    """A whole number as the current language writes it: 44.132 in Indonesian, 44,132 in
    English (byte sizes and counts in CLI messages)."""
    return format_decimal(n, format="#,##0", locale=current_locale.get())


def pick_locale(requested: str | None) -> str:
    return requested if requested in LOCALES else DEFAULT_LOCALE
