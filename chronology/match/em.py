"""Match weights estimated on the case itself: expectation maximisation over its candidate pairs.

Fellegi-Sunter's m and u values (``schemas/match.toml``) are judgement and
estimates from other data; each case has its own agencies and wording. As
Splink does, the values are re-estimated without labels on the case's own
candidate pairs: the E step gives each pair the probability that it is one
real event from the current weights; the M step sets each level's m (u) to
the share of matching (non-matching) pairs in it and the prior to the share
of matching pairs. The shipped values act as a Dirichlet prior worth
``strength`` pairs per feature, so a level that few pairs show keeps about its
shipped value and a small case cannot drift far. Pairs the analyst decided in
overrides.csv count as labelled: probability 1 ("same") or 0 ("different").

Example:
    >>> levels = pd.DataFrame({"agency_level": ["different"] * 6 + ["same_repeat"] * 4,
    ...                        "text_level": ["high"] * 5 + ["none"] * 5})
    >>> est = estimate_weights(levels, {"agency": {"different": (0.5, 0.5), "same_repeat": (0.5, 0.5)},
    ...                                 "text": {"high": (0.6, 0.4), "none": (0.4, 0.6)}}, prior=0.5)
    >>> est.m_u["text"]["high"][0] > est.m_u["text"]["high"][1]
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Lowest m or u an estimate may take, so that no weight is infinite.
FLOOR = 1e-4


@dataclass(frozen=True)
class Estimate:
    """What the estimation found.

    Attributes:
        m_u: feature -> level -> (m, u), estimated.
        prior: The estimated share of candidate pairs that are one event.
        iterations: EM iterations run.
        converged: Whether the largest change fell below the tolerance.
        pairs: Candidate pairs the estimate was made on.
        labelled: Of them, pairs decided by the analyst.
    """

    m_u: dict[str, dict[str, tuple[float, float]]]
    prior: float
    iterations: int
    converged: bool
    pairs: int
    labelled: int = 0
    history: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """A plain form for manifest.json (values rounded to 4 significant digits)."""
        return {
            "method": "expectation maximisation over the case's candidate pairs, shipped values as priors",
            "pairs": self.pairs,
            "labelled_pairs": self.labelled,
            "iterations": self.iterations,
            "converged": self.converged,
            "prior": float(f"{self.prior:.4g}"),
            "m_u": {
                f: {lv: {"m": float(f"{m:.4g}"), "u": float(f"{u:.4g}")} for lv, (m, u) in levels.items()}
                for f, levels in sorted(self.m_u.items())
            },
        }


def estimate_weights(
    levels: pd.DataFrame,
    shipped: Mapping[str, Mapping[str, tuple[float, float]]],
    prior: float,
    *,
    labels: np.ndarray | None = None,
    fixed_u: Mapping[str, Mapping[str, float]] | None = None,
    strength: float = 30.0,
    hold: frozenset[str] = frozenset(),
    max_iterations: int = 100,
    tolerance: float = 1e-4,
) -> Estimate:
    """Estimate m, u and the prior from the pairs' feature levels.

    Args:
        levels: One row per candidate pair with a ``F_level`` column per
            feature ("" where the feature is missing: it adds nothing).
        shipped: The shipped m/u values (the prior and the levels known).
        prior: The shipped prior probability of a match.
        labels: Per pair 1.0 (the analyst said same), 0.0 (different) or NaN.
        fixed_u: feature -> level -> u measured elsewhere (on random pairs of
            records far apart, which are different events: ``random_u``);
            these u values are held, and EM estimates only m for them.
        strength: How many pairs the shipped values are worth, per feature.
        hold: Features whose shipped m and u are kept as they are, or single
            levels of a feature as ``"feature.level"`` (the others share the
            rest of the feature's mass as estimated).
        max_iterations: At most this many EM rounds.
        tolerance: Stop when no m, u or prior moves by more than this.

    Returns:
        The Estimate.
    """
    n = len(levels)
    held = {f: dict(shipped[f]) for f in shipped if f in hold}
    features = [f for f in shipped if f"{f}_level" in levels.columns]
    coded: dict[str, tuple[np.ndarray, list[str]]] = {}
    for f in features:
        names = list(shipped[f])
        index = {lv: i for i, lv in enumerate(names)}
        coded[f] = (_codes(levels[f"{f}_level"], index), names)
    m = {f: np.asarray([shipped[f][lv][0] for lv in coded[f][1]], dtype=float) for f in features}
    u = {f: np.asarray([shipped[f][lv][1] for lv in coded[f][1]], dtype=float) for f in features}
    raw_m = {f: m[f].copy() for f in features}
    raw_u = {f: u[f].copy() for f in features}
    for f, table in (fixed_u or {}).items():
        if f in u and f not in held:  # what is held keeps its shipped u too
            u[f] = np.asarray([max(float(table.get(lv, FLOOR)), FLOOR) for lv in coded[f][1]], dtype=float)
    m0 = {f: m[f] / m[f].sum() for f in features}
    u0 = {f: u[f] / u[f].sum() for f in features}
    kept = {f: np.asarray([f"{f}.{lv}" in hold for lv in coded[f][1]], dtype=bool) for f in features}
    lam, lam0 = prior, prior
    fixed = np.isfinite(labels) if labels is not None else np.zeros(n, dtype=bool)
    history: list[float] = []
    converged = False
    iterations = 0
    if n == 0:
        return Estimate(_as_table(coded, m, u), prior, 0, True, 0)
    # Pairs with the same levels (and the same label) get the same probability:
    # EM runs over the distinct patterns, each weighted by its count of pairs.
    patterns, count, label = _patterns({f: coded[f][0] for f in features}, labels, fixed)
    pattern_fixed = np.isfinite(label)
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (the count is returned)
        log_odds = np.full(len(count), np.log(lam / (1.0 - lam)))
        for f in features:
            code = patterns[f]
            known = code >= 0
            log_odds[known] += np.log(m[f][code[known]]) - np.log(u[f][code[known]])
        p = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -50, 50)))
        p[pattern_fixed] = label[pattern_fixed]
        change = 0.0
        for f in features:
            if f in held:
                continue
            code, names = patterns[f], coded[f][1]
            known = code >= 0
            k = len(names)
            pm = np.bincount(code[known], weights=(count * p)[known], minlength=k) + strength * m0[f]
            pu = np.bincount(code[known], weights=(count * (1.0 - p))[known], minlength=k) + strength * u0[f]
            new_m = _share(pm, m0[f], kept[f], raw_m[f])
            if fixed_u and f in fixed_u:  # measured u, but a held level's shipped u stays
                new_u = np.where(kept[f], raw_u[f], u[f])
            else:
                new_u = _share(pu, u0[f], kept[f], raw_u[f])
            change = max(change, float(np.abs(new_m - m[f]).max()), float(np.abs(new_u - u[f]).max()))
            m[f], u[f] = new_m, new_u
        new_lam = float(((count * p).sum() + strength * lam0) / (n + strength))
        new_lam = min(max(new_lam, 1e-4), 1 - 1e-4)
        change = max(change, abs(new_lam - lam))
        lam = new_lam
        history.append(round(change, 6))
        if change < tolerance:
            converged = True
            break
    return Estimate(_as_table(coded, m, u), lam, iterations, converged, n, int(fixed.sum()), history[-5:])


def _share(counts: np.ndarray, shipped: np.ndarray, kept: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """A feature's new level values: each level's share of the expected counts, as EM finds it,
    except the kept levels, which stay at their shipped values as written, so their weights stay
    the shipped log2(m/u); the others are not rescaled to make room for them (a held value
    reaches them only through the match probabilities of the pairs)."""
    out = np.maximum(counts / counts.sum(), FLOOR)
    if kept.any():
        out[kept] = np.maximum(raw[kept], FLOOR)
    return out


def random_u(levels: pd.DataFrame, features: list[str]) -> dict[str, dict[str, float]]:
    """u values measured on pairs known to be different events.

    Args:
        levels: Feature levels of pairs of records far apart in time (more
            than any lag window), which cannot be one event.
        features: The features to measure (those that do not depend on the
            dates: text, words, type, references...).

    Returns:
        feature -> level -> share of those pairs in that level (missing
        levels left out). Empty when there are too few pairs (under 50).

    Example:
        >>> random_u(pd.DataFrame({"text_level": ["none"] * 60 + ["low"] * 40}), ["text"])
        {'text': {'none': 0.6, 'low': 0.4}}
    """
    out: dict[str, dict[str, float]] = {}
    for f in features:
        col = levels.get(f"{f}_level")
        if col is None:
            continue
        col = col.astype(object)  # levels seen only: a categorical would count its unused levels
        col = col[col.astype(str) != ""]
        if len(col) < 50:
            continue
        share = col.value_counts(normalize=True, sort=False)
        out[f] = {str(k): round(float(v), 6) for k, v in share.items()}
    return out


def _patterns(
    codes: Mapping[str, np.ndarray], labels: np.ndarray | None, fixed: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The distinct combinations of level codes and label: each feature's code per pattern,
    the number of pairs of each pattern, and its label (NaN where not labelled)."""
    n = len(fixed)
    state = np.zeros(n, dtype=np.int64)
    if labels is not None:
        state[fixed] = 1 + (labels[fixed] > 0.5)
    key = state.copy()
    radix = np.int64(3)
    for code in codes.values():
        width = np.int64(int(code.max(initial=-1)) + 2)
        if int(radix) * int(width) >= 2**62:  # too many combinations for one key: fold what we have
            key = pd.factorize(key)[0].astype(np.int64)
            radix = np.int64(int(key.max(initial=0)) + 1)
        key = key + radix * (code.astype(np.int64) + 1)
        radix = radix * width
    inverse, pattern = pd.factorize(key)  # patterns in the order they first appear
    first = np.flatnonzero(inverse > np.maximum.accumulate(np.concatenate([[-1], inverse[:-1]])))
    count = np.bincount(inverse, minlength=len(pattern)).astype(float)
    label = np.full(len(pattern), np.nan)
    labelled = state[first] > 0
    label[labelled] = (state[first][labelled] - 1).astype(float)
    return {f: code[first] for f, code in codes.items()}, count, label


def _codes(column: pd.Series, index: Mapping[str, int]) -> np.ndarray:
    """Each row's position in ``index`` (-1 for a level not in it), via integer codes, not per row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy(dtype=np.int64)
        names = [str(c) for c in column.cat.categories]
    else:
        codes, uniques = pd.factorize(column.to_numpy(dtype=object))
        names = [str(u) for u in uniques]
    small = np.int8 if len(index) < 127 else np.int64  # one byte a pair on millions of pairs
    lookup = np.asarray([index.get(v, -1) for v in names] + [-1], dtype=small)
    return lookup[codes]  # a missing value (code -1) reads the last entry: -1


def _as_table(
    coded: Mapping[str, tuple[np.ndarray, list[str]]],
    m: Mapping[str, np.ndarray],
    u: Mapping[str, np.ndarray],
) -> dict[str, dict[str, tuple[float, float]]]:
    return {
        f: {lv: (float(m[f][i]), float(u[f][i])) for i, lv in enumerate(names)}
        for f, (_, names) in coded.items()
    }
