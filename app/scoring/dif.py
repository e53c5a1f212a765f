"""Differential item functioning: the Mantel–Haenszel procedure with the ETS A/B/C
classification (docs/scoring.md gives the formulas and a worked example).

Takers are matched on their subtest total score (one stratum per total); in stratum k, A/B
are the reference group's right/wrong answers to the item, C/D the focal group's, N the
stratum's size:

    α_MH = Σ(A·D/N) / Σ(B·C/N)          common odds ratio (> 1: the item favours the reference)
    Δ_MH = −2.35 · ln α_MH               ETS delta scale (negative: harder for the focal group)
    χ²_MH = (|ΣA − ΣE(A)| − ½)² / ΣVar(A),   E(A) = n_R·m_1/N,  Var(A) = n_R·n_F·m_1·m_0 / (N²(N−1))
    SE(Δ) = 2.35 · √Var(ln α_MH)         (Robins–Breslow–Greenland)

ETS: C when |Δ| ≥ 1.5 and |Δ| is significantly above 1 (one-sided 5 %: (|Δ| − 1)/SE > 1.645);
A when |Δ| < 1 or χ² is not significant (p ≥ 0.05); B otherwise. Reported only when both
groups have at least MIN_GROUP takers who saw the item (smaller groups make Δ meaningless).
Keyed (0/1) items only.
"""

import math
from dataclasses import dataclass

import numpy as np

MIN_GROUP = 100
CHI2_CRITICAL = 3.841  # χ²(1) at 5 %


@dataclass(frozen=True)
class Dif:
    n_reference: int
    n_focal: int
    alpha: float | None
    delta: float | None
    se_delta: float | None
    chi2: float | None
    ets: str | None  # A, B, C; None when a group is under MIN_GROUP or α is undefined


def mantel_haenszel(
    right: np.ndarray, focal: np.ndarray, strata: np.ndarray, min_group: int = MIN_GROUP
) -> Dif:
    """`right`: 1/0 per taker who saw the item; `focal`: True for the focal group's takers;
    `strata`: the matching score of each taker."""
    n_focal = int(focal.sum())
    n_reference = int(focal.size - n_focal)
    if min(n_focal, n_reference) < min_group:
        return Dif(n_reference, n_focal, None, None, None, None, None)
    sums = {"R": 0.0, "S": 0.0, "PR": 0.0, "PS_QR": 0.0, "QS": 0.0, "A": 0.0, "E": 0.0, "V": 0.0}
    for level in np.unique(strata):
        here = strata == level
        ref, foc = here & ~focal, here & focal
        a, b = float(right[ref].sum()), float((1 - right[ref]).sum())
        c, d = float(right[foc].sum()), float((1 - right[foc]).sum())
        n = a + b + c + d
        if n < 2 or a + b == 0 or c + d == 0:
            continue  # a stratum with one group only says nothing about the difference
        r, s = a * d / n, b * c / n
        p, q = (a + d) / n, (b + c) / n
        sums["R"] += r
        sums["S"] += s
        sums["PR"] += p * r
        sums["PS_QR"] += p * s + q * r
        sums["QS"] += q * s
        n_r, n_f, m1, m0 = a + b, c + d, a + c, b + d
        sums["A"] += a
        sums["E"] += n_r * m1 / n
        sums["V"] += n_r * n_f * m1 * m0 / (n * n * (n - 1))
    if sums["R"] == 0 or sums["S"] == 0:
        return Dif(n_reference, n_focal, None, None, None, None, None)
    alpha = sums["R"] / sums["S"]
    delta = -2.35 * math.log(alpha)
    var_ln = (
        sums["PR"] / (2 * sums["R"] ** 2)
        + sums["PS_QR"] / (2 * sums["R"] * sums["S"])
        + sums["QS"] / (2 * sums["S"] ** 2)
    )
    se = 2.35 * math.sqrt(var_ln)
    chi2 = max(abs(sums["A"] - sums["E"]) - 0.5, 0.0) ** 2 / sums["V"] if sums["V"] > 0 else 0.0
    return Dif(n_reference, n_focal, alpha, delta, se, chi2, ets_class(delta, se, chi2))


def ets_class(delta: float, se: float, chi2: float) -> str:
    size = abs(delta)
    if size < 1.0 or chi2 < CHI2_CRITICAL:
        return "A"
    if size >= 1.5 and se > 0 and (size - 1.0) / se > 1.645:
        return "C"
    return "B"


def sex_of(nip: str) -> int | None:
    """1 or 2 from the NIP's 15th digit (docs/exams: NIP format), else None."""
    return int(nip[14]) if len(nip) == 18 and nip[14] in "12" else None


def province_of(agency_code: str) -> str | None:
    """The province of a regional agency: the first two digits of a Kemendagri region code
    (2 digits: a province; 4: a regency or city in it). Ministries and other codes: None."""
    code = agency_code.strip()
    return code[:2] if code.isdigit() and len(code) in (2, 4) else None


@dataclass(frozen=True)
class RegionDif:
    province: str  # the focal province (against all others) with the largest |Δ|
    dif: Dif


def by_region(
    right: np.ndarray, provinces: list[str | None], strata: np.ndarray, min_group: int = MIN_GROUP
) -> RegionDif | None:
    """Each province with enough takers against all the others; the most severe result."""
    known = np.array([p is not None for p in provinces])
    labels = np.array([p or "" for p in provinces])
    worst: RegionDif | None = None
    for province in sorted(set(labels[known])):
        focal = labels[known] == province
        dif = mantel_haenszel(right[known], focal, strata[known], min_group)
        if dif.delta is None:
            continue
        if worst is None or _severity(dif) > _severity(worst.dif):
            worst = RegionDif(province, dif)
    return worst


def _severity(dif: Dif) -> tuple[int, float]:
    return ("ABC".index(dif.ets or "A"), abs(dif.delta or 0.0))
