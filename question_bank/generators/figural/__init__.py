"""Deterministic generator of original figural-reasoning items (subtest `figural`).

Themes, one module each: seri gambar (`series`), analogi gambar (`analogies`), rotasi
(`rotation`), jumlah sisi (`sides`). Pictures are inline SVG built by
`question_bank.generators.svg`; picture options differ from the key by one property (angle,
number of sides, shading, number of dots, mirror image), number options by a small count.
"""

from __future__ import annotations

from question_bank.generators.common import Template
from question_bank.generators.figural import analogies, rotation, series, sides
from question_bank.generators.subtest import SubtestGenerator

SEED = 20261129

# Theme order is file order and the order of the id blocks in the sample.
TEMPLATES: dict[str, list[Template]] = {
    theme.THEME: theme.TEMPLATES for theme in (series, analogies, rotation, sides)
}

FIGURAL = SubtestGenerator(
    subtest="figural",
    title="Penalaran Figural",
    module="question_bank.generators.figural",
    templates=TEMPLATES,
    seed=SEED,
    sample_count=72,
    sample_prefix="FIG",
)
generate = FIGURAL.generate
write_sample = FIGURAL.write_sample
main = FIGURAL.main
