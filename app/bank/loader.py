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

ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
OPTION_ID = re.compile(r"^[A-F]$")
SCORING_KINDS = ("keyed", "graded")
IRT_MODELS = {"keyed": ("2pl", "3pl"), "graded": ("grm",)}


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
        bank.problems.append(Problem(str(root), None, "path", "bukan folder bank soal"))
        return bank
    if not (root / "subtests.yaml").exists():
        # The parent of a bank (`question_bank` for `question_bank/sample`): one line that
        # names the bank(s) below, not a problem for every item of them.
        banks = sorted(p.parent for p in root.rglob("subtests.yaml"))
        if banks:
            named = ", ".join(f"{p} ({p / 'subtests.yaml'})" for p in banks)
            message = f"bukan folder bank (tidak ada subtests.yaml di sini); bank ada di: {named}"
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
        bank.problems.append(Problem(_rel(bank, path), None, "yaml", f"tidak dapat dibaca: {exc}"))
        return None


def _load_subtests(bank: LoadedBank) -> None:
    path = bank.root / "subtests.yaml"
    rel = _rel(bank, path)
    if not path.exists():
        bank.problems.append(Problem(rel, None, "subtests", "berkas subtests.yaml tidak ada"))
        return
    data = _read_yaml(bank, path)
    entries = data.get("subtests") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        bank.problems.append(Problem(rel, None, "subtests", "harus berisi daftar 'subtests'"))
        return
    for index, entry in enumerate(entries, start=1):
        _add_subtest(bank, rel, index, entry)


def _add_subtest(bank: LoadedBank, rel: str, index: int, entry: Any) -> None:
    where = f"subtests[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
        bank.problems.append(Problem(rel, None, where, "setiap subtes perlu 'code' (teks)"))
        return
    code = entry["code"]
    if code in bank.subtests:
        bank.problems.append(Problem(rel, None, f"{where}.code", f"kode '{code}' ganda"))
    scoring = entry.get("scoring")
    if scoring not in SCORING_KINDS:
        bank.problems.append(Problem(rel, None, f"{where}.scoring", "harus 'keyed' atau 'graded'"))
    themes = entry.get("themes")
    if themes is not None and not (
        isinstance(themes, list) and all(isinstance(t, str) for t in themes)
    ):
        bank.problems.append(Problem(rel, None, f"{where}.themes", "harus daftar teks"))
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
        bank.problems.append(
            Problem(_rel(bank, path), None, "items", "berkas butir harus berisi daftar 'items'")
        )
        return
    defaults = {k: data[k] for k in ("subtest", "theme", "subtheme") if k in data}
    for raw in data["items"]:
        yield raw, defaults


def _check_item(
    bank: LoadedBank, path: Path, raw: Any, defaults: dict[str, Any], seen: dict[str, str]
) -> None:
    rel = _rel(bank, path)
    if not isinstance(raw, dict):
        bank.problems.append(Problem(rel, None, "items", "setiap butir harus berupa pemetaan"))
        return
    item = {**defaults, **raw}
    item_id = item.get("id")
    problems: list[Problem] = []

    def report(field_name: str, message: str) -> None:
        problems.append(Problem(rel, str(item_id) if item_id else None, field_name, message))

    if not isinstance(item_id, str) or not ITEM_ID.match(item_id):
        report("id", "id butir wajib: huruf, angka, '-' atau '_' (maks. 64)")
    elif item_id in seen:
        report("id", f"id ganda, sudah dipakai di {seen[item_id]}")
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
        report("subtest", "subtes wajib diisi")
        return None
    subtest = bank.subtests.get(code)
    if subtest is None:
        report("subtest", f"subtes '{code}' tidak dikenal (lihat subtests.yaml)")
        return None
    theme = item.get("theme")
    if theme is not None and not isinstance(theme, str):
        report("theme", "tema harus teks")
    elif subtest.themes is not None and theme not in subtest.themes:
        report("theme", f"tema '{theme}' tidak ada dalam daftar tema subtes '{code}'")
    return subtest


def _check_stem(item: dict[str, Any], report: Any) -> None:
    stem = item.get("stem")
    if not isinstance(stem, str) or not stem.strip():
        report("stem", "teks soal wajib diisi")


