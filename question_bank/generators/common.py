"""Shared helpers for the item generators: stable PRNG, options, stems, IRT and YAML output."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T")

OPTION_LETTERS = "ABCDEF"
WRITTEN = date(2026, 11, 28)  # fixed, so re-running the generators changes nothing
STEM_SIMILARITY_LIMIT = 0.85
MAX_STEM_ATTEMPTS = 60
LENIENT_STEM_ATTEMPTS = 6


# --------------------------------------------------------------------------- PRNG


class StableRng:
    """Tiny PRNG whose output depends only on (seed, label, counter).

    `random.Random` does not promise stable shuffle/choice/sample across Python versions; this
    stream is blake2b over fixed bytes, so the same seed gives the same items everywhere.
    """

    def __init__(self, seed: int, label: str = "") -> None:
        self._prefix = f"{seed}|{label}|".encode()
        self._label = label
        self._seed = seed
        self._counter = 0

    def child(self, label: str) -> StableRng:
        """An independent stream, so one part drawing more numbers never shifts another part."""
        return StableRng(self._seed, f"{self._label}/{label}")

    def next_u64(self) -> int:
        data = self._prefix + self._counter.to_bytes(8, "big")
        self._counter += 1
        return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")

    def randbelow(self, n: int) -> int:
        """Uniform integer in [0, n) by rejection sampling (no modulo bias)."""
        if n <= 0:
            raise ValueError("randbelow needs n > 0")
        span = 1 << 64
        limit = span - span % n
        while True:
            value = self.next_u64()
            if value < limit:
                return value % n

    def randint(self, low: int, high: int) -> int:
        """Uniform integer in [low, high], both ends included."""
        return low + self.randbelow(high - low + 1)

    def choice(self, items: Sequence[T]) -> T:
        return items[self.randbelow(len(items))]

    def chance(self, numerator: int, denominator: int) -> bool:
        return self.randbelow(denominator) < numerator

    def shuffle(self, items: list[T]) -> None:
        """Fisher–Yates in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.randbelow(i + 1)
            items[i], items[j] = items[j], items[i]

    def shuffled(self, items: Iterable[T]) -> list[T]:
        result = list(items)
        self.shuffle(result)
        return result

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        return self.shuffled(items)[:k]


class KeyDealer:
    """Deals key positions from shuffled decks so every letter is the key about equally often."""

    def __init__(self, rng: StableRng) -> None:
        self._rng = rng
        self._decks: dict[int, list[int]] = {}

    def deal(self, option_count: int) -> int:
        deck = self._decks.setdefault(option_count, [])
        if not deck:
            deck.extend(self._rng.shuffled(range(option_count)))
        return deck.pop()


# --------------------------------------------------------------------------- numbers


