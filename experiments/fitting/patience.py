"""Patience in a call log, censoring done right: Kaplan-Meier and censored maximum
likelihood of an exponential and a Weibull distribution."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

#: An abandonment logged at zero wait hung up within the clock's resolution: it enters
#: the parametric fit as "patience below this" (left-censored), s.
CLOCK_RESOLUTION_S = 1.0
#: Points of the survival table and chart.
SURVIVAL_POINTS = 200
Z95 = 1.959963984540054


@dataclass(frozen=True)
class _Model:
    """A candidate patience distribution: its SciPy family, how its fitted parameters
    are named, and its mean as a function of its free parameters."""

    name: str
    dist: stats.rv_continuous
    fixed: dict[str, float]
    labels: tuple[str, ...]


_MODELS = (
    _Model("exponential", stats.expon, {"floc": 0.0}, ("scale_s",)),
    _Model("weibull", stats.weibull_min, {"floc": 0.0}, ("shape", "scale_s")),
)


def _free(model: _Model, params: tuple[float, ...]) -> np.ndarray:
    """The free parameters (loc fixed at 0), on log scale."""
    if model.name == "exponential":
        return np.log([params[1]])
    return np.log([params[0], params[2]])


def _full(model: _Model, free: np.ndarray) -> tuple[float, ...]:
    values = np.exp(free)
    if model.name == "exponential":
        return (0.0, float(values[0]))
    return (float(values[0]), 0.0, float(values[1]))


def _log_mean(model: _Model, free: np.ndarray) -> float:
    if model.name == "exponential":
        return float(free[0])
    shape, scale = np.exp(free)
    return float(math.log(scale) + special.gammaln(1.0 + 1.0 / shape))


def _loglik(model: _Model, params: tuple[float, ...], parts: Mapping[str, np.ndarray]) -> float:
    dist = model.dist
    return float(
        dist.logpdf(parts["events"], *params).sum()
        + dist.logsf(parts["right"], *params).sum()
        + dist.logcdf(parts["left"], *params).sum()
    )


def _observed_information(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Minus the Hessian of ``f`` at ``x`` by central differences (``x`` on log scale,
    so one relative step suits every parameter)."""
    h = 1e-4
    k = len(x)
    info = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h, np.eye(k)[j] * h
            second = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * h * h
            )
            info[i, j] = info[j, i] = -second
    return info


