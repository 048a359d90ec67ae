"""Handle time in a call log: the lognormal fit, overall and per interval of the day."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from experiments.fitting.arrivals import clock_text, coefficient_of_variation

#: Fewer answered calls than this in an interval of the day: no handle-time fit there
#: (the fit would be noise; its AHT is still reported).
MIN_CALLS_PER_FIT = 30
#: Bins of the handle-time histogram.
HISTOGRAM_BINS = 60


def fit_lognormal(handle_s: np.ndarray) -> dict[str, float]:
    """The lognormal fit of handle times, with the observed AHT and CV.

    Args:
        handle_s: Handle times of answered calls, s. Zero durations (a call answered
            and dropped in the same second) count in the AHT but cannot be in a lognormal
            fit; they are counted in ``zero``.

    Returns:
        ``calls``, ``zero``, ``aht_s`` and ``cv`` (observed mean and coefficient of
        variation), ``mu`` and ``sigma`` (of log seconds) with their standard errors
        ``mu_se`` and ``sigma_se`` (Fisher information of the normal on log seconds:
        ``sigma / sqrt(n)`` and ``sigma / sqrt(2 n)``), the fitted lognormal's mean and
        CV, and ``ks_d``: the largest gap between the fitted and observed distribution
        functions (0 = perfect; it does not grow with the size of the log as p-values
        shrink, so it reads the same for a day and for a year).
    """
    x = np.asarray(handle_s, dtype=float)
    x = x[np.isfinite(x)]
    positive = x[x > 0]
    n = len(positive)
    out: dict[str, float] = {
        "calls": len(x),
        "zero": len(x) - n,
        "aht_s": float(x.mean()) if len(x) else math.nan,
        "cv": coefficient_of_variation(x),
    }
    if n < 2:
        return {**out, **dict.fromkeys(_LOGNORMAL_KEYS, math.nan)}
    sigma, _, scale = stats.lognorm.fit(positive, floc=0)
    mu = math.log(scale)
    ks = stats.kstest(positive, stats.lognorm(sigma, 0, scale).cdf).statistic
    return {
        **out,
        "mu": mu,
        "sigma": float(sigma),
        "mu_se": float(sigma / math.sqrt(n)),
        "sigma_se": float(sigma / math.sqrt(2 * n)),
        "lognormal_mean_s": math.exp(mu + sigma**2 / 2),
        "lognormal_cv": math.sqrt(math.expm1(sigma**2)),
        "ks_d": float(ks),
    }


_LOGNORMAL_KEYS = ("mu", "sigma", "mu_se", "sigma_se", "lognormal_mean_s", "lognormal_cv", "ks_d")


def handle_time_by_interval(answered: pd.DataFrame, interval_s: float) -> pd.DataFrame:
    """The handle-time fit per interval of the day the call arrived in.

    Intervals with fewer than :data:`MIN_CALLS_PER_FIT` answered calls keep their AHT but
    no fit.

    Returns:
        ``interval_start, calls, aht_s, cv, mu, sigma, ks_d``.
    """
    arrived = answered["arrived"]
    of_day = ((arrived - arrived.dt.normalize()) / pd.Timedelta(seconds=1)).to_numpy(dtype=float)
    slot = (of_day // interval_s).astype(np.int64)
    rows = []
    handle = answered["handle_s"].to_numpy(dtype=float)
    for k in np.unique(slot):
        x = handle[slot == k]
        fit = fit_lognormal(x) if len(x) >= MIN_CALLS_PER_FIT else fit_lognormal(x[:0])
        rows.append(
            {
                "interval_start": clock_text(np.array([k * interval_s]))[0],
                "calls": len(x),
                "aht_s": float(x.mean()),
                "cv": coefficient_of_variation(x),
                **{key: fit[key] for key in ("mu", "sigma", "ks_d")},
            }
        )
    return pd.DataFrame(rows)


def handle_time_histogram(handle_s: np.ndarray, fit: Mapping[str, float]) -> pd.DataFrame:
    """Histogram of handle times up to their 99.5% quantile, with the fitted density.

    Returns:
        ``bin_start_s, bin_end_s, calls, density`` (share of all answered calls per second)
        and ``fitted_density`` (the lognormal's mean density over the bin).
    """
    x = np.asarray(handle_s, dtype=float)
    x = x[np.isfinite(x)]
    top = float(np.quantile(x, 0.995)) if len(x) else 1.0
    edges = np.linspace(0.0, max(top, 1e-9), HISTOGRAM_BINS + 1)
    counts, _ = np.histogram(x, bins=edges)
    width = np.diff(edges)
    fitted = np.full(len(counts), np.nan)
    if math.isfinite(fit.get("sigma", math.nan)):
        cdf = stats.lognorm(fit["sigma"], 0, math.exp(fit["mu"])).cdf(edges)
        fitted = np.diff(cdf) / width
    return pd.DataFrame(
        {
            "bin_start_s": edges[:-1],
            "bin_end_s": edges[1:],
            "calls": counts,
            "density": counts / max(len(x), 1) / width,
            "fitted_density": fitted,
        }
    )
