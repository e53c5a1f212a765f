"""Irregular polygons whose sides can be counted at a glance."""

from __future__ import annotations

import math
from collections.abc import Sequence

from question_bank.generators.common import StableRng
from question_bank.generators.svg import Point


def turn_is_clear(before: Point, corner: Point, after: Point, minimum: float = 32) -> bool:
    """True when the polygon visibly bends at `corner` (no near-straight vertex)."""
    ux, uy = corner[0] - before[0], corner[1] - before[1]
    vx, vy = after[0] - corner[0], after[1] - corner[1]
    bend = math.degrees(math.atan2(abs(ux * vy - uy * vx), ux * vx + uy * vy))
    return bend >= minimum


def clear_polygon(points: Sequence[Point], min_edge: float) -> bool:
    count = len(points)
    for i in range(count):
        before, corner, after = points[i - 1], points[i], points[(i + 1) % count]
        if math.dist(corner, after) < min_edge or not turn_is_clear(before, corner, after):
            return False
    return True


def polar_vertex(rng: StableRng, index: int, sides: int, radius: float) -> Point:
    """Vertex `index` near angle index·360/sides (jitter under half a step keeps the angles
    sorted) at 40–100 % of the radius, rounded to the one decimal written in the SVG."""
    gap = 360 / sides
    angle = math.radians(-90 + index * gap + gap * rng.randint(-22, 22) / 100)
    reach = radius * rng.randint(40, 100) / 100
    return round(40 + reach * math.cos(angle), 1), round(40 + reach * math.sin(angle), 1)


def next_vertex(
    rng: StableRng, points: list[Point], index: int, sides: int, radius: float
) -> Point | None:
    """A vertex far enough from the last one that closes a clear corner; None after 40 tries."""
    min_edge = radius * 0.3
    for _ in range(40):
        vertex = polar_vertex(rng, index, sides, radius)
        long_enough = math.dist(points[-1], vertex) >= min_edge
        if long_enough and (index < 2 or turn_is_clear(points[-2], points[-1], vertex)):
            return vertex
    return None


def irregular_polygon(rng: StableRng, sides: int, radius: float = 32) -> tuple[Point, ...]:
    """Star-shaped polygon around (40, 40): angles sorted, so it never crosses itself; every
    side is long enough and every corner bends clearly, so the sides can be counted.

    Vertices are drawn one at a time and redrawn while the corner they close is unclear, so
    many-sided shapes (which need concave corners) are found quickly."""
    while True:
        points = [polar_vertex(rng, 0, sides, radius)]
        for index in range(1, sides):
            vertex = next_vertex(rng, points, index, sides, radius)
            if vertex is None:
                break
            points.append(vertex)
        big_enough = max(math.dist((40, 40), point) for point in points) >= radius * 0.85
        if len(points) == sides and big_enough and clear_polygon(points, radius * 0.3):
            return tuple(points)
