"""The model against published figures: the anchors of ``sim/data/anchors.toml``.

An anchor is data (what, the figure, its source, how to compare); this module compares
the model's figures with them: replication means with 95% CIs for the outcomes, the
queue simulated with people off for the Erlang cases, and the memory formulas for the
recovery paradox and loss aversion. Each row gets a verdict in words.
"""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from experiments.statistics import mean_ci
from sim.parameters import Parameters

COLUMNS = (
    "anchor", "what", "published", "source", "confidence", "model", "mean", "ci_low",
    "ci_high", "low", "high", "verdict", "holds",
)  # fmt: skip


def load_anchors() -> list[dict[str, Any]]:
    """The packaged anchors, in file order."""
    text = resources.files("sim.data").joinpath("anchors.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["anchor"]


def validate(reps: pd.DataFrame, params: Parameters, *, erlang_reps: int = 6) -> pd.DataFrame:
    """One row per anchor: the published figure, the model's, and a verdict.

    Args:
        reps: Replications of one policy (``replications.parquet`` rows).
        params: The run's parameters (for the anchors computed from them).
        erlang_reps: Replications of each Erlang case simulated with people off.
    """
    rows = []
    for anchor in load_anchors():
        check = anchor["check"]
        row = {k: anchor.get(k, "") for k in ("what", "published", "source", "confidence")}
        row.update(anchor=anchor["id"], low=anchor.get("low", math.nan))
        row["high"] = anchor.get("high", math.nan)
        row.update(CHECKS[check](anchor, reps, params, erlang_reps))
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def _range(anchor: dict, reps: pd.DataFrame, params: Parameters, _: int) -> dict:
    metric = anchor["metric"]
    if metric not in reps.columns:
        return {"model": "not reported", "verdict": "not measured", "holds": False}
    mean, low, high = mean_ci(reps[metric].to_numpy(dtype=float))
    inside = anchor["low"] <= mean <= anchor["high"]
    whole = anchor["low"] <= low and high <= anchor["high"]
    verdict = (
        "inside"
        if whole
        else "inside (its CI crosses the edge)"
        if inside
        else f"outside ({'below' if mean < anchor['low'] else 'above'})"
    )
    return {
        "model": f"{_g(mean)} [{_g(low)}, {_g(high)}]",
        "mean": mean,
        "ci_low": low,
        "ci_high": high,
        "verdict": verdict,
        "holds": inside,
    }


def _order(anchor: dict, reps: pd.DataFrame, params: Parameters, _: int) -> dict:
    means = []
    for metric in anchor["metrics"]:
        values = reps[metric].to_numpy(dtype=float) if metric in reps.columns else np.array([])
        values = values[~np.isnan(values)]
        means.append(float(values.mean()) if len(values) else math.nan)
    pairs = list(zip(anchor["metrics"], means, strict=True))
    ordered = all(a < b for a, b in zip(means, means[1:], strict=False))
    published = anchor["values"]
    gap = float(np.nanmean(np.abs(np.array(means) - np.array(published))))
    swapped = [f"{x} > {y}" for (x, a), (y, b) in zip(pairs, pairs[1:], strict=False) if not a < b]
    verdict = (
        f"order holds; mean gap {100 * gap:.0f} pp"
        if ordered
        else f"order differs ({', '.join(swapped)}); mean gap {100 * gap:.0f} pp"
    )
    return {
        "model": ", ".join(f"{_g(m)}" for m in means),
        "mean": gap,
        "verdict": verdict,
        "holds": ordered,
    }


def _erlang(anchor: dict, reps: pd.DataFrame, params: Parameters, erlang_reps: int) -> dict:
    from scipy import stats

    from sim.arrivals import constant_profile
    from sim.erlang import erlang_metrics
    from sim.model import ContactCenter, OperationsConfig
    from sim.staffing import Staffing

    case = anchor["case"]
    patience = case.get("patience_s")
    exact = erlang_metrics(
        case["arrival_rate_per_h"], case["aht_s"], case["agents"], patience_s=patience
    )
    config = OperationsConfig(
        constant_profile(case["arrival_rate_per_h"], 150.0, 60.0),
        Staffing.fixed(case["agents"]),
        aht_s=case["aht_s"],
        patience_s=patience,
        warmup_s=5 * 3600.0,
    )
    runs = [ContactCenter(config, seed=100 + r).run().summary() for r in range(erlang_reps)]
    metrics = ("p_wait", "service_level", "occupancy") if patience is None else (
        "abandonment_rate", "service_level", "p_wait"
    )  # fmt: skip
    agree, parts = True, []
    for metric in metrics:
        x = np.array([run[metric] for run in runs])
        # The tests' tolerance: the 99% t-interval of the replication means widened by 1%
        # of the value plus 0.003 (what a finite horizon still carries).
        half = stats.t.ppf(0.995, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
        ok = abs(x.mean() - exact[metric]) <= half + 0.01 * abs(exact[metric]) + 0.003
        agree &= bool(ok)
        parts.append(f"{metric} {x.mean():.3f} (exact {exact[metric]:.4f})")
    return {
        "model": "; ".join(parts),
        "verdict": "agrees" if agree else "differs",
        "holds": agree,
    }


def recovery_gains(params: Parameters) -> tuple[float, float]:
    """Account after a failure and its good recovery, less the account before the failure,
    for a customer with no earlier failure and with one (account units)."""
    from sim.memory import account_change, experience

    grudge = _mean_grudge(params)
    la = params["customers.loss_aversion"]
    loss = account_change(
        -params["issues.failure_withdrawal"] * params["issues.mean_severity"], la, grudge
    )
    contact = dict(
        peak=0.4, end=0.1, resolved=True, remedy_share=1.0, courtesy=0.8, wait_s=20.0,
        escalated=False,
    )  # fmt: skip
    return tuple(
        loss + account_change(experience(params, prior_failures=k, **contact), la, grudge)
        for k in (0, 1)
    )


def _recovery(anchor: dict, reps: pd.DataFrame, params: Parameters, _: int) -> dict:
    once, twice = recovery_gains(params)
    holds = once > 0 > twice
    return {
        "model": f"after one failure {once:+.2f}, after two {twice:+.2f} account units",
        "mean": once,
        "verdict": "paradox after one failure, not after two" if holds else "differs",
        "holds": holds,
    }


def _mean_grudge(params: Parameters) -> float:
    from sim.catalogue import TEMPERAMENTS

    shares = [params[f"temperament.{t}.share"] for t in TEMPERAMENTS]
    grudge = [params[f"temperament.{t}.grudge"] for t in TEMPERAMENTS]
    return float(np.dot(shares, grudge))


def _between(anchor: dict, reps: pd.DataFrame, params: Parameters, _: int) -> dict:
    value = params["customers.loss_aversion"] * _mean_grudge(params)
    holds = anchor["low"] <= value <= anchor["high"]
    return {
        "model": f"{value:.2f}",
        "mean": value,
        "verdict": "inside" if holds else "outside",
        "holds": holds,
    }


CHECKS = {
    "range": _range,
    "order": _order,
    "erlang": _erlang,
    "recovery": _recovery,
    "between": _between,
}


def _g(x: float) -> str:
    return "nan" if x != x else f"{x:.3g}"
