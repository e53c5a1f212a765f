"""The Jinja environment: translations per request, and the layout choice for full pages
vs htmx fragments."""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.templating import Jinja2Templates

from app.config import get_settings
from app.i18n import N_ as N_  # re-exported: modules that may import app.web only mark with it
from app.i18n import current_locale as current_locale
from app.i18n import translate as translate
from app.i18n import translations
from app.kit import clock
from app.kit.timezones import format_local, to_local
from app.web.htmx import is_htmx
from app.web.labels import label

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
# Templates are part of the release: no file-date checks on every render (Jinja's default
# stats each template, its layout and its includes on every page: a syscall each, and under a
# stampede a wait for the GIL each). A developer editing templates restarts the server.
templates.env.auto_reload = False
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]  # added by ext.i18n
    translate,
    lambda singular, plural, n: translations(current_locale.get()).ngettext(singular, plural, n),
    newstyle=True,
)

templates.env.globals["current_locale"] = current_locale.get


def _local(
    moment: datetime | None, zone: str | None = None, pattern: str = "%Y-%m-%d %H:%M"
) -> str:
    """`{{ at|local }}`: a stored UTC time in the event's zone (when given) or the central
    agency's (PROASN_DEFAULT_TIME_ZONE, WIB by default), with the zone named."""
    if moment is None:
        return "–"
    return format_local(moment, zone or get_settings().default_time_zone, pattern)


templates.env.filters["local"] = _local


def _stamp(value: str | None, zone: str | None = None) -> str:
    """`{{ "2026-12-03T13:44:20.9+00:00"|stamp }}`: a stored ISO time (as a JSON document
    holds it) as `|local` shows one."""
    if not value:
        return "–"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return _local(moment, zone)


templates.env.filters["stamp"] = _stamp


def _day(moment: datetime | None, zone: str | None = None) -> str:
    """`{{ at|day(zone) }}`: the local date in words ("Kamis, 03 Desember 2026"), as a
    printed berita acara dates itself."""
    if moment is None:
        return "–"
    local = to_local(moment, zone or get_settings().default_time_zone)
    # weekday, day, month in words, year: "Kamis, 3 Desember 2026" / "Thursday, 3 December 2026"
    return format_date(local.date(), format="EEEE, d MMMM y", locale=current_locale.get())


templates.env.filters["day"] = _day


def _today(moment: datetime | None, zone: str | None = None) -> bool:
    """`{% if at|today(zone) %}`: whether a stored time falls on today's local date, so a
    sentence can say "pukul 02:44 WIB" for today and name the day otherwise."""
    if moment is None:
        return False
    zone = zone or get_settings().default_time_zone
    return to_local(moment, zone).date() == to_local(clock.now(), zone).date()


templates.env.filters["today"] = _today


def _date_parts(moment: datetime, zone: str | None = None) -> dict[str, str]:
    """`{{ at|date_parts(zone) }}`: weekday, day, month and year in the page's language, for
    sentences like a berita acara's "Pada hari ini Kamis tanggal 3 bulan Desember tahun 2026"."""
    local = to_local(moment, zone or get_settings().default_time_zone).date()
    locale = current_locale.get()
    return {
        part: format_date(local, format=pattern, locale=locale)
        for part, pattern in (("weekday", "EEEE"), ("day", "d"), ("month", "MMMM"), ("year", "y"))
    }


templates.env.filters["date_parts"] = _date_parts

# Texts an installation configures in Indonesian (the talent box's recommendations and group
# names), with their English where the configuration gives it. A module that has such texts
# registers a function returning {Indonesian: English}; `{{ text|configured }}` shows the
# English on an English page and the text as configured otherwise (or when none is given).
_CONFIGURED: list[Callable[[], dict[str, str]]] = []


def register_configured_english(source: Callable[[], dict[str, str]]) -> None:
    _CONFIGURED.append(source)


def _configured(text: str | None) -> str:
    if not text:
        return ""
    if current_locale.get() == "en":
        for source in _CONFIGURED:
            english = source().get(text)
            if english:
                return english
    return text


templates.env.filters["configured"] = _configured


def format_number(value: float | None, digits: int = 2) -> str:
    """`{{ x|num(2) }}`: a number as the page's language writes it (3,75 in Indonesian)."""
    if value is None:
        return "–"
    pattern = "0." + "0" * digits if digits else "0"
    if round(value, digits) == 0:
        value = 0.0  # not "-0,00" for a small negative number
    return format_decimal(value, format=pattern, locale=current_locale.get())


templates.env.filters["num"] = format_number
templates.env.globals["label"] = label


def _static_url(path: str) -> str:
    from app.web.static_files import static_url  # (it reads STATIC_DIR from here)

    return static_url(path)


templates.env.globals["static_url"] = _static_url


def layout_for(request: Request) -> str:
    """htmx requests get the bare fragment layout; everything else the full page."""
    return "layout_fragment.html" if is_htmx(request) else "layout.html"
