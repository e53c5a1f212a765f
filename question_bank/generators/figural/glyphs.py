"""Glyph choices and changes that several figural themes share."""

from __future__ import annotations

from dataclasses import replace

from question_bank.generators.common import StableRng
from question_bank.generators.svg import FAMILY_NAMES, POLYGON_NAMES, Glyph

SHADES = ["putih", "abu-abu", "hitam"]
ORIENTED = list(FAMILY_NAMES)
CHIRAL = ["bendera", "bentuk_l"]  # no mirror symmetry: a mirror image is never a rotation


def family_name(glyph: Glyph) -> str:
    if glyph.family == "poligon":
        return POLYGON_NAMES[glyph.sides]
    if glyph.family == "titik":
        return f"{glyph.outline} bertitik"
    return FAMILY_NAMES.get(glyph.family, "bangun")


def random_angle(rng: StableRng) -> int:
    return 45 * rng.randbelow(8)


def mirrored(glyph: Glyph) -> Glyph:
    """Left–right mirror image: M·R(a)·M^m = R(−a)·M^(m+1)."""
    return replace(glyph, angle=-glyph.angle, mirrored=not glyph.mirrored)
