"""The service a call log shows, and the Erlang A cross-check of the fitted center."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.erlang import erlang_metrics


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
