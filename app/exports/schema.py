"""The scores export, schema version 3 (docs/exports.md). The talent-box module reads exactly
this; change it only by adding a new schema version. Version 2 is version 1 with
`journal_head` (the attempt's answer-journal head, delivery/chain.py) added; version 3 is
version 2 with three per-subtest columns for adaptive sections (`_mode`, `_items`,
`_adaptive_items`); readers take any of them.

One row per participant. Per-subtest columns repeat for each subtest code of the run, in
alphabetical order: `<code>_raw`, `<code>_max`, `<code>_percent`, `<code>_theta`, `<code>_se`,
`<code>_t`, `<code>_percentile`, `<code>_mode` (fixed / adaptive / mixed), `<code>_items`
(the items the taker was given in it) and `<code>_adaptive_items` (of those, the ones its
adaptive sections gave; empty for a fixed subtest). There is no pass / fail column.
"""

from typing import Any

SCHEMA_VERSION = "3"
READABLE_VERSIONS = ("1", "2", "3")
ADDED_IN_2 = ("journal_head",)
FIXED_COLUMNS = [
    "schema_version",
    "scoring_run_id",
    "scoring_run_number",
    "norm_id",
    "norm",
    "event_code",
    "event_name",
    "session_code",
    "nip",
    "name",
    "agency_code",
    "agency_name",
    "position",
    "eselon",
    "attempt_status",
    "journal_head",
]
SUBTEST_FIELDS = [
    "raw",
    "max",
    "percent",
    "theta",
    "se",
    "t",
    "percentile",
    "mode",  # added in 3, as are the two below
    "items",
    "adaptive_items",
]
COMPOSITE_COLUMNS = [
    "composite",
    "composite_t",
    "composite_percentile",
    "composite_se_z",
    "stanine",
    "potency_level",
    "near_band_edge",
]


def columns(subtests: list[str]) -> list[str]:
    per_subtest = [f"{code}_{name}" for code in sorted(subtests) for name in SUBTEST_FIELDS]
    return FIXED_COLUMNS + per_subtest + COMPOSITE_COLUMNS


def subtest_codes(header: list[str]) -> list[str]:
    """The subtest codes a header carries (for readers of the export)."""
    return sorted({c[: -len("_raw")] for c in header if c.endswith("_raw")})


def row(
    context: dict[str, Any],
    subtests: dict[str, dict[str, Any]],
    codes: list[str],
    composite: dict[str, Any],
    modes: dict[str, str] | None = None,
) -> dict[str, Any]:
    """`modes`: the run's adaptive and mixed subtests (scoring run settings); others are
    fixed."""
    values = {"schema_version": SCHEMA_VERSION, **context}
    for code in sorted(codes):
        scores = {**subtests.get(code, {}), "mode": (modes or {}).get(code, "fixed")}
        for name in SUBTEST_FIELDS:
            values[f"{code}_{name}"] = scores.get(name)
    values.update(composite)
    return values
