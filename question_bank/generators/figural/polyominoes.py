"""Polyominoes (shapes of unit squares): growing, turning, mirroring and tracing their outline."""

from __future__ import annotations

from collections.abc import Sequence

from question_bank.generators.common import StableRng
from question_bank.generators.svg import Cell

Corner = tuple[int, int]


def normalize(cells: Sequence[Cell]) -> tuple[Cell, ...]:
    """Cells shifted to start at (0, 0) and sorted, so equal shapes compare equal."""
    left = min(x for x, _ in cells)
    top = min(y for _, y in cells)
    return tuple(sorted((x - left, y - top) for x, y in cells))


def turned(cells: Sequence[Cell], angle: int) -> tuple[Cell, ...]:
    """Rotate by a multiple of 90° clockwise (screen y grows downwards)."""
    result = tuple(cells)
    for _ in range((angle // 90) % 4):
        result = normalize([(-y, x) for x, y in result])
    return normalize(result)


def flipped(cells: Sequence[Cell]) -> tuple[Cell, ...]:
    return normalize([(-x, y) for x, y in cells])


def grow_polyomino(rng: StableRng, size: int) -> tuple[Cell, ...]:
    """Random connected set of unit squares, grown one neighbour at a time."""
    cells = {(0, 0)}
    while len(cells) < size:
        frontier = sorted(
            {(x + dx, y + dy) for x, y in cells for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))}
            - cells
        )
        cells.add(rng.choice(frontier))
    return normalize(list(cells))


def fits(cells: Sequence[Cell], limit: int = 4) -> bool:
    return max(max(x, y) for x, y in cells) < limit


def without_symmetry(cells: Sequence[Cell]) -> bool:
    """All 8 rotations and mirror images differ, so every option is visibly distinct."""
    images = {turned(cells, a) for a in (0, 90, 180, 270)}
    images |= {turned(flipped(cells), a) for a in (0, 90, 180, 270)}
    return len(images) == 8


def asymmetric_polyomino(rng: StableRng, size: int) -> tuple[Cell, ...]:
    while True:
        cells = grow_polyomino(rng, size)
        if fits(cells) and without_symmetry(cells):
            return cells


def boundary_walk(cells: Sequence[Cell]) -> list[Corner] | None:
    """Grid points along the outer edge in walking order, or None when the edge is not one
    simple loop (a hole, or two squares touching only at a corner)."""
    edges = []
    for x, y in cells:
        corners = [(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1)]
        edges += [(corners[i], corners[(i + 1) % 4]) for i in range(4)]
    edge_set = set(edges)
    # An edge shared by two squares appears once each way; the outline is what is left.
    boundary = [(a, b) for a, b in edges if (b, a) not in edge_set]
    following: dict[Corner, Corner] = {}
    for start, end in boundary:
        if start in following:
            return None
        following[start] = end
    path = [min(following)]
    while following[path[-1]] != path[0]:
        path.append(following[path[-1]])
    return path if len(path) == len(boundary) else None


def heading(a: Corner, b: Corner) -> Corner:
    return b[0] - a[0], b[1] - a[1]


def outline_corners(cells: Sequence[Cell]) -> list[Corner] | None:
    """Corners of a polyomino's outer edge in walking order (points where the walk turns), or
    None when the outline is not one simple loop."""
    path = boundary_walk(cells)
    if path is None:
        return None
    size = len(path)
    return [
        path[i]
        for i in range(size)
        if heading(path[i - 1], path[i]) != heading(path[i], path[(i + 1) % size])
    ]