def _fit_model(
    model: _Model, parts: Mapping[str, np.ndarray]
) -> tuple[dict[str, Any], tuple[float, ...]] | None:
    """The censored ML fit of one family, with the standard error of its mean; None if
    SciPy's optimiser fails (e.g. a handful of abandonments)."""
    data = stats.CensoredData(uncensored=parts["events"], left=parts["left"], right=parts["right"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            params = model.dist.fit(data, **model.fixed)
    except (ValueError, RuntimeError, FloatingPointError):
        return None
    free = _free(model, params)
    loglik = _loglik(model, params, parts)
    if not math.isfinite(loglik):
        return None
    # Standard error of the mean from the observed information (delta method on the log
    # of the mean), and a 95% interval on the log scale so that it stays positive.
    log_mean = _log_mean(model, free)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        info = _observed_information(lambda f: _loglik(model, _full(model, f), parts), free)
        step = 1e-6
        gradient = np.array(
            [
                (_log_mean(model, free + e) - _log_mean(model, free - e)) / (2 * step)
                for e in np.eye(len(free)) * step
            ]
        )
    try:
        covariance = np.linalg.inv(info)
        var = float(gradient @ covariance @ gradient)
    except np.linalg.LinAlgError:
        var = math.nan
    se_log = math.sqrt(var) if var > 0 else math.nan
    mean = math.exp(log_mean)
    named = dict(zip(model.labels, np.exp(free).tolist(), strict=True))
    summary = {
        **named,
        "loglik": loglik,
        "aic": 2 * len(free) - 2 * loglik,
        "mean_s": mean,
        "mean_se_s": mean * se_log,
        "mean_low_s": mean * math.exp(-Z95 * se_log),
        "mean_high_s": mean * math.exp(Z95 * se_log),
    }
    return summary, tuple(float(p) for p in params)


def fit_patience(
    wait_s: np.ndarray, abandoned: np.ndarray, level: float = 0.95
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Patience from waits: Kaplan-Meier, and exponential and Weibull fits by censored ML.

    Args:
        wait_s: Each call's wait, s: to the hang-up (abandoned) or to the answer.
        abandoned: True where the caller hung up (the wait is the patience); False where
            answered (the patience was longer than the wait: right-censored).
        level: Confidence level of the Kaplan-Meier band.

    Returns:
        A dict: ``calls``, ``abandoned``, ``models`` (per family: parameters, ``loglik``,
        ``aic``, ``mean_s`` with ``mean_se_s`` and a 95% interval), ``model`` (the one with
        the lower AIC; ``"none"`` when nobody abandoned and patience cannot be estimated),
        ``delta_aic`` (how much worse the other is), ``mean_s`` and its interval from the
        chosen model, ``km_median_s`` (None where the Kaplan-Meier curve stays above 0.5:
        too few hung up to see the median without a model), ``km_last_s`` (the longest
        wait observed: beyond it only a model speaks). And the survival table
        ``time_s, km, km_low, km_high, exponential, weibull`` on a grid up to the longest
        wait.
    """
    wait = np.asarray(wait_s, dtype=float)
    event = np.asarray(abandoned, dtype=bool)
    out: dict[str, Any] = {
        "calls": len(wait),
        "abandoned": int(event.sum()),
        "models": {},
        "model": "none",
        "delta_aic": math.nan,
        "mean_s": math.nan,
        "mean_se_s": math.nan,
        "mean_low_s": math.nan,
        "mean_high_s": math.nan,
        "km_median_s": math.nan,
        "km_last_s": float(wait.max()) if len(wait) else math.nan,
    }
    grid = np.linspace(0.0, max(out["km_last_s"], 1.0), SURVIVAL_POINTS)
    table = pd.DataFrame({"time_s": grid})
    if not event.any():
        for column in ("km", "km_low", "km_high", "exponential", "weibull"):
            table[column] = 1.0 if column.startswith("km") else math.nan
        return out, table

    km = stats.ecdf(stats.CensoredData.right_censored(wait, ~event))
    with warnings.catch_warnings():
        # "The confidence interval is undefined at some observations": where the curve
        # reaches 0 or no one is left at risk; those points are NaN, as they should be.
        warnings.simplefilter("ignore", RuntimeWarning)
        band = km.sf.confidence_interval(confidence_level=level)
    table["km"] = km.sf.evaluate(grid)
    table["km_low"] = band.low.evaluate(grid)
    table["km_high"] = band.high.evaluate(grid)
    below = np.flatnonzero(km.sf.probabilities <= 0.5)
    if len(below):
        out["km_median_s"] = float(km.sf.quantiles[below[0]])

    # Answered at once (wait 0) says only "patience > 0": no information, left out.
    parts = {
        "events": wait[event & (wait > 0)],
        "left": np.full(int((event & (wait <= 0)).sum()), CLOCK_RESOLUTION_S),
        "right": wait[~event & (wait > 0)],
    }
    for model in _MODELS:
        fitted = _fit_model(model, parts)
        table[model.name] = math.nan
        if fitted is not None:
            out["models"][model.name], params = fitted
            table[model.name] = model.dist.sf(grid, *params)
    if out["models"]:
        ranked = sorted(out["models"].items(), key=lambda item: item[1]["aic"])
        name, best = ranked[0]
        out["model"] = name
        out["delta_aic"] = ranked[1][1]["aic"] - best["aic"] if len(ranked) > 1 else math.nan
        for key in ("mean_s", "mean_se_s", "mean_low_s", "mean_high_s"):
            out[key] = best[key]
    return out, table
