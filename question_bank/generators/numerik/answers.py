"""From a worked-out answer to a Draft: the `numeric_template` decorator.

A template function draws its numbers and returns an `Answer` (stem, exact key, the values a
typical mistake gives); the decorator adds what is fixed per template (theme, names, how the
value is printed, which values are allowed) and turns the answer into text options.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from question_bank.generators.common import (
    Draft,
    StableRng,
    TemplateInfo,
    format_number,
    format_rupiah,
    text_options,
)

Fmt = Callable[[Fraction], str]
Check = Callable[[Fraction], bool]
Number = Fraction | int


def positive(value: Fraction) -> bool:
    return value > 0


def positive_whole(value: Fraction) -> bool:
    return value > 0 and value.denominator == 1


@dataclass(frozen=True)
class Answer:
    """One drawn question; step and time_hint override the template's own when given."""

    stem: str
    key: Number
    candidates: Sequence[Number]
    difficulty: float
    step: Number | None = None
    time_hint: int | None = None


@dataclass(frozen=True)
class NumericTemplate:
    """A template: called with a StableRng it gives a Draft with text options."""

    info: TemplateInfo
    work_out: Callable[[StableRng], Answer]
    fmt: Fmt
    valid: Check
    step: Number

    def __call__(self, rng: StableRng) -> Draft:
        answer = self.work_out(rng)
        step = self.step if answer.step is None else answer.step
        key_option, distractors = text_options(
            rng,
            Fraction(answer.key),
            answer.candidates,
            self.fmt,
            four_in=4,
            valid=self.valid,
            step=step,
        )
        return self.info.draft(
            answer.stem, key_option, distractors, answer.difficulty, time_hint=answer.time_hint
        )


def numeric_template(
    theme: str,
    subtheme: str,
    name: str,
    *,
    time_hint: int,
    fmt: Fmt = format_number,
    valid: Check = positive,
    step: Number = 1,
) -> Callable[[Callable[[StableRng], Answer]], NumericTemplate]:
    """Decorator: `fmt` prints a value, `valid` says which distractor values may be offered,
    `step` spaces the near values that fill up the distractors."""

    def wrap(work_out: Callable[[StableRng], Answer]) -> NumericTemplate:
        return NumericTemplate(
            TemplateInfo(theme, subtheme, name, time_hint), work_out, fmt, valid, step
        )

    return wrap


def money_template(
    theme: str, subtheme: str, name: str, *, time_hint: int, step: Number = 1
) -> Callable[[Callable[[StableRng], Answer]], NumericTemplate]:
    """Decorator for amounts of money: printed Rp1.250.000 and, like any price, whole and
    positive."""
    return numeric_template(
        theme,
        subtheme,
        name,
        time_hint=time_hint,
        fmt=format_rupiah,
        valid=positive_whole,
        step=step,
    )
