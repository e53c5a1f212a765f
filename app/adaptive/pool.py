"""An adaptive section's item pool as arrays, ordered by item code so indices (and ties in
information, which go to the lower index) do not depend on how the items were read."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.psychometrics import irt, simulation

Array = NDArray[np.float64]
Index = NDArray[np.intp]


@dataclass(frozen=True)
class PoolEntry:
    code: str
    theme: str | None
    params: Mapping[str, Any]  # bank / parameter-set IRT: {a, b[, c]} or {a, thresholds}


class ItemPool:
    """Keyed (2PL / 3PL) and graded (GRM) items side by side; a graded item's response is its
    0-based category, a keyed item's 1 (right) or 0."""

    def __init__(self, entries: Sequence[PoolEntry]) -> None:
        entries = sorted(entries, key=lambda e: e.code)
        codes = [e.code for e in entries]
        if len(set(codes)) != len(codes):
            raise ValueError("pool: duplicate item codes")
        self.codes = tuple(codes)
        self.themes = tuple(e.theme for e in entries)
        self.theme_names = tuple(sorted({t for t in self.themes if t is not None}))
        number: dict[str | None, int] = {theme: n for n, theme in enumerate(self.theme_names)}
        self.theme_ids = np.array([number.get(t, -1) for t in self.themes], dtype=np.intp)
        self.graded = np.array(["thresholds" in e.params for e in entries], dtype=bool)
        self.keyed_index: Index = np.flatnonzero(~self.graded)
        self.graded_index: Index = np.flatnonzero(self.graded)
        keyed = [entries[i].params for i in self.keyed_index]
        self.a = np.array([float(p["a"]) for p in keyed])
        self.b = np.array([float(p["b"]) for p in keyed])
        self.c = np.array([float(p.get("c", 0.0)) for p in keyed])
        graded = [entries[i].params for i in self.graded_index]
        self.graded_a = np.array([float(p["a"]) for p in graded])
        self.thresholds = [np.asarray(p["thresholds"], dtype=float) for p in graded]
        self.padded = irt.padded_thresholds(self.thresholds)
        # position of each pool item among the keyed or the graded items
        self.within = np.zeros(len(entries), dtype=np.intp)
        self.within[self.keyed_index] = np.arange(self.keyed_index.size)
        self.within[self.graded_index] = np.arange(self.graded_index.size)
        self._half_grid_logs: tuple[Array, Array] | None = None

    def __len__(self) -> int:
        return len(self.codes)

    def information(self, theta: float) -> Array:
        """Every item's Fisher information at θ."""
        at = np.array([theta])
        info = np.empty(len(self))
        if self.keyed_index.size:
            info[self.keyed_index] = irt.keyed_information(at, self.a, self.b, self.c)[0]
        if self.graded_index.size:
            info[self.graded_index] = irt.graded_information(at, self.graded_a, self.padded)[0]
        return info

    def theme_mask(self, theme: str) -> NDArray[np.bool_]:
        if theme not in self.theme_names:
            return np.zeros(len(self), dtype=bool)
        mask: NDArray[np.bool_] = self.theme_ids == self.theme_names.index(theme)
        return mask

    def themes_among(self, mask: NDArray[np.bool_]) -> set[str]:
        present = self.theme_counts(self.theme_ids[mask])
        return {self.theme_names[i] for i in np.flatnonzero(present)}

    def theme_counts(self, theme_ids: NDArray[np.intp]) -> NDArray[np.intp]:
        """How many of the given theme ids name each theme (−1, no theme, left out)."""
        counts: NDArray[np.intp] = np.bincount(theme_ids + 1, minlength=len(self.theme_names) + 1)
        return counts[1:]

    def log_likelihood(self, items: Sequence[int], responses: Sequence[int], grid: Array) -> Array:
        """log L of one taker's answers on the grid, shape (1, len(grid)), with scoring's
        item models (`irt.dichotomous_log_likelihood`, `irt.graded_log_likelihood`)."""
        total = np.zeros((1, grid.size))
        items_array = np.asarray(items, dtype=np.intp)
        values = np.asarray(responses, dtype=float)
        graded = self.graded[items_array] if items_array.size else np.zeros(0, dtype=bool)
        keyed_rows = self.within[items_array[~graded]]
        if keyed_rows.size and grid is irt.HALF_GRID:
            right, wrong = self._keyed_logs_on_half_grid()
            chosen = values[~graded][:, None]
            total += (chosen * right[keyed_rows] + (1.0 - chosen) * wrong[keyed_rows]).sum(axis=0)
        elif keyed_rows.size:
            total += irt.dichotomous_log_likelihood(
                values[~graded][None, :],
                self.a[keyed_rows],
                self.b[keyed_rows],
                self.c[keyed_rows],
                grid,
            )
        graded_rows = self.within[items_array[graded]]
        if graded_rows.size:
            total += irt.graded_log_likelihood(
                values[graded][None, :],
                self.graded_a[graded_rows],
                [self.thresholds[r] for r in graded_rows],
                grid,
            )
        return total

    def prepare(self) -> None:
        """Compute now what the first EAP would (a worker's pool is read once, off the path
        of an answer)."""
        if self.keyed_index.size:
            self._keyed_logs_on_half_grid()

    def _keyed_logs_on_half_grid(self) -> tuple[Array, Array]:
        """log P(right), log P(wrong) of every keyed item on scoring's first grid, items ×
        grid, computed once: the EAP after each answer then only sums rows."""
        if self._half_grid_logs is None:
            right, wrong = irt.log_p_correct(irt.HALF_GRID, self.a, self.b, self.c)
            self._half_grid_logs = (np.ascontiguousarray(right.T), np.ascontiguousarray(wrong.T))
        return self._half_grid_logs

    def simulated_response(self, item: int, theta: float, rng: np.random.Generator) -> int:
        """A response drawn from the item's model (app.psychometrics.simulation) for a simulee."""
        at, row = np.array([theta]), self.within[item]
        if self.graded[item]:
            drawn = simulation.graded(rng, at, self.graded_a[row : row + 1], [self.thresholds[row]])
        else:
            drawn = simulation.keyed(
                rng, at, self.a[row : row + 1], self.b[row : row + 1], self.c[row : row + 1]
            )
        return int(drawn[0, 0])