def format_number(value: Fraction | int) -> str:
    """Indonesian notation: dot between thousands, comma before decimals (1.250,5)."""
    value = Fraction(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole, rest = divmod(value.numerator, value.denominator)
    decimals = ""
    while rest and len(decimals) < 6:
        digit, rest = divmod(rest * 10, value.denominator)
        decimals += str(digit)
    if rest:
        raise ValueError(f"{value} has no short decimal form")
    text = f"{whole:,}".replace(",", ".")
    return sign + text + ("," + decimals if decimals else "")


def format_fraction(value: Fraction) -> str:
    """Proper or mixed fraction as taught in Indonesian schools: 3/4, 1 5/12, 2."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole, rest = divmod(value.numerator, value.denominator)
    if rest == 0:
        return f"{sign}{whole}"
    if whole == 0:
        return f"{sign}{rest}/{value.denominator}"
    return f"{sign}{whole} {rest}/{value.denominator}"


def format_rupiah(value: Fraction | int) -> str:
    return "Rp" + format_number(value)


def format_percent(value: Fraction | int) -> str:
    return format_number(value) + "%"


def number_word(n: int) -> str:
    """Indonesian word for small counts used in stems (dua … dua belas)."""
    words = {
        1: "satu",
        2: "dua",
        3: "tiga",
        4: "empat",
        5: "lima",
        6: "enam",
        7: "tujuh",
        8: "delapan",
        9: "sembilan",
        10: "sepuluh",
        11: "sebelas",
        12: "dua belas",
    }
    return words.get(n, str(n))


# --------------------------------------------------------------------------- drafts and options


@dataclass(frozen=True)
class Draft:
    """One item before ids, key position and IRT are assigned."""

    theme: str
    subtheme: str
    template: str
    stem: str
    key_option: dict[str, str]
    distractor_options: list[dict[str, str]]
    difficulty: float
    time_hint_seconds: int
    figure_svg: str | None = None


Template = Callable[[StableRng], Draft]


@dataclass(frozen=True)
class TemplateInfo:
    """What stays fixed for one template: where its items are filed and their time hint."""

    theme: str
    subtheme: str
    name: str
    time_hint: int

    def draft(
        self,
        stem: str,
        key_option: dict[str, str],
        distractor_options: list[dict[str, str]],
        difficulty: float,
        *,
        figure: str | None = None,
        time_hint: int | None = None,
    ) -> Draft:
        """The Draft; difficulty is rounded so the written b stays short."""
        return Draft(
            theme=self.theme,
            subtheme=self.subtheme,
            template=self.name,
            stem=stem,
            key_option=key_option,
            distractor_options=distractor_options,
            difficulty=round(difficulty, 2),
            time_hint_seconds=self.time_hint if time_hint is None else time_hint,
            figure_svg=figure,
        )


def pick_distractors(
    key: Fraction,
    candidates: Iterable[Fraction | int],
    count: int,
    fmt: Callable[[Fraction], str],
    *,
    valid: Callable[[Fraction], bool] = lambda value: value > 0,
    step: Fraction | int = 1,
) -> list[str]:
    """First `count` candidate texts that are valid, printable and differ from the key and each
    other; near values key ± k·step fill the rest, so a template never runs short."""
    key = Fraction(key)
    seen = {fmt(key)}
    chosen: list[str] = []
    nearby = [key + Fraction(step) * k * sign for k in range(1, 40) for sign in (1, -1)]
    for value in [*map(Fraction, candidates), *nearby]:
        if len(chosen) == count:
            break
        if value == key or not valid(value):
            continue
        try:
            text = fmt(value)
        except ValueError:
            continue
        if text not in seen:
            seen.add(text)
            chosen.append(text)
    if len(chosen) < count:
        raise RuntimeError(f"not enough distractors for key {key}")
    return chosen


def text_options(
    rng: StableRng,
    key: Fraction,
    candidates: Iterable[Fraction | int],
    fmt: Callable[[Fraction], str],
    *,
    four_in: int,
    valid: Callable[[Fraction], bool],
    step: Fraction | int = 1,
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Key and distractor options as text: 4 options for about one item in `four_in`, else 5.

    The option count is drawn from the template's stream after its own draws; that order is
    part of what makes the committed sample, so keep it."""
    option_count = 4 if rng.chance(1, four_in) else 5
    texts = pick_distractors(key, candidates, option_count - 1, fmt, valid=valid, step=step)
    return {"text": fmt(key)}, [{"text": text} for text in texts]


def arrange_options(
    rng: StableRng, key_position: int, key_option: dict[str, str], distractors: list[dict[str, str]]
) -> tuple[list[dict[str, str]], str]:
    """Shuffle the distractors, put the key at the dealt position, letter them A, B, …"""
    entries = rng.shuffled(distractors)
    entries.insert(key_position, key_option)
    options = [{"id": OPTION_LETTERS[i], **entry} for i, entry in enumerate(entries)]
    return options, OPTION_LETTERS[key_position]


# --------------------------------------------------------------------------- stem similarity


def stem_bigrams(stem: str) -> frozenset[tuple[str, str]]:
    """Word bigrams as the bank checker sees them: lowercase, split on non-word characters."""
    words = [word for word in re.split(r"\W+", stem.lower()) if word]
    return frozenset(zip(words, words[1:], strict=False))


def jaccard(left: frozenset[Any], right: frozenset[Any]) -> float:
    union = left | right
    return len(left & right) / len(union) if union else 1.0


def similar_stem_pairs(
    stems: Sequence[str], limit: float = STEM_SIMILARITY_LIMIT
) -> list[tuple[int, int, float]]:
    """Index pairs of stems whose bigram Jaccard similarity reaches `limit`."""
    grams = [stem_bigrams(stem) for stem in stems]
    pairs = []
    for i in range(len(grams)):
        for j in range(i + 1, len(grams)):
            score = jaccard(grams[i], grams[j])
            if score >= limit:
                pairs.append((i, j, score))
    return pairs


def content_signature(draft: Draft) -> tuple[str, tuple[str, ...], str]:
    """Template, the numbers in the stem and the figure: two drafts with the same signature are
    the same question in other words, even when their stems differ enough for the checker."""
    return draft.template, tuple(re.findall(r"\d+", draft.stem)), draft.figure_svg or ""


class StemGuard:
    """Remembers accepted drafts; refuses a stem too similar to an earlier one, and a repeat of
    an earlier question's content."""

    def __init__(self, limit: float = STEM_SIMILARITY_LIMIT) -> None:
        self._limit = limit
        self._accepted: list[frozenset[tuple[str, str]]] = []
        self._signatures: set[tuple[str, tuple[str, ...], str]] = set()

    def accepts(self, draft: Draft) -> bool:
        if content_signature(draft) in self._signatures:
            return False
        grams = stem_bigrams(draft.stem)
        return all(jaccard(grams, other) < self._limit for other in self._accepted)

    def add(self, draft: Draft) -> None:
        self._accepted.append(stem_bigrams(draft.stem))
        self._signatures.add(content_signature(draft))


# --------------------------------------------------------------------------- IRT


def irt_2pl(rng: StableRng, difficulty: float) -> dict[str, Any]:
    """Illustrative (not calibrated) 2PL parameters: b from the template's formula, a in
    0.70–1.60 drawn in steps of 0.05 so the printed values stay short."""
    a_hundredths = 70 + 5 * rng.randbelow(19)
    b = max(-2.5, min(2.5, difficulty))
    return {"model": "2pl", "a": a_hundredths / 100, "b": round(b, 2)}


# --------------------------------------------------------------------------- item assembly


def theme_plan(templates: dict[str, list[Template]], count: int) -> list[tuple[str, Template]]:
    """Themes in equal contiguous blocks (so each theme file has consecutive ids); the templates
    of a theme take turns inside its block."""
    themes = list(templates)
    plan: list[tuple[str, Template]] = []
    used: dict[str, int] = dict.fromkeys(themes, 0)
    for offset in range(count):
        theme = themes[offset * len(themes) // count]
        options = templates[theme]
        plan.append((theme, options[used[theme] % len(options)]))
        used[theme] += 1
    return plan


def item_id(prefix: str, number: int, digits: int) -> str:
    return f"{prefix}-{number:0{digits}d}"


def draft_with_fresh_stem(
    template: Template, seed: int, label: str, guard: StemGuard, strict: bool
) -> Draft:
    """Redraw the template until its stem is not a near-duplicate of an earlier one.

    strict (the committed sample) fails loudly; lenient (big pools) accepts after a few tries.
    """
    attempts = MAX_STEM_ATTEMPTS if strict else LENIENT_STEM_ATTEMPTS
    draft = None
    for attempt in range(attempts):
        draft = template(StableRng(seed, f"{label}/{attempt}"))
        if guard.accepts(draft):
            return draft
    if strict or draft is None:
        raise RuntimeError(f"{label}: no stem below the similarity limit after {attempts} tries")
    return draft


def generator_meta(generator: str, template: str, seed: int) -> dict[str, Any]:
    """meta of a generated item: enough to regenerate it, and a reminder that IRT is a guess."""
    return {
        "author": "Tim Penyusun ProASN CAT (generator)",
        "written": WRITTEN,
        "source": "original",
        "generator": generator,
        "template": template,
        "seed": seed,
        "irt_status": "ilustratif, belum dikalibrasi",
        "reviewed_by": None,
    }


def build_item(
    *,
    item_id: str,
    subtest: str,
    draft: Draft,
    options: list[dict[str, str]],
    key: str,
    irt: dict[str, Any],
    meta: dict[str, Any],
) -> dict[str, Any]:
    """Item dict in the documented field order."""
    item: dict[str, Any] = {
        "id": item_id,
        "subtest": subtest,
        "theme": draft.theme,
        "subtheme": draft.subtheme,
        "stem": draft.stem,
    }
    if draft.figure_svg is not None:
        item["figure_svg"] = draft.figure_svg
    item.update(
        {
            "options": options,
            "key": key,
            "irt": irt,
            "time_hint_seconds": draft.time_hint_seconds,
            "meta": meta,
        }
    )
    return item


# --------------------------------------------------------------------------- YAML output


class _BankDumper(yaml.SafeDumper):
    """SafeDumper in the hand-written files' layout: indented lists, multi-line strings
    (inline SVG) as literal blocks, short mappings on one line."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a shared value (the date in meta) is written out, never as &id001


class _FlowMap(dict):
    """A mapping written on one line: {id: A, text: '12'}."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_flow_map(dumper: yaml.SafeDumper, data: _FlowMap) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


_BankDumper.add_representer(str, _represent_str)
_BankDumper.add_representer(_FlowMap, _represent_flow_map)


def _layout(item: dict[str, Any]) -> dict[str, Any]:
    """Copy of an item with the one-line mappings marked (options with text, irt, meta)."""
    shown = dict(item)
    shown["options"] = [
        _FlowMap(option) if "figure_svg" not in option else dict(option)
        for option in item["options"]
    ]
    for field in ("irt", "meta"):
        if field in shown:
            shown[field] = _FlowMap(shown[field])
    return shown


def dump_items(items: list[dict[str, Any]], header: str) -> str:
    """YAML text of one item file, with a comment header saying where it comes from."""
    body = yaml.dump(
        {"items": [_layout(item) for item in items]},
        Dumper=_BankDumper,
        allow_unicode=True,
        sort_keys=False,
        width=10_000,
        default_flow_style=False,
    )
    # A blank line between items, as in the hand-written files (items sit at indent 2).
    first, rest = body.split("\n  - id: ", 1) if "\n  - id: " in body else (body, None)
    if rest is not None:
        body = first + "\n  - id: " + rest.replace("\n  - id: ", "\n\n  - id: ")
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + body


def write_text(path: Path, text: str) -> None:
    """UTF-8 with LF line ends on every OS, so the bytes do not depend on the platform."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def theme_file_name(theme: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", theme.lower()).strip("_") + ".yaml"


def write_by_theme(
    out_dir: Path, items: list[dict[str, Any]], header: str, themes: Sequence[str]
) -> list[Path]:
    """One YAML file per theme, named after it (deret_angka.yaml, …)."""
    written = []
    for theme in themes:
        chosen = [item for item in items if item["theme"] == theme]
        if chosen:
            path = out_dir / theme_file_name(theme)
            write_text(path, dump_items(chosen, header))
            written.append(path)
    return written


def write_chunks(
    out_dir: Path, stem_name: str, items: list[dict[str, Any]], header: str, size: int
) -> list[Path]:
    """Items split into files of at most `size` items: NAME-001.yaml, NAME-002.yaml, …"""
    written = []
    for index in range(0, len(items), size):
        path = out_dir / f"{stem_name}-{index // size + 1:03d}.yaml"
        write_text(path, dump_items(items[index : index + size], header))
        written.append(path)
    return written
