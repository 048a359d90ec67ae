"""With the behaviour layer off, the simulated queue reproduces Erlang C and Erlang A.

Each case runs independent replications (different seeds) of a long stationary horizon
with a warm-up left out, and checks that the analytic value lies within the 99% t-interval
of the replication means widened by a small allowance. The allowance (1% of the value plus
0.003 absolute, more for mean waits, which are heavy-tailed near saturation) covers what
a finite horizon can still carry: the bias of starting empty that the warm-up does not
entirely remove, and the censoring of the last arrivals' waits. Any real modelling error
(wrong tie-breaking, abandonment at the wrong time, a lost caller) shows far beyond it.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.arrivals import constant_profile
from sim.erlang import erlang_metrics
from sim.model import ContactCenter, OperationsConfig
from sim.staffing import Staffing

METRICS = ("p_wait", "mean_wait_s", "abandonment_rate", "service_level")


def replicate(
    n: int,
    load: float,
    patience_s: float | None,
    aht_s: float = 300.0,
    hours: float = 60.0,
    warmup_h: float = 5.0,
    reps: int = 10,
) -> dict[str, np.ndarray]:
    rate_per_h = load * n / aht_s * 3600.0
    config = OperationsConfig(
        constant_profile(rate_per_h, hours, 60.0),
        Staffing.fixed(n),
        aht_s=aht_s,
        patience_s=patience_s,
        warmup_s=warmup_h * 3600.0,
    )
    rows = [ContactCenter(config, seed=1000 + r).run().summary() for r in range(reps)]
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
    check(replicate(n, load, None, hours=200.0), erlang_metrics(load * n / 300 * 3600, 300, n))


@pytest.mark.slow
def test_erlang_a_at_load_0_96_with_abandonment():
    n, load, patience = 50, 0.96, 600.0
    check(
        replicate(n, load, patience, hours=100.0),
        erlang_metrics(load * n / 300 * 3600, 300, n, patience),
    )


@pytest.mark.slow
def test_erlang_a_overloaded_at_load_1_2():
    n, load, patience = 20, 1.2, 300.0
    check(
        replicate(n, load, patience, hours=150.0),
        erlang_metrics(load * n / 300 * 3600, 300, n, patience),
    )


def test_abandonment_happens_only_with_finite_patience():
    config = OperationsConfig(constant_profile(300, 5), Staffing.fixed(3), aht_s=300)
    summary = ContactCenter(config, seed=1).run().summary()
    assert summary["abandoned"] == 0 and summary["answered"] == summary["offered"]