def _check_options(path: Path, item: dict[str, Any], report: Any) -> list[str]:
    options = item.get("options")
    if not isinstance(options, list) or not 2 <= len(options) <= 6:
        report("options", "harus ada 2 sampai 6 pilihan")
        return []
    ids: list[str] = []
    for index, option in enumerate(options, start=1):
        where = f"options[{index}]"
        if not isinstance(option, dict):
            report(where, "pilihan harus berupa pemetaan {id, text}")
            continue
        option_id = option.get("id")
        if not isinstance(option_id, str) or not OPTION_ID.match(option_id):
            report(f"{where}.id", "id pilihan harus satu huruf A-F")
        elif option_id in ids:
            report(f"{where}.id", f"id pilihan '{option_id}' ganda")
        else:
            ids.append(option_id)
        has_text = isinstance(option.get("text"), str | int | float) and str(option["text"]).strip()
        if not has_text and not option.get("figure") and not option.get("figure_svg"):
            report(where, "pilihan perlu teks atau gambar")
    return ids


def _check_scoring(scoring: str, item: dict[str, Any], option_ids: list[str], report: Any) -> None:
    key, points = item.get("key"), item.get("points")
    if scoring == "keyed":
        if points is not None:
            report("points", "subtes berkunci tunggal tidak memakai 'points'")
        if key is None:
            report("key", "kunci jawaban wajib diisi")
        elif option_ids and key not in option_ids:
            report("key", f"kunci '{key}' tidak ada di antara pilihan {', '.join(option_ids)}")
        return
    if key is not None:
        report("key", "subtes bergradasi memakai 'points', bukan 'key'")
    if not isinstance(points, dict):
        report("points", "nilai 1-5 untuk setiap pilihan wajib diisi")
        return
    for option_id in option_ids:
        if option_id not in points:
            report("points", f"pilihan {option_id} tidak diberi nilai")
    for option_id, value in points.items():
        if option_id not in option_ids:
            report("points", f"nilai untuk pilihan '{option_id}' yang tidak ada")
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            report("points", f"nilai pilihan {option_id} harus bilangan bulat 1-5, bukan {value}")


def _check_irt(scoring: str, item: dict[str, Any], report: Any) -> None:
    irt = item.get("irt")
    if irt is None:
        return
    if not isinstance(irt, dict) or irt.get("model") not in IRT_MODELS[scoring]:
        allowed = " atau ".join(IRT_MODELS[scoring])
        report("irt", f"model IRT untuk butir {scoring} harus {allowed}")
        return
    a = irt.get("a")
    if not _is_number(a) or a <= 0:
        report("irt", f"parameter a harus bilangan > 0, bukan {a}")
    if irt["model"] in ("2pl", "3pl") and not _is_number(irt.get("b")):
        report("irt", "parameter b wajib berupa bilangan")
    if irt["model"] == "3pl":
        c = irt.get("c")
        if not _is_number(c) or not 0 <= c < 0.5:
            report("irt", f"parameter c harus dalam [0, 0.5), bukan {c}")
    if irt["model"] == "grm":
        _check_thresholds(item, irt.get("thresholds"), report)


def _check_thresholds(item: dict[str, Any], thresholds: Any, report: Any) -> None:
    points = item.get("points")
    categories = len(set(points.values())) if isinstance(points, dict) else None
    if not isinstance(thresholds, list) or not all(_is_number(t) for t in thresholds):
        report("irt", "thresholds harus daftar bilangan")
        return
    if any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)):
        report("irt", "thresholds harus naik tegas (strictly increasing)")
    if categories is not None and len(thresholds) != categories - 1:
        report("irt", f"perlu {categories - 1} thresholds untuk {categories} nilai berbeda")


def _check_time_hint(item: dict[str, Any], report: Any) -> None:
    hint = item.get("time_hint_seconds")
    if hint is not None and (not isinstance(hint, int) or isinstance(hint, bool) or hint <= 0):
        report("time_hint_seconds", "harus bilangan bulat positif (detik)")


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
        report(where, "isi 'figure' atau 'figure_svg', tidak keduanya")
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
        report(where, problem)
    return svg


def _read_figure_file(path: Path, ref: str, where: str, report: Any) -> str | None:
    target = (path.parent / ref).resolve()
    if not target.is_relative_to(path.parent.resolve()) or target.suffix.lower() != ".svg":
        report(where, f"gambar '{ref}' harus berkas .svg di folder berkas butir ini")
        return None
    if not target.is_file():
        report(where, f"berkas gambar '{ref}' tidak ditemukan")
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
                f"teks soal sangat mirip dengan {first['code']} ({first['source']}), "
                f"kemiripan {score:.2f}",
            )
        )
