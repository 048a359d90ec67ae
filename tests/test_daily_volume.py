"""Day-to-day variation: fitted to the real bank data, and what the model draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.parameters import Parameters
from sim.population import daily_volumes

BANK = Path(__file__).parent / "data" / "anonymous_bank_1999_arrivals_6min.csv"


def fitted_sigma() -> float:
    """The fit that ``scenario.daily_volume_sigma``'s source describes: Sunday to
    Thursday daily totals, in logs, less their weekday mean and a 25-day rolling median
    (trend); days beyond 3 MADs (holidays) left out; Poisson noise removed."""
    calls = pd.read_csv(BANK)
    daily = calls.groupby(["date", "weekday"])["calls"].sum().reset_index().sort_values("date")
    work = daily[~daily["weekday"].isin(["Friday", "Saturday"])].copy()
    work["log"] = np.log(work["calls"])
    work["log"] -= work.groupby("weekday")["log"].transform("mean")
    trend = work["log"].rolling(25, center=True, min_periods=8).median()
    residual = (work["log"] - trend).dropna()
    mad = 1.4826 * np.median(np.abs(residual - residual.median()))
    kept = residual[np.abs(residual - residual.median()) < 3 * mad]
    poisson = 1.0 / work["calls"].mean()  # variance of log(Poisson count) ~ 1/mean
    return float(np.sqrt(kept.var(ddof=1) - poisson))


def test_the_default_daily_variation_is_the_bank_datas():
    assert fitted_sigma() == pytest.approx(Parameters()["scenario.daily_volume_sigma"], abs=0.005)


def test_daily_volumes_have_mean_one_and_the_given_spread():
    """20,000 days: the sample mean and log-sd are within 4 standard errors of 1 and
    sigma (se of the mean about sigma/sqrt(n) = 0.001; of the sd about sigma/sqrt(2n))."""
    p = Parameters()
    sigma = p["scenario.daily_volume_sigma"]
    days = daily_volumes(p, 20_000, np.random.default_rng(3))
    assert days.mean() == pytest.approx(1.0, abs=4 * sigma / np.sqrt(20_000))
    assert np.log(days).std() == pytest.approx(sigma, abs=4 * sigma / np.sqrt(40_000))
    flat = daily_volumes(Parameters({"scenario.daily_volume_sigma": 0.0}), 5, None)
    assert (flat == 1.0).all()
