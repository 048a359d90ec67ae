"""What the engine can take from a fit (a params file), what it cannot, and the flat summary."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.parameters import specs


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
