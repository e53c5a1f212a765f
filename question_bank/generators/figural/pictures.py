"""From a drawn question to a Draft: the `figure_template` and `picture_template` decorators.

A template function returns a `FigureAnswer` (stem, question figure, key, candidates); the
decorator adds theme, names and time hint and turns key and candidates into options: small
SVG pictures (`picture_options`) or numbers (`jumlah sisi`, in `sides`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from question_bank.generators.common import Draft, StableRng, TemplateInfo
from question_bank.generators.svg import Glyph, glyph_key, single_picture

K = TypeVar("K")
PICTURE_OPTIONS = 4
Options = tuple[dict[str, str], list[dict[str, str]]]


@dataclass(frozen=True)
class FigureAnswer(Generic[K]):
    """One drawn question: the key is a Glyph for picture options, a count for number options."""

    stem: str
    figure: str | None
    key: K
    candidates: Sequence[K]
    difficulty: float


@dataclass(frozen=True)
class FigureTemplate(Generic[K]):
    """A template: called with a StableRng it gives a Draft; `options` makes key and distractor
    options from the answer (and may draw from the rng after the template has)."""

    info: TemplateInfo
    work_out: Callable[[StableRng], FigureAnswer[K]]
    options: Callable[[StableRng, TemplateInfo, FigureAnswer[K]], Options]

    def __call__(self, rng: StableRng) -> Draft:
        answer = self.work_out(rng)
        key_option, distractors = self.options(rng, self.info, answer)
        return self.info.draft(
            answer.stem, key_option, distractors, answer.difficulty, figure=answer.figure
        )


def figure_template(
    info: TemplateInfo, options: Callable[[StableRng, TemplateInfo, FigureAnswer[K]], Options]
) -> Callable[[Callable[[StableRng], FigureAnswer[K]]], FigureTemplate[K]]:
    def wrap(work_out: Callable[[StableRng], FigureAnswer[K]]) -> FigureTemplate[K]:
        return FigureTemplate(info, work_out, options)

    return wrap


def distinct_pictures(key: Glyph, candidates: Sequence[Glyph], template: str) -> list[Glyph]:
    """The first distractors that look different from the key and from each other; compared by
    their drawing, not their labels, since two descriptions can draw the same picture."""
    seen = {glyph_key(key)}
    chosen: list[Glyph] = []
    for glyph in candidates:
        drawing = glyph_key(glyph)
        if drawing not in seen and len(chosen) < PICTURE_OPTIONS - 1:
            seen.add(drawing)
            chosen.append(glyph)
    if len(chosen) < PICTURE_OPTIONS - 1:
        raise RuntimeError(f"{template}: not enough distinct distractor pictures")
    return chosen


def picture_options(rng: StableRng, info: TemplateInfo, answer: FigureAnswer[Glyph]) -> Options:
    """Each option a framed single-glyph picture; always 4, so no draw from the rng."""
    chosen = distinct_pictures(answer.key, answer.candidates, info.name)
    distractors = [{"figure_svg": single_picture(glyph)} for glyph in chosen]
    return {"figure_svg": single_picture(answer.key)}, distractors


def picture_template(
    theme: str, subtheme: str, name: str, *, time_hint: int
) -> Callable[[Callable[[StableRng], FigureAnswer[Glyph]]], FigureTemplate[Glyph]]:
    return figure_template(TemplateInfo(theme, subtheme, name, time_hint), picture_options)
