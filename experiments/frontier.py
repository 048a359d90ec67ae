"""Where a paired contrast changes sign: the frontier over one or two parameters.

A planner asks "from how many CSRs on does negotiation pay?", a trainer "when does the
finding stop holding?". Both are the root of a contrast (say negotiate minus avoid, in
net value) along a parameter. At every grid point the contrast has a mean over paired
replications and a 95% t interval (:func:`experiments.contrast.outcome_by_point`).

The crossing is where the mean, joined by straight lines between grid points, reaches
zero. Its uncertainty is found by inverting the pointwise tests: the parameter values
where the contrast's 95% CI holds zero (its ends joined by straight lines too) are those
where "the contrast is zero here" cannot be rejected; the stretch of them around the
crossing is its 95% interval. An interval that reaches the end of the grid is *open*: the
crossing may lie further out, and a wider range answers it. Over two parameters, the
crossing is found along the first parameter at every value of the second (a boundary).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from experiments.contrast import Contrast, outcome_by_point
from sim.errors import InputError

#: Points per grid interval at which the CI's ends are interpolated.
FINE = 400


def frontier_table(
    reps: pd.DataFrame, contrast: Contrast, metric: str, level: float = 0.95
) -> pd.DataFrame:
    """The contrast at every grid point (see :func:`outcome_by_point`), with
    ``attrs["outcome"]`` naming it for titles."""
    table = outcome_by_point(reps, metric, contrast=contrast, level=level)
    table.attrs["outcome"] = f"{contrast} {metric}"
    table.attrs["contrast"] = str(contrast)
    return table


def crossings_along(
    x: np.ndarray, mean: np.ndarray, low: np.ndarray, high: np.ndarray
) -> list[dict[str, float | bool | str]]:
    """The zero crossings of a curve with a pointwise confidence band.

    Args:
        x: Parameter values, increasing.
        mean: The contrast's mean at each value.
        low: Lower end of its CI (NaN: unknown, taken as the mean).
        high: Upper end of its CI.

    Returns:
        One dict per crossing: ``crossing`` (root of the interpolated mean), ``low`` and
        ``high`` (the stretch around it where the CI holds zero), ``open_low`` and
        ``open_high`` (that stretch reaches the end of the grid), ``above`` (``+`` or
        ``-``: the contrast's sign just above the crossing). Crossings within one stretch
        are one crossing (noise around zero), reported at their median.
    """
    x, m = np.asarray(x, dtype=float), np.asarray(mean, dtype=float)
    lo = np.where(np.isfinite(low), low, m)
    hi = np.where(np.isfinite(high), high, m)
    keep = np.isfinite(m)
    x, m, lo, hi = x[keep], m[keep], lo[keep], hi[keep]
    if len(x) < 2:
        return []
    # An exact zero counts as just above zero, so that a touch is not a crossing and a
    # crossing through a grid point is found once.
    m = np.where(m == 0, np.finfo(float).tiny, m)
    roots: list[tuple[float, str]] = [
        (x[i] + (x[i + 1] - x[i]) * m[i] / (m[i] - m[i + 1]), "+" if m[i + 1] > 0 else "-")
        for i in range(len(x) - 1)
        if np.sign(m[i]) != np.sign(m[i + 1])
    ]
    if not roots:
        return []
    fine = np.unique(np.concatenate([np.linspace(x[i], x[i + 1], FINE) for i in range(len(x) - 1)]))
    holds = (np.interp(fine, x, lo) <= 0) & (np.interp(fine, x, hi) >= 0)
    # Runs of consecutive fine points where the CI holds zero.
    edges = np.flatnonzero(np.diff(np.concatenate([[0], holds.astype(int), [0]])))
    runs = list(zip(edges[::2], edges[1::2] - 1, strict=True))
    grouped: dict[tuple[int, int], list[tuple[float, str]]] = {}
    for root, sign in roots:
        at = int(np.clip(np.searchsorted(fine, root), 0, len(fine) - 1))
        # The root lies in a run by construction (low <= mean <= high, all interpolated
        # linearly); the nearest run guards against rounding at its edge.
        run = min(
            runs,
            key=lambda r: 0 if r[0] <= at <= r[1] else min(abs(at - r[0]), abs(at - r[1])),
        )
        grouped.setdefault(run, []).append((root, sign))
    out = []
    for (first, last), found in grouped.items():
        values = sorted(r for r, _ in found)
        out.append(
            {
                "crossing": float(np.median(values)),
                "low": float(fine[first]),
                "high": float(fine[last]),
                "open_low": bool(first == 0),
                "open_high": bool(last == len(fine) - 1),
                "above": found[-1][1],
            }
        )
    return out


def crossings(table: pd.DataFrame) -> pd.DataFrame:
    """The crossings of a frontier table along its first parameter (for every value of
    the second, if there is one); see :func:`crossings_along`.

    Returns:
        One row per crossing: the second parameter's ``param:*`` column (two parameters),
        ``parameter`` (the first's key), ``crossing``, ``low``, ``high``, ``open_low``,
        ``open_high``, ``above``.
    """
    params = [c for c in table.columns if c.startswith("param:")]
    if not 1 <= len(params) <= 2:
        raise InputError(
            f"a frontier is over 1 or 2 parameters, not {len(params)}",
            field="--param",
            valid="1 or 2 --param",
        )
    along = params[0]
    slices = table.groupby(params[1], sort=True) if len(params) == 2 else [(None, table)]
    rows = []
    for value, part in slices:
        part = part.sort_values(along)
        for found in crossings_along(
            part[along].to_numpy(dtype=float),
            part["mean"].to_numpy(dtype=float),
            part["ci_low"].to_numpy(dtype=float),
            part["ci_high"].to_numpy(dtype=float),
        ):
            rows.append(
                {
                    **({params[1]: value} if len(params) == 2 else {}),
                    "parameter": along.removeprefix("param:"),
                    **found,
                }
            )
    columns = [
        *params[1:],
        "parameter",
        "crossing",
        "low",
        "high",
        "open_low",
        "open_high",
        "above",
    ]
    return pd.DataFrame(rows, columns=columns)


def _g(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def describe(table: pd.DataFrame, found: pd.DataFrame | None) -> str:
    """The frontier's finding in one sentence (chart title, report headline)."""
    params = [c for c in table.columns if c.startswith("param:")]
    outcome = table.attrs.get("outcome", "the contrast")
    along = params[0].removeprefix("param:")
    if found is None or found.empty:
        m = table["mean"]
        sure = ((table["ci_low"] > 0) | (table["ci_high"] < 0)).mean()
        sign = "positive" if (m > 0).all() else "negative" if (m < 0).all() else "mixed"
        return (
            f"{outcome} does not change sign over the range tried ({sign}; "
            f"sign known at {100 * sure:.0f}% of points)"
        )
    if len(params) == 1:
        parts = []
        for row in found.itertuples():
            low = ("<" if row.open_low else "") + _g(row.low)
            high = _g(row.high) + ("+" if row.open_high else "")
            parts.append(f"{_g(row.crossing)} (95%: {low} to {high})")
        above = found.iloc[0]["above"]
        return (
            f"{outcome} changes sign at {along} = {', '.join(parts)}; "
            f"{'positive' if above == '+' else 'negative'} above"
        )
    other = params[1]
    slices = table[other].nunique()
    crossed = found[other].nunique()
    span = f"{_g(found['crossing'].min())} to {_g(found['crossing'].max())}"
    if math.isclose(found["crossing"].min(), found["crossing"].max()):
        span = _g(found["crossing"].min())
    return (
        f"{outcome} changes sign at {along} = {span} "
        f"({crossed} of {slices} values of {other.removeprefix('param:')})"
    )
