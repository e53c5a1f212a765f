"""The command line's language: one per run, for its help and its messages.

`proasn --lang en …` or PROASN_LANG=en picks English; Indonesian otherwise. The shell's LANG
is not read: servers mostly run with an English or C locale, and the product speaks Bahasa
Indonesia first.

Help texts are English catalogue msgids (N_) in the code. The command tree Typer builds for
each run is walked once before it parses anything, and every help text (groups, commands,
options, the --help option itself) is replaced by its translation; Typer's panel titles too.
"""

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import typer
import typer.rich_utils as rich_utils
from typer.core import TyperGroup

from app.i18n import DEFAULT_LOCALE, LOCALES, N_, current_locale, gettext

LANG_OPTION = "--lang"
LANG_HELP = N_("Language of help and messages: id (Bahasa Indonesia) or en (English).")
HELP_OPTION_HELP = N_("Show this message and exit.")
# Typer's own words around the help texts (module constants it reads when printing help).
CHROME = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
}
# The shell-completion options Typer adds to the main group.
N_("Install completion for the current shell.")
N_("Show completion for the current shell, to copy it or customize the installation.")


def cli_locale(args: Sequence[str], environ: Mapping[str, str]) -> str:
    """--lang id|en among the arguments, else PROASN_LANG, else Indonesian."""
    for index, arg in enumerate(args):
        if arg == LANG_OPTION and index + 1 < len(args):
            return _known(args[index + 1])
        if arg.startswith(LANG_OPTION + "="):
            return _known(arg.split("=", 1)[1])
    return _known(environ.get("PROASN_LANG", DEFAULT_LOCALE))


def _known(requested: str) -> str:
    language = requested.strip().lower()[:2]
    return language if language in LOCALES else DEFAULT_LOCALE


def localise(command: Any, locale: str) -> None:
    """Every help text of `command` and the commands below it, in `locale`."""

    def text(message: str | None) -> str | None:
        return gettext(message, locale) if message else message

    command.help = text(command.help)
    command.short_help = text(command.short_help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = text(param.help)
    help_option = command.get_help_option(typer.Context(command))
    if help_option is not None:
        help_option.help = gettext(HELP_OPTION_HELP, locale)
    for sub in getattr(command, "commands", {}).values():
        localise(sub, locale)


def help_texts(command: Any) -> list[str]:
    """The help texts of `command` and the commands below it (for tests)."""
    found = [t for t in (command.help, command.short_help) if t]
    found += [p.help for p in command.params if getattr(p, "help", None)]
    for sub in getattr(command, "commands", {}).values():
        found += help_texts(sub)
    return found


class LocalisedGroup(TyperGroup):
    """The main group: sets the run's language before anything is parsed or printed."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        locale = cli_locale(given, os.environ)
        localise(self, locale)
        for name, message in CHROME.items():
            setattr(rich_utils, name, gettext(message, locale))
        token = current_locale.set(locale)
        try:
            return super().main(args, *rest, **options)
        finally:
            current_locale.reset(token)
