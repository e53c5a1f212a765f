"""A file's validation errors (Pydantic's) as the person fixing the file reads them: where
(`blueprint.sections[2].items`, entries counted from 1) and what is wrong, in the chosen
language.

Pydantic words its own messages in English only ("Extra inputs are not permitted"); each
error also carries a `type` and its values (`ctx`), so the kinds a hand-written file meets
are worded here from our catalogue. A kind not listed keeps Pydantic's words; a message of
our own validators (`value_error`, already translated) is kept as it is.
"""

import re
from collections.abc import Sequence

from pydantic_core import ErrorDetails

from app.i18n import N_, translate

_NUMBER = N_("must be a number")
_WHOLE = N_("must be a whole number")
_TRUE_FALSE = N_("must be true or false")
_MAPPING = N_("must be a group of fields (name: value)")
_DATE = N_("must be a date (YYYY-MM-DD)")
_DATE_TIME = N_("must be a date and time (YYYY-MM-DD HH:MM)")
_ONE_OF = N_("must be one of: %(expected)s")

# Pydantic's error type → our message; `%(name)s` are the error's `ctx` values.
MESSAGES: dict[str, str] = {
    "missing": N_("is required but missing"),
    "extra_forbidden": N_("is not a known field (check its spelling and place)"),
    "string_type": N_("must be text"),
    "int_type": _WHOLE,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "bool_type": _TRUE_FALSE,
    "bool_parsing": _TRUE_FALSE,
    "list_type": N_("must be a list"),
    "dict_type": _MAPPING,
    "model_type": _MAPPING,
    "model_attributes_type": _MAPPING,
    "string_too_short": N_("must be at least %(min_length)s characters long"),
    "string_too_long": N_("must be at most %(max_length)s characters long"),
    "too_short": N_("must have at least %(min_length)s entries"),
    "too_long": N_("must have at most %(max_length)s entries"),
    "greater_than": N_("must be more than %(gt)s"),
    "greater_than_equal": N_("must be %(ge)s or more"),
    "less_than": N_("must be less than %(lt)s"),
    "less_than_equal": N_("must be %(le)s or less"),
    "literal_error": _ONE_OF,
    "enum": _ONE_OF,
    "string_pattern_mismatch": N_("does not have the expected form"),
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "datetime_type": _DATE_TIME,
    "datetime_parsing": _DATE_TIME,
    "datetime_from_date_parsing": _DATE_TIME,
    "time_parsing": N_("must be a time (HH:MM)"),
}


def where(loc: Sequence[int | str]) -> str:
    """`sessions[2].time_zone`: names joined by dots, list entries counted from 1."""
    text = ".".join(f"[{p + 1}]" if isinstance(p, int) else str(p) for p in loc)
    return re.sub(r"\.\[", "[", text) or translate(N_("(file)"))


def message(error: ErrorDetails) -> str:
    """What is wrong, in the current language."""
    wording = MESSAGES.get(error["type"])
    if wording is None:
        return str(error["msg"]).removeprefix("Value error, ")
    context = {k: _shown(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return translate(wording, context) if "%(" in wording else translate(wording)
    except (KeyError, ValueError, TypeError):  # a context Pydantic did not give
        return str(error["msg"])


def problem(error: ErrorDetails) -> str:
    """`where: what`, one line per error."""
    return f"{where(error['loc'])}: {message(error)}"


def _shown(value: object) -> object:
    # literal_error's `expected` is "'a', 'b' or 'c'": Pydantic's English "or".
    if isinstance(value, str):
        return value.replace(" or ", ", ")
    return value
