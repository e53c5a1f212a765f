"""Deterministic generator of original numerical-reasoning items (subtest `numerik`).

Themes, one module each: deret angka (`series`), aritmetika (`arithmetic`), perbandingan dan
persentase (`ratios`), soal cerita (`word_problems`). Every template draws its numbers from a
`StableRng`, computes the key exactly with `Fraction`, and builds distractors from typical
mistakes (one step too many, wrong operation, forgotten step, inverted ratio).
"""

from __future__ import annotations

from question_bank.generators.common import Template
from question_bank.generators.numerik import arithmetic, ratios, series, word_problems
from question_bank.generators.subtest import SubtestGenerator

SEED = 20261128

# Theme order is file order and the order of the id blocks in the sample.
TEMPLATES: dict[str, list[Template]] = {
    theme.THEME: theme.TEMPLATES for theme in (series, arithmetic, ratios, word_problems)
}

NUMERIK = SubtestGenerator(
    subtest="numerik",
    title="Penalaran Numerik",
    module="question_bank.generators.numerik",
    templates=TEMPLATES,
    seed=SEED,
    sample_count=80,
    sample_prefix="NUM",
)
generate = NUMERIK.generate
write_sample = NUMERIK.write_sample
main = NUMERIK.main
