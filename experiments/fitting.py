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
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from experiments.call_log import CallLog
from sim.erlang import erlang_metrics
from sim.errors import InputError
from sim.parameters import specs

SECONDS_PER_DAY = 86_400.0
#: Fewer answered calls than this in an interval of the day: no handle-time fit there
#: (the fit would be noise; its AHT is still reported).
MIN_CALLS_PER_FIT = 30
#: An abandonment logged at zero wait hung up within the clock's resolution: it enters
#: the parametric fit as "patience below this" (left-censored), s.
CLOCK_RESOLUTION_S = 1.0
#: Points of the survival table and chart.
SURVIVAL_POINTS = 200
#: Bins of the handle-time histogram.
HISTOGRAM_BINS = 60
Z95 = 1.959963984540054


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


# --- arrivals --------------------------------------------------------------------------------


def _clock(seconds: np.ndarray) -> np.ndarray:
    minutes = np.round(np.asarray(seconds) / 60.0).astype(int)
    return np.array([f"{m // 60:02d}:{m % 60:02d}" for m in minutes], dtype=object)


def interval_volumes(calls: pd.DataFrame, interval_s: float) -> pd.DataFrame:
    """Calls arriving in each interval of each day, zeros included.

    Every day from the first to the last of the log is present, each with all its
    intervals from 00:00, so the file reads with ``--arrivals FILE --date FIRST:LAST``.

    Args:
        calls: Usable calls with their ``arrived`` wall-clock time.
        interval_s: Interval length, s (divides a day).

    Returns:
        ``date`` (YYYY-MM-DD), ``weekday``, ``interval_start`` (HH:MM), ``calls``.
    """
    arrived = calls["arrived"]
    day = arrived.dt.normalize()
    per_day = int(round(SECONDS_PER_DAY / interval_s))
    of_day = ((arrived - day) / pd.Timedelta(seconds=1)).to_numpy(dtype=float)
    slot = np.minimum((of_day // interval_s).astype(np.int64), per_day - 1)
    first = day.min()
    days = pd.date_range(first, day.max(), freq="D")
    day_index = ((day - first) / pd.Timedelta(days=1)).to_numpy(dtype=float).astype(np.int64)
    counts = np.bincount(day_index * per_day + slot, minlength=len(days) * per_day)
    return pd.DataFrame(
        {
            "date": np.repeat(days.strftime("%Y-%m-%d").to_numpy(dtype=object), per_day),
            "weekday": np.repeat(days.day_name().to_numpy(dtype=object), per_day),
            "interval_start": np.tile(_clock(np.arange(per_day) * interval_s), len(days)),
            "calls": counts.astype(np.int64),
        }
    )


def arrival_profile(volumes: pd.DataFrame) -> pd.DataFrame:
    """Calls per interval of the day across days: mean, sd, and the 10-90% band.

    Returns:
        ``interval_start, days, mean, sd, low, high`` (calls per interval; ``low`` and
        ``high`` are the 10% and 90% quantiles over days).
    """
    grouped = volumes.groupby("interval_start", sort=True)["calls"]
    return pd.DataFrame(
        {
            "days": grouped.size(),
            "mean": grouped.mean(),
            "sd": grouped.std(ddof=1),
            "low": grouped.quantile(0.1),
            "high": grouped.quantile(0.9),
        }
    ).reset_index()


def _cv(values: np.ndarray) -> float:
    values = np.asarray(values, dtype=float)
    if len(values) < 2 or values.mean() <= 0:
        return math.nan
    return float(values.std(ddof=1) / values.mean())


def daily_variation(volumes: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Daily totals and how much they vary from day to day.

    Returns:
        The table ``date, weekday, calls`` and a dict: ``days``, ``calls_per_day``
        (mean), ``daily_cv`` (coefficient of variation of daily totals, over all days),
        ``poisson_cv`` (``1 / sqrt(mean)``: the CV of Poisson days of that mean; a larger
        ``daily_cv`` means days differ by more than chance), and ``by_weekday``
        (``{weekday: {days, calls_per_day, daily_cv}}``; the CV needs two such days).
    """
    daily = volumes.groupby(["date", "weekday"], sort=True, as_index=False)["calls"].sum()
    totals = daily["calls"].to_numpy(dtype=float)
    mean = float(totals.mean())
    by_weekday = {
        str(weekday): {
            "days": len(group),
            "calls_per_day": float(group["calls"].mean()),
            "daily_cv": _cv(group["calls"].to_numpy()),
        }
        for weekday, group in daily.groupby("weekday", sort=False)
    }
    return daily, {
        "days": len(daily),
        "first_date": str(daily["date"].iloc[0]),
        "last_date": str(daily["date"].iloc[-1]),
        "calls_per_day": mean,
        "daily_cv": _cv(totals),
        "poisson_cv": 1.0 / math.sqrt(mean) if mean > 0 else math.nan,
        "by_weekday": by_weekday,
    }


# --- handle time -----------------------------------------------------------------------------


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
        "cv": _cv(x),
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
                "interval_start": _clock(np.array([k * interval_s]))[0],
                "calls": len(x),
                "aht_s": float(x.mean()),
                "cv": _cv(x),
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


# --- patience --------------------------------------------------------------------------------


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


# --- service ---------------------------------------------------------------------------------


def observed_metrics(calls: pd.DataFrame, sl_threshold_s: float) -> dict[str, float]:
    """The operational metrics of the log, defined as in ccsim's summaries.

    Returns:
        ``offered``, ``answered``, ``abandoned``, ``abandonment_rate``, ``asa_s`` (mean
        wait of answered calls), ``mean_wait_s`` (of all calls), ``p_wait`` (share that
        waited at all), ``service_level`` (answered within the threshold / offered) and
        ``sl_threshold_s``.
    """
    answered = calls["answered"].to_numpy(dtype=bool)
    wait = calls["wait_s"].to_numpy(dtype=float)
    offered = len(calls)
    n_answered = int(answered.sum())
    return {
        "offered": offered,
        "answered": n_answered,
        "abandoned": offered - n_answered,
        "abandonment_rate": (offered - n_answered) / offered,
        "asa_s": float(wait[answered].mean()) if n_answered else math.nan,
        "mean_wait_s": float(wait.mean()),
        "p_wait": float((wait > 0).mean()),
        "service_level": float((answered & (wait <= sl_threshold_s)).sum() / offered),
        "sl_threshold_s": float(sl_threshold_s),
    }


def erlang_cross_check(
    volumes: pd.DataFrame,
    interval_s: float,
    aht_s: float,
    patience_s: float,
    agents: int,
    sl_threshold_s: float,
) -> dict[str, Any]:
    """What Erlang A predicts for the log's intervals at ``agents`` on duty.

    Each interval with calls is taken as a stationary M/M/n+M queue with the interval's
    arrival rate, the fitted AHT and the fitted mean patience (Erlang C when patience is
    unknown); the predictions are weighted by calls (ASA by predicted answered calls), as
    the observed metrics are.

    Returns:
        ``model``, ``agents``, and the predicted ``abandonment_rate``, ``asa_s`` and
        ``service_level``.
    """
    patience = patience_s if math.isfinite(patience_s) else None
    counts = volumes["calls"].to_numpy(dtype=np.int64)
    counts = counts[counts > 0]
    values, weights = np.unique(counts, return_counts=True)
    offered = answered = abandoned = within = wait = 0.0
    for calls, times in zip(values.tolist(), weights.tolist(), strict=True):
        m = erlang_metrics(calls / interval_s * 3600.0, aht_s, agents, patience, sl_threshold_s)
        n = calls * times
        offered += n
        abandoned += n * m["abandonment_rate"]
        within += n * m["service_level"]
        got = n * (1.0 - m["abandonment_rate"])
        answered += got
        wait += got * m["asa_s"]
    return {
        "model": "Erlang A (M/M/n+M)" if patience is not None else "Erlang C (M/M/n)",
        "agents": int(agents),
        "abandonment_rate": abandoned / offered,
        "asa_s": wait / answered if answered > 0 else math.nan,
        "service_level": within / offered,
    }


# --- what the engine can take ----------------------------------------------------------------


def params_values(estimates: Mapping[str, Any]) -> dict[str, float | int]:
    """The fitted values that ccsim's parameters hold (keys of ``sim/defaults.toml``),
    each checked against its declaration."""
    values: dict[str, float | int] = {
        "operations.sl_threshold_s": estimates["observed"]["sl_threshold_s"],
        # Every call counted as a first contact: an upper bound, since the model's repeat
        # contacts and redials come on top of its first contacts.
        "scenario.first_contacts_per_day": round(estimates["arrivals"]["calls_per_day"], 1),
    }
    mean = estimates["patience"]["mean_s"]
    if math.isfinite(mean):
        values["customers.mean_patience_s"] = round(float(mean), 1)
    if "erlang_a" in estimates:
        values["operations.csrs"] = int(estimates["erlang_a"]["agents"])
    declared = specs()
    return {key: declared[key].check(value) for key, value in values.items()}


def not_in_params(estimates: Mapping[str, Any]) -> dict[str, Any]:
    """Fitted quantities that no parameter of the model holds yet, as data."""
    handle = estimates["handle_time"]
    patience = estimates["patience"]
    weibull = patience["models"].get("weibull", {})
    return {
        "handle_time_lognormal_mu": handle["mu"],
        "handle_time_lognormal_sigma": handle["sigma"],
        "handle_time_lognormal_mean_s": handle["lognormal_mean_s"],
        "handle_time_lognormal_cv": handle["lognormal_cv"],
        "patience_model": patience["model"],
        "patience_weibull_shape": weibull.get("shape", math.nan),
        "patience_weibull_scale_s": weibull.get("scale_s", math.nan),
        "calls_per_day": estimates["arrivals"]["calls_per_day"],
        "daily_cv": estimates["arrivals"]["daily_cv"],
        "note": (
            "With people on, handle time emerges from conversations and patience is "
            "exponential with customers.mean_patience_s for a calm, regular caller "
            "(shorter when angry or urgent), and volumes count first contacts only: "
            "these values have no parameter yet. The queue-only model takes the handle "
            "time and patience as options (see run_behaviour_off)."
        ),
    }


def summarize(estimates: Mapping[str, Any]) -> dict[str, Any]:
    """The headline numbers, flat, in the order a planner reads them."""
    observed, handle = estimates["observed"], estimates["handle_time"]
    patience, arrivals = estimates["patience"], estimates["arrivals"]
    summary: dict[str, Any] = {
        **{k: observed[k] for k in ("offered", "answered", "abandoned")},
        "abandonment_rate": observed["abandonment_rate"],
        "asa_s": observed["asa_s"],
        "service_level": observed["service_level"],
        "sl_threshold_s": observed["sl_threshold_s"],
        "aht_s": handle["aht_s"],
        "handle_time_cv": handle["cv"],
        "handle_time_mu": handle["mu"],
        "handle_time_mu_se": handle["mu_se"],
        "handle_time_sigma": handle["sigma"],
        "handle_time_sigma_se": handle["sigma_se"],
        "handle_time_ks_d": handle["ks_d"],
        "patience_mean_s": patience["mean_s"],
        "patience_mean_low_s": patience["mean_low_s"],
        "patience_mean_high_s": patience["mean_high_s"],
        "patience_model": patience["model"],
        "patience_km_median_s": patience["km_median_s"],
        "days": arrivals["days"],
        "calls_per_day": arrivals["calls_per_day"],
        "daily_cv": arrivals["daily_cv"],
        "poisson_cv": arrivals["poisson_cv"],
        "skipped_rows": estimates["skipped_rows"],
    }
    if "erlang_a" in estimates:
        erlang = estimates["erlang_a"]
        summary["agents"] = erlang["agents"]
        for key in ("abandonment_rate", "asa_s", "service_level"):
            summary[f"erlang_a_{key}"] = erlang[key]
    return summary
