"""Linking a calibration to the bank's scale through anchor items (items whose bank
parameters already stand on that scale).

A calibration's θ is the sample's own: N(0, 1) in the group that took the test. The bank's
scale is θ_bank = A θ_new + B, so each newly estimated item moves as

    a* = a / A,   b* = A b + B   (every GRM threshold as b),   c* = c

- **Mean/sigma**: A = SD(b_bank) / SD(b_new), B = mean(b_bank) − A mean(b_new), over the
  anchors' difficulties (a graded anchor's thresholds count as difficulties).
- **Stocking–Lord**: A and B that minimise the squared difference between the anchors' test
  characteristic curves (expected score over the anchors: the bank's parameters against the
  transformed new ones) on 41 points over [−4, 4], weighted by N(0, 1); started from
  mean/sigma and found by scipy's Nelder–Mead. It uses the whole curve, so one odd anchor
  difficulty moves it less than mean/sigma.

Linking error is not in the parameters' standard errors (SE(a*) = SE(a) / A,
SE(b*) = A SE(b)); the number of anchors is reported with A and B.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.i18n import N_, translate
from app.psychometrics import irt

Array = NDArray[np.float64]
MIN_ANCHORS = 5
GRID = np.linspace(-4.0, 4.0, 41)
METHODS = ("stocking-lord", "mean-sigma")


class LinkingRefused(Exception):
    pass


@dataclass(frozen=True)
class Anchor:
    """One anchor item: its bank parameters and its new ones (the same model in both):
    {"a", "b", "c"} for 2PL / 3PL, {"a", "thresholds"} for GRM."""

    bank: dict[str, Any]
    new: dict[str, Any]


@dataclass(frozen=True)
class Link:
    method: str
    slope: float  # A
    intercept: float  # B
    anchors: int

    def item(self, params: dict[str, Any]) -> dict[str, Any]:
        """An item's parameters moved to the bank's scale."""
        moved = dict(params, a=params["a"] / self.slope)
        if "b" in params:
            moved["b"] = self.slope * params["b"] + self.intercept
        if "thresholds" in params:
            moved["thresholds"] = [self.slope * t + self.intercept for t in params["thresholds"]]
        return moved

    def standard_errors(self, se: dict[str, Any]) -> dict[str, Any]:
        moved = dict(se, a=se["a"] / self.slope)
        if "b" in se:
            moved["b"] = self.slope * se["b"]
        if "thresholds" in se:
            moved["thresholds"] = [self.slope * t for t in se["thresholds"]]
        return moved


def link(anchors: list[Anchor], method: str = "stocking-lord") -> Link:
    if method not in METHODS:
        raise LinkingRefused(
            translate(N_("unknown linking method: %(method)s"), {"method": method})
        )
    if len(anchors) < MIN_ANCHORS:
        message = N_(
            "linking needs at least %(minimum)s anchor items with bank parameters; there are "
            "%(anchors)s"
        )
        raise LinkingRefused(translate(message, {"minimum": MIN_ANCHORS, "anchors": len(anchors)}))
    slope, intercept = _mean_sigma(anchors)
    if method == "stocking-lord":
        slope, intercept = _stocking_lord(anchors, slope, intercept)
    return Link(method, float(slope), float(intercept), len(anchors))


def _difficulties(params: dict[str, Any]) -> list[float]:
    return [params["b"]] if "b" in params else list(params["thresholds"])


def _mean_sigma(anchors: list[Anchor]) -> tuple[float, float]:
    bank = np.array([d for anchor in anchors for d in _difficulties(anchor.bank)])
    new = np.array([d for anchor in anchors for d in _difficulties(anchor.new)])
    if new.std() < 1e-9:
        raise LinkingRefused(translate(N_("the anchor items' difficulties do not vary")))
    slope = bank.std() / new.std()
    return slope, bank.mean() - slope * new.mean()


def expected_score(params: dict[str, Any], theta: Array) -> Array:
    """An item's expected score at each θ (P(correct), or Σ k P(k) for a graded item)."""
    if "thresholds" in params:
        probabilities = irt.grm_category_probabilities(
            theta, float(params["a"]), np.asarray(params["thresholds"], dtype=float)
        )
        return probabilities @ np.arange(probabilities.shape[1])
    one = np.array
    return irt.p_correct(
        theta, one([params["a"]]), one([params["b"]]), one([params.get("c", 0.0)])
    )[:, 0]


def _stocking_lord(anchors: list[Anchor], slope: float, intercept: float) -> tuple[float, float]:
    from scipy.optimize import minimize  # here: scipy is heavy, and the server never needs it

    weights = np.exp(-0.5 * GRID**2)
    weights /= weights.sum()
    target = sum(expected_score(anchor.bank, GRID) for anchor in anchors)

    def loss(x: Array) -> float:
        moved = Link("", float(x[0]), float(x[1]), 0)
        if x[0] <= 0:
            return float("inf")
        curve = sum(expected_score(moved.item(anchor.new), GRID) for anchor in anchors)
        return float(weights @ (target - curve) ** 2)

    found = minimize(
        loss,
        np.array([slope, intercept]),
        method="Nelder-Mead",
        options={"xatol": 1e-7, "fatol": 1e-12},
    )
    return float(found.x[0]), float(found.x[1])
