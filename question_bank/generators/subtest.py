"""One generated subtest: its items, the committed sample and the command line.

numerik and figural differ only in these settings, so `generate`, `write_sample` and `main`
are written once here and bound to each subtest's `SubtestGenerator`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from question_bank.generators.common import (
    Draft,
    KeyDealer,
    StableRng,
    StemGuard,
    Template,
    arrange_options,
    build_item,
    draft_with_fresh_stem,
    generator_meta,
    irt_2pl,
    item_id,
    theme_plan,
    write_by_theme,
)

SAMPLE_ROOT = Path(__file__).resolve().parents[1] / "sample"


@dataclass(frozen=True)
class SubtestGenerator:
    """Settings of one subtest's generator; `module` is what `python -m` runs. The order of
    `templates` is the order of the theme files and of the id blocks in the sample."""

    subtest: str
    title: str
    module: str
    templates: dict[str, list[Template]]
    seed: int
    sample_count: int
    sample_prefix: str

    @property
    def sample_dir(self) -> Path:
        return SAMPLE_ROOT / self.subtest

    @property
    def sample_header(self) -> str:
        return (
            f"Sampel subtes {self.subtest} ({self.title}), dibuat oleh {self.module}\n"
            f"dengan seed {self.seed}. Jangan disunting manual: jalankan ulang\n"
            f"`python -m {self.module}`. Parameter IRT ilustratif, belum dikalibrasi."
        )

    def generate(
        self,
        count: int,
        seed: int,
        id_prefix: str,
        start: int = 1,
        *,
        digits: int = 4,
        strict_stems: bool = True,
    ) -> list[dict[str, Any]]:
        """`count` items with ids `{id_prefix}-{start:0{digits}d}` onwards, with balanced key
        letters and IRT parameters.

        strict_stems: fail rather than emit two stems with bigram Jaccard similarity ≥ 0.85.
        """
        dealer = KeyDealer(StableRng(seed, f"{self.subtest}/kunci"))
        guard = StemGuard()
        items = []
        for offset, (theme, template) in enumerate(theme_plan(self.templates, count)):
            label = f"{self.subtest}/{start + offset}"
            draft = draft_with_fresh_stem(template, seed, label, guard, strict_stems)
            if draft.theme != theme:
                raise RuntimeError(f"{label}: template gave theme {draft.theme!r}, plan {theme!r}")
            guard.add(draft)
            identifier = item_id(id_prefix, start + offset, digits)
            items.append(self.finished_item(draft, identifier, seed, label, dealer))
        return items

    def finished_item(
        self, draft: Draft, identifier: str, seed: int, label: str, dealer: KeyDealer
    ) -> dict[str, Any]:
        """The bank item of an accepted draft: options with the dealt key letter, IRT, meta."""
        # A stream of its own, so how often the stem was redrawn never changes options or IRT.
        finish_rng = StableRng(seed, f"{label}/susun")
        position = dealer.deal(len(draft.distractor_options) + 1)
        options, key = arrange_options(
            finish_rng, position, draft.key_option, draft.distractor_options
        )
        return build_item(
            item_id=identifier,
            subtest=self.subtest,
            draft=draft,
            options=options,
            key=key,
            irt=irt_2pl(finish_rng, draft.difficulty),
            meta=generator_meta(self.module, draft.template, seed),
        )

    def write_sample(self, out_dir: Path | None = None) -> list[Path]:
        """Write the committed sample (PREFIX-0001 …), one file per theme, to `out_dir` or to
        the sample folder."""
        items = self.generate(self.sample_count, self.seed, self.sample_prefix)
        folder = self.sample_dir if out_dir is None else out_dir
        return write_by_theme(folder, items, self.sample_header, list(self.templates))

    def main(self, argv: Sequence[str] | None = None) -> None:
        parser = argparse.ArgumentParser(description=f"Tulis sampel soal {self.subtest}.")
        parser.add_argument("--out", type=Path, default=self.sample_dir, help="folder keluaran")
        args = parser.parse_args(argv)
        for path in self.write_sample(args.out):
            print(path)
