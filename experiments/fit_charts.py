"""Charts of ``ccsim fit``: what a call log says about arrivals, handle time and patience.

Each plot function takes one table of a fit's results folder and an optional matplotlib
``ax`` and returns the ax, in the style of :mod:`experiments.charts` (Okabe-Ito palette,
titles that state the finding, units on the axes). The simulation never imports this.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.charts import _save
from experiments.plots import PALETTE, STYLE, _ax, plt


def _hours(clock: pd.Series) -> np.ndarray:
    parts = clock.astype(str).str.split(":", expand=True).astype(int)
    return (parts[0] + parts[1] / 60.0).to_numpy(dtype=float)


def plot_arrival_profile(profile: pd.DataFrame, ax=None):
    """Mean calls per interval of the day, with the band of the middle 80% of days.

    Args:
        profile: ``interval_start, days, mean, low, high`` (see
            :func:`experiments.fitting.arrival_profile`).
    """
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        hours = _hours(profile["interval_start"])
        width = float(np.diff(hours).min()) if len(hours) > 1 else 24.0
        # Steps drawn over each whole interval: a count belongs to its interval, not to
        # its start.
        edges = np.append(hours, hours[-1] + width)
        mean = np.append(profile["mean"].to_numpy(), profile["mean"].iloc[-1])
        low = np.append(profile["low"].to_numpy(), profile["low"].iloc[-1])
        high = np.append(profile["high"].to_numpy(), profile["high"].iloc[-1])
        days = int(profile["days"].max())
        ax.fill_between(
            edges, low, high, step="post", color=PALETTE[0], alpha=0.2, label="10-90% of days"
        )
        ax.step(edges, mean, where="post", color=PALETTE[0], lw=2.5, label=f"mean of {days} days")
        peak = profile.loc[profile["mean"].idxmax()]
        ax.set_title(
            f"Calls peak at {peak['interval_start']}: {peak['mean']:.0f} per "
            f"{width * 60:.0f} min on average"
        )
        ax.set_xlabel("time of day (h)")
        ax.set_ylabel(f"calls per {width * 60:.0f} min")
        ax.set_xlim(edges[0], edges[-1])
        ax.set_xticks(np.arange(0, 25, 3))
        ax.legend(frameon=False)
    return ax


def plot_handle_time(histogram: pd.DataFrame, fit: Mapping[str, Any] | None = None, ax=None):
    """Histogram of handle times with the fitted lognormal density.

    Args:
        histogram: ``bin_start_s, bin_end_s, density, fitted_density`` (see
            :func:`experiments.fitting.handle_time_histogram`).
        fit: The handle-time estimates (``aht_s``, ``mu``, ``sigma``, ``ks_d``) for the title.
    """
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        start = histogram["bin_start_s"].to_numpy()
        width = (histogram["bin_end_s"] - histogram["bin_start_s"]).to_numpy()
        ax.bar(
            start,
            histogram["density"],
            width=width,
            align="edge",
            color=PALETTE[5],
            label="observed calls",
        )
        centre = start + width / 2
        ax.plot(
            centre, histogram["fitted_density"], color=PALETTE[3], lw=2.5, label="lognormal fit"
        )
        if fit and math.isfinite(fit.get("sigma", math.nan)):
            ax.set_title(
                f"Handle time averages {fit['aht_s']:.0f} s; lognormal fit mu {fit['mu']:.2f}, "
                f"sigma {fit['sigma']:.2f} (KS distance {fit['ks_d']:.3f})"
            )
        else:
            ax.set_title("Handle time")
        ax.set_xlabel("handle time (s)")
        ax.set_ylabel("share of answered calls per second")
        ax.legend(frameon=False)
    return ax


def plot_patience_survival(
    survival: pd.DataFrame, patience: Mapping[str, Any] | None = None, ax=None
):
    """Share of callers still willing to wait after t seconds: Kaplan-Meier with its
    confidence band, and the exponential and Weibull fits.

    Args:
        survival: ``time_s, km, km_low, km_high, exponential, weibull`` (see
            :func:`experiments.fitting.fit_patience`).
        patience: The patience estimates (``model``, ``mean_s``) for the title.
    """
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        t = survival["time_s"].to_numpy()
        ax.fill_between(
            t,
            survival["km_low"],
            survival["km_high"],
            step="post",
            color=PALETTE[7],
            alpha=0.15,
            label="95% confidence band",
        )
        ax.step(t, survival["km"], where="post", color=PALETTE[7], lw=2.5, label="Kaplan-Meier")
        chosen = (patience or {}).get("model")
        for column, color in (("exponential", PALETTE[0]), ("weibull", PALETTE[1])):
            if survival[column].notna().any():
                ax.plot(
                    t,
                    survival[column],
                    color=color,
                    lw=3.0 if column == chosen else 1.5,
                    ls="-" if column == chosen else "--",
                    label=f"{column} fit" + (" (chosen by AIC)" if column == chosen else ""),
                )
        if patience and math.isfinite(patience.get("mean_s", math.nan)):
            ax.set_title(
                f"Patience: the {chosen} fits better; callers would wait "
                f"{patience['mean_s']:.0f} s on average"
            )
        else:
            ax.set_title("Patience: nobody hung up, so it cannot be estimated")
        ax.set_xlabel("wait (s)")
        ax.set_ylabel("share still willing to wait")
        ax.set_ylim(0, 1.02)
        ax.legend(frameon=False)
    return ax


def draw_fit_charts(
    folder: Path, tables: Mapping[str, pd.DataFrame], estimates: Mapping
) -> list[Path]:
    """Draw the three charts of a fit into ``folder/charts`` (PNG and SVG).

    Args:
        folder: The results folder.
        tables: ``profile``, ``handle_histogram`` and ``survival``.
        estimates: The fit's estimates (for the titles).

    Returns:
        The files written.
    """
    charts = folder / "charts"
    charts.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in (
        ("arrival_profile", lambda ax: plot_arrival_profile(tables["profile"], ax=ax)),
        (
            "handle_time",
            lambda ax: plot_handle_time(
                tables["handle_histogram"], estimates["handle_time"], ax=ax
            ),
        ),
        (
            "patience_survival",
            lambda ax: plot_patience_survival(tables["survival"], estimates["patience"], ax=ax),
        ),
    ):
        fig, ax = plt.subplots(figsize=(10, 5.5))
        draw(ax)
        written += _save(fig, charts / f"{name}.png")
    return written
