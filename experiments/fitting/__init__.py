"""What a call log says about a center: arrivals, handle time, patience and service.

Every estimator is a well-known one taken from SciPy, not written here:

- arrivals: counts per interval of the day, averaged over days, and the day-to-day
  variation of daily totals (their coefficient of variation beside the Poisson one,
  ``1 / sqrt(mean)``, which is what pure chance would give);
- handle time: the lognormal maximum-likelihood fit (``scipy.stats.lognorm.fit`` with the
  location fixed at 0: ``mu`` and ``sigma`` are the mean and standard deviation of log
  seconds), with the Kolmogorov-Smirnov distance between the fitted and the observed
  distribution as the goodness of fit, overall and per interval of the day;
- patience, with censoring done right: an abandoned call shows its caller's patience (the
  wait until hang-up), an answered call only that the patience was longer than its wait
  (a right-censored observation). Kaplan-Meier (``scipy.stats.ecdf`` of
  ``CensoredData``) with a pointwise confidence band, and censored maximum likelihood
  (``rv_continuous.fit`` of ``CensoredData``) of an exponential and a Weibull
  distribution, the one with the lower AIC chosen. Patience is independent of the wait
  under first-come first-served routing (the wait depends on the callers ahead), which is
  what makes the censoring non-informative and these estimators consistent;
- the observed operational metrics (offered, abandonment, ASA, service level) and an
  Erlang A cross-check: each interval of the log as a stationary M/M/n+M queue at the
  observed head count (``sim.erlang.erlang_metrics``), weighted by its calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from experiments.call_log import CallLog
from experiments.fitting.arrivals import (
    SECONDS_PER_DAY,
    arrival_profile,
    daily_variation,
    interval_volumes,
)
from experiments.fitting.handle_time import (
    fit_lognormal,
    handle_time_by_interval,
    handle_time_histogram,
)
from experiments.fitting.patience import fit_patience
from experiments.fitting.service import erlang_cross_check, observed_metrics
from experiments.fitting.summary import not_in_params, params_values, summarize
from sim.errors import InputError

__all__ = [
    "Fit",
    "arrival_profile",
    "daily_variation",
    "erlang_cross_check",
    "fit_call_log",
    "fit_lognormal",
    "fit_patience",
    "handle_time_by_interval",
    "handle_time_histogram",
    "interval_seconds",
    "interval_volumes",
    "not_in_params",
    "observed_metrics",
    "params_values",
    "summarize",
]


@dataclass(frozen=True)
class Fit:
    """Everything ``ccsim fit`` estimates from one log.

    Attributes:
        summary: The headline numbers, flat (what ``--json`` prints).
        estimates: Every estimate with its uncertainty, nested by topic.
        volumes: Calls per interval for every day of the log: ``date, weekday,
            interval_start, calls`` (the interval-volume file ``--arrivals`` reads).
        profile: Per interval of the day: days, mean calls, sd, 10% and 90% quantiles.
        daily: Per day: date, weekday, calls.
        handle_by_interval: Per interval of the day: answered calls, AHT, CV, mu, sigma, KS.
        handle_histogram: Histogram of handle times with the fitted lognormal's density.
        survival: Patience survival on a grid: Kaplan-Meier with its band, and the fits.
    """

    summary: dict[str, Any]
    estimates: dict[str, Any]
    volumes: pd.DataFrame
    profile: pd.DataFrame
    daily: pd.DataFrame
    handle_by_interval: pd.DataFrame
    handle_histogram: pd.DataFrame
    survival: pd.DataFrame


def fit_call_log(
    log: CallLog,
    *,
    interval_min: float = 30.0,
    sl_threshold_s: float = 20.0,
    agents: int | None = None,
) -> Fit:
    """Fit arrivals, handle time and patience to a log, and measure its service.

    Args:
        log: The usable calls (see :func:`experiments.call_log.read_call_log`).
        interval_min: Interval length of the arrival profile, minutes; divides a day.
        sl_threshold_s: Service-level threshold, s.
        agents: Head count on duty, if known: adds the Erlang A cross-check.

    Returns:
        The estimates, the tables behind them, and a flat summary.
    """
    interval_s = interval_seconds(interval_min)
    calls = log.calls
    volumes = interval_volumes(calls, interval_s)
    profile = arrival_profile(volumes)
    daily, variation = daily_variation(volumes)
    answered = calls.loc[calls["answered"], :]
    handle = fit_lognormal(answered["handle_s"].to_numpy())
    by_interval = handle_time_by_interval(answered, interval_s)
    histogram = handle_time_histogram(answered["handle_s"].to_numpy(), handle)
    patience, survival = fit_patience(
        calls["wait_s"].to_numpy(), ~calls["answered"].to_numpy(dtype=bool)
    )
    observed = observed_metrics(calls, sl_threshold_s)
    estimates: dict[str, Any] = {
        "source": log.source,
        "rows": log.rows,
        "skipped_rows": log.skipped,
        "first_skipped": log.first_problem,
        "observed": observed,
        "arrivals": {"interval_min": interval_min, **variation},
        "handle_time": handle,
        "patience": patience,
    }
    if agents is not None:
        estimates["erlang_a"] = erlang_cross_check(
            volumes, interval_s, handle["aht_s"], patience["mean_s"], agents, sl_threshold_s
        )
    estimates["not_in_params"] = not_in_params(estimates)
    return Fit(
        summary=summarize(estimates),
        estimates=estimates,
        volumes=volumes,
        profile=profile,
        daily=daily,
        handle_by_interval=by_interval,
        handle_histogram=histogram,
        survival=survival,
    )


def interval_seconds(interval_min: float) -> float:
    """The interval length in seconds, if it divides a day into whole intervals."""
    width = interval_min * 60.0
    per_day = SECONDS_PER_DAY / width if width > 0 else 0.0
    if not (width > 0 and math.isfinite(width)) or abs(per_day - round(per_day)) > 1e-9:
        raise InputError(
            f"must divide a day into whole intervals, got {interval_min:g}",
            field="--interval-min",
            valid="e.g. 5, 6, 10, 15, 30, 60",
        )
    return width
