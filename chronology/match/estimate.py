"""Estimate the m/u values of schemas/match.toml from labelled pairs.

m(level) = share of truly matching candidate pairs in that level; u(level) =
share of non-matching candidate pairs in it; both smoothed by adding one
pair to every level and floored (so no weight is infinite); a level seen in
too few pairs is neutral. The prior is the share of
candidate pairs that match. Run it on synthetic data with
``python -m bench.bench_match --estimate`` and paste the printed tables.

Example:
    >>> pairs = pd.DataFrame({"record_a": ["a", "a"], "record_b": ["b", "c"],
    ...                       "agency_level": ["different", "same"]})
    >>> truth = pd.Series({"a": "E1", "b": "E1", "c": "E2"})
    >>> est = estimate_m_u(pairs, truth, features=("agency",), levels={"agency": ("same", "different")}, min_pairs=1)
    >>> est["m_u"]["agency"]["different"]
    (0.667, 0.333)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from chronology.match.features import FEATURES


def _round(value: float) -> float:
    """Three significant digits: small u values keep their size."""
    return float(f"{value:.3g}")


def estimate_m_u(
    pairs: pd.DataFrame,
    truth: pd.Series,
    *,
    features: Sequence[str] = FEATURES,
    levels: Mapping[str, Sequence[str]] | None = None,
    floor: float = 0.001,
    min_pairs: int = 20,
) -> dict[str, object]:
    """m and u for every feature level, and the prior, from labelled pairs.

    Args:
        pairs: ``MatchResult.pairs`` (record_a, record_b, ``F_level`` columns).
        truth: The true event id of each record, indexed by record id.
        features: The features to estimate.
        levels: The levels of each feature (default: those seen in ``pairs``).
        floor: Smallest m or u given, so that no level weighs more than
            about log2(1 / floor) either way.
        min_pairs: A level seen in fewer pairs is given m = u (weight 0).

    Returns:
        {"prior": float, "m_u": {feature: {level: (m, u)}}}, three significant digits.
    """
    same = truth.reindex(pairs["record_a"]).to_numpy() == truth.reindex(pairs["record_b"]).to_numpy()
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for feature in features:
        level = pairs[f"{feature}_level"].astype(str).to_numpy()
        names = list(levels[feature]) if levels else sorted(set(level) - {""})
        known = np.isin(level, names)
        m_total = int((same & known).sum()) + len(names)
        u_total = int((~same & known).sum()) + len(names)
        out[feature] = {}
        for name in names:
            in_level = level == name
            if int(in_level.sum()) < min_pairs:
                out[feature][name] = (0.1, 0.1)  # too few pairs to say: neutral
                continue
            m = (int((same & in_level).sum()) + 1) / m_total
            u = (int((~same & in_level).sum()) + 1) / u_total
            out[feature][name] = (_round(max(m, floor)), _round(max(u, floor)))
    prior = _round(float(same.mean()) if len(same) else 0.5)
    return {"prior": prior, "m_u": out}


def as_toml(estimate: Mapping[str, object]) -> str:
    """The estimate as [m_u.*] tables for schemas/match.toml.

    Example:
        >>> print(as_toml({"prior": 0.2, "m_u": {"agency": {"same": (0.02, 0.3)}}}))
        # prior = 0.2
        [m_u.agency]
        same = { m = 0.02, u = 0.3 }
        <BLANKLINE>
    """
    lines = [f"# prior = {estimate['prior']}"]
    m_u = estimate["m_u"]
    assert isinstance(m_u, dict)
    for feature, levels in m_u.items():
        lines.append(f"[m_u.{feature}]")
        lines.extend(f"{name} = {{ m = {m}, u = {u} }}" for name, (m, u) in levels.items())
        lines.append("")
    return "\n".join(lines)
