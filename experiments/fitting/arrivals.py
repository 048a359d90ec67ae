"""Arrivals in a call log: counts per interval of the day and the day-to-day variation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

SECONDS_PER_DAY = 86_400.0


def clock_text(seconds: np.ndarray) -> np.ndarray:
    """Seconds after midnight as ``HH:MM`` labels."""
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
            "interval_start": np.tile(clock_text(np.arange(per_day) * interval_s), len(days)),
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


def coefficient_of_variation(values: np.ndarray) -> float:
    """Sample standard deviation over mean (NaN for fewer than 2 values or a mean <= 0)."""
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
            "daily_cv": coefficient_of_variation(group["calls"].to_numpy()),
        }
        for weekday, group in daily.groupby("weekday", sort=False)
    }
    return daily, {
        "days": len(daily),
        "first_date": str(daily["date"].iloc[0]),
        "last_date": str(daily["date"].iloc[-1]),
        "calls_per_day": mean,
        "daily_cv": coefficient_of_variation(totals),
        "poisson_cv": 1.0 / math.sqrt(mean) if mean > 0 else math.nan,
        "by_weekday": by_weekday,
    }
