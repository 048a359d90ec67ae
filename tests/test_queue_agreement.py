"""With people off, the engine is the textbook queue; with people on and handle times
drawn instead of talked, its queue is still Erlang A.

Three kinds of check:

* record for record, the engine equals the plain-Python reference queue
  (``tests/reference_queue.py``) on the same draws: FCFS, with hang-ups, with a staffing
  schedule, with lognormal handle times;
* statistically, the simulated metrics agree with the analytic Erlang C and Erlang A
  values (``sim.erlang``) in three regimes, overload included. Each case runs independent
  replications of a long stationary horizon with a warm-up left out, and the analytic
  value must lie within the 99% t-interval of the replication means widened by a small
  allowance: 1% of the value plus 0.003 absolute (5% for mean waits, heavy-tailed near
  saturation), which covers what a finite horizon still carries (the bias of starting
  empty that the warm-up does not entirely remove, the censoring of the last arrivals'
  waits). A real modelling error (tie-breaking, hang-ups at the wrong time, a lost
  caller) shows far beyond it;
* the textbook case (Erlang C: 100 calls per 30 min, AHT 3 min, 14 agents, 20 s) comes
  out of ``ccsim erlang`` exactly and out of the simulation within that tolerance.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from experiments.cli import app
from policies.policy import load_policy
from sim.arrivals import constant_profile, profile_from_file
from sim.erlang import erlang_metrics
from sim.model import ContactCenter, OperationsConfig, People, people_operations
from sim.parameters import Parameters
from sim.staffing import Staffing, read_schedule
from tests.reference_queue import RECORD_FIELDS, ReferenceQueue

METRICS = ("p_wait", "mean_wait_s", "abandonment_rate", "service_level")
BANK = "tests/data/bank_two_days_6min.csv"


def config(n: int, load: float, patience_s: float | None, hours: float, **kw) -> OperationsConfig:
    aht = kw.pop("aht_s", 300.0)
    return OperationsConfig(
        constant_profile(load * n / aht * 3600.0, hours, 60.0),
        Staffing.fixed(n),
        aht_s=aht,
        patience_s=patience_s,
        **kw,
    )


# --- record for record ---------------------------------------------------------------------
def _schedule(tmp_path) -> Staffing:
    path = tmp_path / "shifts.csv"
    path.write_text("interval_start,csrs\n00:00,1\n07:00,4\n09:00,6\n17:00,3\n21:00,1\n")
    return read_schedule(path, days=2)


CASES = {
    "fcfs": lambda tmp: config(8, 0.9, None, 30),
    "hang-ups": lambda tmp: config(8, 1.1, 240.0, 30),
    "lognormal-supervisors": lambda tmp: config(
        8, 0.95, 300.0, 30, handle_time="lognormal", aht_cv=0.7, supervisors=2
    ),
    "schedule": lambda tmp: OperationsConfig(
        profile_from_file(BANK, "1999-03-15:1999-03-16").scaled(2.5),
        _schedule(tmp),
        aht_s=200.0,
        patience_s=300.0,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_engine_equals_the_reference_queue_record_for_record(case, tmp_path):
    cfg = CASES[case](tmp_path)
    engine = ContactCenter(cfg, seed=17, keep_records=True).run().records_frame()
    ref = pd.DataFrame(ReferenceQueue(cfg, seed=17).run().records, columns=RECORD_FIELDS)
    assert len(engine) > 1000
    assert (engine["outcome"] == 2).sum() > 10 or case == "fcfs"  # hang-ups happen
    engine = engine.sort_values(["contact_id", "tier"]).reset_index(drop=True)
    ref = ref.sort_values(["contact_id", "tier"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(engine, ref, check_dtype=False, check_exact=True)


# --- against queueing theory -----------------------------------------------------------------
def replicate(cfg: OperationsConfig, reps: int = 10, people: dict | None = None) -> dict:
    rows = []
    for r in range(reps):
        if people is None:
            model = ContactCenter(cfg, seed=1000 + r)
        else:
            p = Parameters(people)
            floor = load_policy("negotiate").floor()
            ops = dataclasses.replace(
                people_operations(p, floor, cfg.profile, cfg.staffing),
                aht_s=cfg.aht_s,
                warmup_s=cfg.warmup_s,
                supervisors=0,
            )
            model = ContactCenter(ops, People(p, floor), seed=1000 + r, drawn_service=True)
        rows.append(model.run().summary())
    return {k: np.array([row[k] for row in rows]) for k in METRICS}


def check(sim: dict[str, np.ndarray], exact: dict[str, float]) -> None:
    for metric in METRICS:
        x = sim[metric]
        half = stats.t.ppf(0.995, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
        slack = (0.05 if metric == "mean_wait_s" else 0.01) * abs(exact[metric]) + 0.003
        assert abs(x.mean() - exact[metric]) <= half + slack, (
            metric,
            x.mean(),
            exact[metric],
            half,
        )


@pytest.mark.slow
def test_erlang_c_no_abandonment_at_load_0_9():
    n, load = 20, 0.9
    cfg = config(n, load, None, 200.0, warmup_s=5 * 3600.0)
    check(replicate(cfg), erlang_metrics(load * n / 300 * 3600, 300, n))


@pytest.mark.slow
def test_erlang_a_at_load_0_96_with_abandonment():
    n, load, patience = 50, 0.96, 600.0
    cfg = config(n, load, patience, 100.0, warmup_s=5 * 3600.0)
    check(replicate(cfg), erlang_metrics(load * n / 300 * 3600, 300, n, patience))


@pytest.mark.slow
def test_erlang_a_overloaded_at_load_1_2():
    n, load, patience = 20, 1.2, 300.0
    cfg = config(n, load, patience, 150.0, warmup_s=5 * 3600.0)
    check(replicate(cfg), erlang_metrics(load * n / 300 * 3600, 300, n, patience))


#: People whose queue behaviour is the textbook's: patience exponential with a fixed mean
#: (no effect of anger or urgency), no repeat contact, no churn, no rate that rises.
TEXTBOOK_PEOPLE = {
    "scenario.customers": 20_000,
    "customers.mean_patience_s": 600.0,
    "customers.patience_anger_factor": 0.0,
    "customers.balance_base": 1e6,
    "customers.invalid_concession_training": 0.0,
    "issues.return_probability": 0.0,
    "issues.failure_withdrawal": 0.0,
    **{
        f"persona.{p}.urgency": 1.0
        for p in ("regular", "angry", "arguer", "talker", "chronic_complainer", "rude", "demanding")
    },
}


@pytest.mark.slow
def test_with_people_and_drawn_handle_times_the_queue_is_erlang_a():
    """People on (customers, conversations, memory) but handle times drawn: the queue
    the customers meet is M/M/n+M."""
    n, load, patience = 20, 0.95, 600.0
    cfg = config(n, load, patience, 72.0, warmup_s=6 * 3600.0)
    check(
        replicate(cfg, people=TEXTBOOK_PEOPLE),
        erlang_metrics(load * n / 300 * 3600, 300, n, patience),
    )


def test_textbook_erlang_c_case_from_the_cli_and_the_simulation():
    """100 calls per 30 min, AHT 3 min, 14 agents, 20 s: P(wait) 0.1741, SL 0.888,
    occupancy 0.714 (the standard worked example of Erlang C)."""
    out = CliRunner().invoke(
        app, ["erlang", "--arrival-rate", "200", "--aht", "180", "--agents", "14", "--json"]
    )
    assert out.exit_code == 0, out.output
    metrics = json.loads(out.output)
    assert round(metrics["p_wait"], 4) == 0.1741
    assert round(metrics["service_level"], 3) == 0.888
    assert round(metrics["occupancy"], 3) == 0.714
    cfg = config(14, 200 * 180 / 3600 / 14, None, 200.0, aht_s=180.0, warmup_s=5 * 3600.0)
    check(replicate(cfg), erlang_metrics(200, 180, 14))


def test_abandonment_happens_only_with_finite_patience():
    cfg = OperationsConfig(constant_profile(300, 5), Staffing.fixed(3), aht_s=300)
    summary = ContactCenter(cfg, seed=1).run().summary()
    assert summary["abandoned"] == 0 and summary["answered"] == summary["offered"]


@pytest.mark.parametrize("case", ["hang-ups", "schedule"])
def test_the_engines_interval_sums_are_those_of_its_records(case, tmp_path):
    """The engine adds up each interval's contacts, waits and busy time as it goes; the
    sums equal those computed afterwards from every record (``records.IntervalSums``),
    up to the order of floating-point additions."""
    from sim.records import SUM_COLUMNS, IntervalSums

    cfg = CASES[case](tmp_path)
    model = ContactCenter(cfg, seed=5, keep_records=True).run()
    sums = IntervalSums(cfg.profile, cfg.staffing, cfg.sl_threshold_s, 0)
    sums.add(model.records_frame())
    expected, got = sums.frame(), model.interval_table(0)
    for column in SUM_COLUMNS:
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-10, atol=1e-6)


def test_ccsim_erlang_simulates_the_queue_it_computes():
    """``ccsim erlang --simulate N`` runs the engine on the formula's queue: the textbook
    case's simulated service level and P(wait) fall within their 95% CI widened by the
    allowance of ``check`` (1% of the value plus 0.003)."""
    out = CliRunner().invoke(
        app,
        ["erlang", "--arrival-rate", "200", "--aht", "180", "--agents", "14", "--simulate", "5",
         "--hours", "200", "--json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    metrics = json.loads(out.output)
    for key in ("service_level", "p_wait", "occupancy"):
        sim = metrics["simulated"][key]
        slack = 0.01 * metrics[key] + 0.003
        assert sim["ci_low"] - slack <= metrics[key] <= sim["ci_high"] + slack, key
