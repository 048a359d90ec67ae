"""Confidence intervals and paired comparisons of replications (SciPy's t distribution).

Replications of different policies share their seeds (common random numbers), so a
policy is compared with the baseline through the *paired* differences of replication i
with replication i, which cancels most of the noise that both runs share.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats

ID_COLUMNS = ("point", "policy", "replication", "seed")


def metric_columns(frame: pd.DataFrame) -> list[str]:
    """The numeric metric columns of a replications table."""
    return [
        c
        for c in frame.columns
        if c not in ID_COLUMNS
        and not c.startswith("param:")
        and pd.api.types.is_numeric_dtype(frame[c])
    ]


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the two ends of its t-based confidence interval (NaN values dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


def summary_table(reps: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Long table: one row per (point, policy, metric) with mean, CI, sd and n."""
    rows = []
    group_cols = ["point", "policy"] + [c for c in reps.columns if c.startswith("param:")]
    for key, group in reps.groupby(group_cols, sort=False):
        ids = dict(zip(group_cols, key if isinstance(key, tuple) else (key,), strict=True))
        for metric in metric_columns(reps):
            mean, low, high = mean_ci(group[metric].to_numpy(), level)
            values = group[metric].to_numpy(dtype=float)
            rows.append(
                {
                    **ids,
                    "metric": metric,
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "sd": float(np.nanstd(values, ddof=1))
                    if np.isfinite(values).sum() > 1
                    else math.nan,
                    "n": int(np.isfinite(values).sum()),
                }
            )
    return pd.DataFrame(rows)


def paired_differences(reps: pd.DataFrame, baseline: str, level: float = 0.95) -> pd.DataFrame:
    """Each policy minus the baseline, replication by replication, per point and metric.

    Returns:
        Long table: point, policy, metric, diff (mean paired difference), ci_low, ci_high,
        p_value (two-sided paired t-test; 1.0 when every difference is exactly 0).
    """
    rows = []
    for point, at_point in reps.groupby("point", sort=False):
        base = at_point[at_point["policy"] == baseline].set_index("replication")
        if base.empty:
            continue
        for policy, group in at_point.groupby("policy", sort=False):
            if policy == baseline:
                continue
            other = group.set_index("replication")
            common = base.index.intersection(other.index)
            for metric in metric_columns(reps):
                d = (
                    other.loc[common, metric].astype(float) - base.loc[common, metric].astype(float)
                ).to_numpy()
                d = d[np.isfinite(d)]
                mean, low, high = mean_ci(d, level)
                if len(d) > 1 and np.all(d == 0):
                    p = 1.0
                elif len(d) > 1 and np.std(d) > 0:
                    # Nearly constant differences make SciPy warn of lost precision; the
                    # p-value is still right to the digits shown.
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", RuntimeWarning)
                        p = float(stats.ttest_1samp(d, 0.0).pvalue)
                else:
                    p = math.nan
                rows.append(
                    {
                        "point": point,
                        "policy": policy,
                        "baseline": baseline,
                        "metric": metric,
                        "diff": mean,
                        "ci_low": low,
                        "ci_high": high,
                        "p_value": p,
                        "n": len(d),
                    }
                )
    return pd.DataFrame(rows)
