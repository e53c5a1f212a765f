"""Reads a question-bank folder and checks every item, collecting all problems at once.

The format is documented in docs/question_bank.md. Nothing here touches the database: the
result is a list of normalised items (plain dicts, ready to hash and store) plus the problems
and warnings found, each naming file, item id and field.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from app.bank.content import normalise_item
from app.bank.similarity import near_duplicate_stems
from app.bank.svg_check import svg_problems
from app.i18n import N_, translate

ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
OPTION_ID = re.compile(r"^[A-F]$")
SCORING_KINDS = ("keyed", "graded")
IRT_MODELS = {"keyed": ("2pl", "3pl"), "graded": ("grm",)}

# Problem texts, rendered in the language of whoever loads the bank (CLI or web).
BANKS_BELOW = N_("not a bank folder (no subtests.yaml here); the banks are in: %(banks)s")
UNREADABLE = N_("cannot be read: %(reason)s")
NEEDS_CODE = N_("every subtest needs a 'code' (text)")
DUPLICATE_CODE = N_("duplicate code '%(code)s'")
KEYED_OR_GRADED = N_("must be 'keyed' or 'graded'")
NEEDS_ITEMS = N_("an item file must hold a list 'items'")
THEME_NOT_LISTED = N_("theme '%(theme)s' is not in the theme list of subtest '%(code)s'")
KEY_NOT_AN_OPTION = N_("key '%(key)s' is not among the options %(options)s")
POINTS_RANGE = N_("the points of option %(id)s must be a whole number 1-5, not %(value)s")
THRESHOLD_COUNT = N_("%(needed)s thresholds needed for %(categories)s distinct points")
FIGURE_PLACE = N_("figure '%(ref)s' must be an .svg file in this item file's folder")
NEAR_DUPLICATE = N_("stem very similar to %(code)s (%(file)s), similarity %(score)s")


@dataclass(frozen=True)
class Problem:
    file: str
    item_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f" [{self.item_id}]" if self.item_id else "")
        return f"{where} {self.field}: {self.message}"


@dataclass
class Subtest:
    code: str
    name: str
    name_en: str | None
    scoring: str
    aspect: str | None
    themes: list[str] | None


@dataclass
class LoadedBank:
    root: Path
    subtests: dict[str, Subtest] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_bank(root: Path) -> LoadedBank:
    """Parse subtests.yaml and every item file under `root`; validate everything."""
    bank = LoadedBank(root=root)
    if not root.is_dir():
        bank.problems.append(
            Problem(str(root), None, "path", translate(N_("not a question-bank folder")))
        )
        return bank
    if not (root / "subtests.yaml").exists():
        # The parent of a bank (`question_bank` for `question_bank/sample`): one line that
        # names the bank(s) below, not a problem for every item of them.
        banks = sorted(p.parent for p in root.rglob("subtests.yaml"))
        if banks:
            named = ", ".join(f"{p} ({p / 'subtests.yaml'})" for p in banks)
            message = translate(BANKS_BELOW, {"banks": named})
            bank.problems.append(Problem(str(root), None, "path", message))
            return bank
    _load_subtests(bank)
    seen: dict[str, str] = {}
    for path in _item_files(root):
        for raw, defaults in _raw_items(bank, path):
            _check_item(bank, path, raw, defaults, seen)
    _warn_near_duplicates(bank)
    return bank


def _rel(bank: LoadedBank, path: Path) -> str:
    try:
        return str(path.relative_to(bank.root.parent))
    except ValueError:
        return str(path)


def _item_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.suffix in (".yaml", ".yml") and path.name not in ("subtests.yaml", "subtests.yml"):
            yield path


def _read_yaml(bank: LoadedBank, path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        bank.problems.append(
            Problem(_rel(bank, path), None, "yaml", translate(UNREADABLE, {"reason": exc}))
        )
        return None


def _load_subtests(bank: LoadedBank) -> None:
    path = bank.root / "subtests.yaml"
    rel = _rel(bank, path)
    if not path.exists():
        bank.problems.append(
            Problem(rel, None, "subtests", translate(N_("the file subtests.yaml is missing")))
        )
        return
    data = _read_yaml(bank, path)
    entries = data.get("subtests") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        bank.problems.append(
            Problem(rel, None, "subtests", translate(N_("must hold a list 'subtests'")))
        )
        return
    for index, entry in enumerate(entries, start=1):
        _add_subtest(bank, rel, index, entry)


def _add_subtest(bank: LoadedBank, rel: str, index: int, entry: Any) -> None:
    where = f"subtests[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
        bank.problems.append(Problem(rel, None, where, translate(NEEDS_CODE)))
        return
    code = entry["code"]
    if code in bank.subtests:
        bank.problems.append(
            Problem(rel, None, f"{where}.code", translate(DUPLICATE_CODE, {"code": code}))
        )
    scoring = entry.get("scoring")
    if scoring not in SCORING_KINDS:
        bank.problems.append(Problem(rel, None, f"{where}.scoring", translate(KEYED_OR_GRADED)))
    themes = entry.get("themes")
    if themes is not None and not (
        isinstance(themes, list) and all(isinstance(t, str) for t in themes)
    ):
        bank.problems.append(
            Problem(rel, None, f"{where}.themes", translate(N_("must be a list of texts")))
        )
        themes = None
    bank.subtests[code] = Subtest(
        code=code,
        name=str(entry.get("name") or code),
        name_en=entry.get("name_en"),
        scoring=scoring if scoring in SCORING_KINDS else "keyed",
        aspect=entry.get("aspect"),
        themes=themes,
    )


def _raw_items(bank: LoadedBank, path: Path) -> Iterator[tuple[Any, dict[str, Any]]]:
    data = _read_yaml(bank, path)
    if data is None:
        return
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        bank.problems.append(Problem(_rel(bank, path), None, "items", translate(NEEDS_ITEMS)))
        return
    defaults = {k: data[k] for k in ("subtest", "theme", "subtheme") if k in data}
    for raw in data["items"]:
        yield raw, defaults


def _check_item(
    bank: LoadedBank, path: Path, raw: Any, defaults: dict[str, Any], seen: dict[str, str]
) -> None:
    rel = _rel(bank, path)
    if not isinstance(raw, dict):
        bank.problems.append(
            Problem(rel, None, "items", translate(N_("every item must be a mapping")))
        )
        return
    item = {**defaults, **raw}
    item_id = item.get("id")
    problems: list[Problem] = []

    def report(field_name: str, message: str, **params: object) -> None:
        text = translate(message, params)
        problems.append(Problem(rel, str(item_id) if item_id else None, field_name, text))

    if not isinstance(item_id, str) or not ITEM_ID.match(item_id):
        report("id", N_("item id required: letters, digits, '-' or '_' (max. 64)"))
    elif item_id in seen:
        report("id", N_("duplicate id, already used in %(file)s"), file=seen[item_id])
    else:
        seen[item_id] = rel
    subtest = _check_subtest(bank, item, report)
    _check_stem(item, report)
    option_ids = _check_options(path, item, report)
    if subtest is not None:
        _check_scoring(subtest.scoring, item, option_ids, report)
        _check_irt(subtest.scoring, item, report)
    _check_time_hint(item, report)
    figures = _read_figures(path, item, report)
    bank.problems.extend(problems)
    if not problems and subtest is not None:
        bank.items.append(normalise_item(item, subtest.scoring, figures, source=rel))


def _check_subtest(bank: LoadedBank, item: dict[str, Any], report: Any) -> Subtest | None:
    code = item.get("subtest")
    if not isinstance(code, str):
        report("subtest", N_("subtest required"))
        return None
    subtest = bank.subtests.get(code)
    if subtest is None:
        report("subtest", N_("unknown subtest '%(code)s' (see subtests.yaml)"), code=code)
        return None
    theme = item.get("theme")
    if theme is not None and not isinstance(theme, str):
        report("theme", N_("the theme must be text"))
    elif subtest.themes is not None and theme not in subtest.themes:
        report("theme", THEME_NOT_LISTED, theme=theme, code=code)
    return subtest


def _check_stem(item: dict[str, Any], report: Any) -> None:
    stem = item.get("stem")
    if not isinstance(stem, str) or not stem.strip():
        report("stem", N_("the stem text is required"))


def _check_options(path: Path, item: dict[str, Any], report: Any) -> list[str]:
    options = item.get("options")
    if not isinstance(options, list) or not 2 <= len(options) <= 6:
        report("options", N_("there must be 2 to 6 options"))
        return []
    ids: list[str] = []
    for index, option in enumerate(options, start=1):
        where = f"options[{index}]"
        if not isinstance(option, dict):
            report(where, N_("an option must be a mapping {id, text}"))
            continue
        option_id = option.get("id")
        if not isinstance(option_id, str) or not OPTION_ID.match(option_id):
            report(f"{where}.id", N_("an option id must be one letter A-F"))
        elif option_id in ids:
            report(f"{where}.id", N_("duplicate option id '%(id)s'"), id=option_id)
        else:
            ids.append(option_id)
        has_text = isinstance(option.get("text"), str | int | float) and str(option["text"]).strip()
        if not has_text and not option.get("figure") and not option.get("figure_svg"):
            report(where, N_("an option needs text or a figure"))
    return ids


def _check_scoring(scoring: str, item: dict[str, Any], option_ids: list[str], report: Any) -> None:
    key, points = item.get("key"), item.get("points")
    if scoring == "keyed":
        if points is not None:
            report("points", N_("a keyed subtest does not use 'points'"))
        if key is None:
            report("key", N_("the answer key is required"))
        elif option_ids and key not in option_ids:
            report("key", KEY_NOT_AN_OPTION, key=key, options=", ".join(option_ids))
        return
    if key is not None:
        report("key", N_("a graded subtest uses 'points', not 'key'"))
    if not isinstance(points, dict):
        report("points", N_("points 1-5 for every option are required"))
        return
    for option_id in option_ids:
        if option_id not in points:
            report("points", N_("option %(id)s has no points"), id=option_id)
    for option_id, value in points.items():
        if option_id not in option_ids:
            report("points", N_("points for option '%(id)s', which does not exist"), id=option_id)
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            report("points", POINTS_RANGE, id=option_id, value=value)


def _check_irt(scoring: str, item: dict[str, Any], report: Any) -> None:
    irt = item.get("irt")
    if irt is None:
        return
    if not isinstance(irt, dict) or irt.get("model") not in IRT_MODELS[scoring]:
        allowed = " / ".join(IRT_MODELS[scoring])
        report(
            "irt",
            N_("the IRT model of a %(scoring)s item must be %(allowed)s"),
            scoring=scoring,
            allowed=allowed,
        )
        return
    a = irt.get("a")
    if not _is_number(a) or a <= 0:
        report("irt", N_("parameter a must be a number > 0, not %(a)s"), a=a)
    if irt["model"] in ("2pl", "3pl") and not _is_number(irt.get("b")):
        report("irt", N_("parameter b must be a number"))
    if irt["model"] == "3pl":
        c = irt.get("c")
        if not _is_number(c) or not 0 <= c < 0.5:
            report("irt", N_("parameter c must be in [0, 0.5), not %(c)s"), c=c)
    if irt["model"] == "grm":
        _check_thresholds(item, irt.get("thresholds"), report)


def _check_thresholds(item: dict[str, Any], thresholds: Any, report: Any) -> None:
    points = item.get("points")
    categories = len(set(points.values())) if isinstance(points, dict) else None
    if not isinstance(thresholds, list) or not all(_is_number(t) for t in thresholds):
        report("irt", N_("thresholds must be a list of numbers"))
        return
    if any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)):
        report("irt", N_("thresholds must be strictly increasing"))
    if categories is not None and len(thresholds) != categories - 1:
        report("irt", THRESHOLD_COUNT, needed=categories - 1, categories=categories)


def _check_time_hint(item: dict[str, Any], report: Any) -> None:
    hint = item.get("time_hint_seconds")
    if hint is not None and (not isinstance(hint, int) or isinstance(hint, bool) or hint <= 0):
        report("time_hint_seconds", N_("must be a positive whole number (seconds)"))


def _read_figures(path: Path, item: dict[str, Any], report: Any) -> dict[str, str | None]:
    """The SVG text of the item figure and of each option figure, keyed '' and option id."""
    figures: dict[str, str | None] = {"": _read_figure(path, item, "figure", report)}
    for index, option in enumerate(item.get("options") or [], start=1):
        if isinstance(option, dict):
            figures[str(option.get("id"))] = _read_figure(
                path, option, f"options[{index}].figure", report
            )
    return figures


def _read_figure(path: Path, holder: dict[str, Any], where: str, report: Any) -> str | None:
    ref, inline = holder.get("figure"), holder.get("figure_svg")
    if ref is not None and inline is not None:
        report(where, N_("give 'figure' or 'figure_svg', not both"))
        return None
    svg: str | None
    if inline is not None:
        svg = str(inline)
    elif ref is not None:
        svg = _read_figure_file(path, str(ref), where, report)
        if svg is None:
            return None
    else:
        return None
    for problem in svg_problems(svg):
        report(where, "%(problem)s", problem=problem)  # svg_problems() gives finished text
    return svg


def _read_figure_file(path: Path, ref: str, where: str, report: Any) -> str | None:
    target = (path.parent / ref).resolve()
    if not target.is_relative_to(path.parent.resolve()) or target.suffix.lower() != ".svg":
        report(where, FIGURE_PLACE, ref=ref)
        return None
    if not target.is_file():
        report(where, N_("figure file '%(ref)s' not found"), ref=ref)
        return None
    return target.read_text(encoding="utf-8")


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _warn_near_duplicates(bank: LoadedBank) -> None:
    for first, second, score in near_duplicate_stems(bank.items):
        bank.warnings.append(
            Problem(
                second["source"],
                second["code"],
                "stem",
                translate(
                    NEAR_DUPLICATE,
                    {"code": first["code"], "file": first["source"], "score": f"{score:.2f}"},
                ),
            )
        )
