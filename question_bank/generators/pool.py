"""A larger generated bank for load tests and full-length forms.

`write_pool(DIR, 1200)` writes DIR/subtests.yaml (a copy of the sample's) and about half
numerik, half figural items (POOL-NUM-00001 …, POOL-FIG-00001 …) in files of at most 200 items.
Stems are kept varied but, unlike the committed sample, not held strictly below the
near-duplicate limit: a few thousand templated stems cannot all be that different.
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from pathlib import Path

from question_bank.generators import figural, numerik
from question_bank.generators.common import write_chunks

POOL_SEED = 20261201
ITEMS_PER_FILE = 200
ID_DIGITS = 5
SUBTESTS_FILE = Path(__file__).resolve().parents[1] / "sample" / "subtests.yaml"
HEADER = (
    "Bank soal hasil generator untuk uji beban (question_bank.generators.pool), seed {seed}.\n"
    "Parameter IRT ilustratif, belum dikalibrasi."
)


def clear_old_chunks(folder: Path, name: str) -> None:
    """Remove chunk files of an earlier, larger pool so no stale items stay in the bank."""
    for path in folder.glob(f"{name}-*.yaml"):
        path.unlink()


def write_subtest(folder: Path, name: str, items: list[dict], header: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    clear_old_chunks(folder, name)
    write_chunks(folder, name, items, header, ITEMS_PER_FILE)


def write_pool(out_dir: Path, items: int, seed: int = POOL_SEED) -> int:
    """Write a generated bank of `items` items to `out_dir`; returns the number written."""
    if items < 0:
        raise ValueError("items must not be negative")
    numerik_count = (items + 1) // 2
    figural_count = items - numerik_count
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SUBTESTS_FILE, out_dir / "subtests.yaml")
    header = HEADER.format(seed=seed)
    numerik_items = numerik.generate(
        numerik_count, seed, "POOL-NUM", digits=ID_DIGITS, strict_stems=False
    )
    # A different seed for figural keeps the two subtests' streams independent.
    figural_items = figural.generate(
        figural_count, seed + 1, "POOL-FIG", digits=ID_DIGITS, strict_stems=False
    )
    write_subtest(out_dir / "numerik", "pool-numerik", numerik_items, header)
    write_subtest(out_dir / "figural", "pool-figural", figural_items, header)
    return len(numerik_items) + len(figural_items)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Tulis bank soal besar hasil generator.")
    parser.add_argument("out", type=Path, help="folder keluaran")
    parser.add_argument("--items", type=int, default=1200, help="banyak soal (default 1200)")
    parser.add_argument("--seed", type=int, default=POOL_SEED)
    args = parser.parse_args(argv)
    print(write_pool(args.out, args.items, args.seed))


if __name__ == "__main__":
    main()
