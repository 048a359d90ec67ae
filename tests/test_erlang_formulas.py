"""The analytic calculator (``ccsim erlang``) against textbook values and an independent
birth-death chain solved here with plain linear algebra."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm

from sim.erlang import erlang_metrics, staffing_for_target


def per_hour(rate_per_s: float) -> float:
    return rate_per_s * 3600.0


@pytest.mark.parametrize(
    ("a", "n", "c"),
    [
        (1.0, 2, 1 / 3),  # M/M/2 at rho = 0.5: P(wait) = 2 rho^2 / (1 + rho)
        (2.0, 3, 4 / 9),  # the classic three-server example
        (0.5, 1, 0.5),  # M/M/1: P(wait) = rho
    ],
)
def test_erlang_c_matches_textbook_values(a, n, c):
    m = erlang_metrics(per_hour(a / 100.0), 100.0, n)
    assert m["p_wait"] == pytest.approx(c, rel=1e-12)
    # Mean wait: C / (n mu - lambda).
    assert m["mean_wait_s"] == pytest.approx(c / (n / 100.0 - a / 100.0), rel=1e-12)
    assert m["occupancy"] == pytest.approx(a / n)


def erlang_c_by_factorials(a: float, n: int) -> float:
    """The Erlang C formula as printed in textbooks, with exact factorials."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


@pytest.mark.parametrize(("a", "n"), [(10.0, 11), (10.0, 13), (24.0, 28), (45.0, 50), (90.0, 100)])
def test_erlang_c_matches_the_factorial_formula(a, n):
    m = erlang_metrics(per_hour(a / 300.0), 300.0, n, sl_threshold_s=20.0)
    c = erlang_c_by_factorials(a, n)
    assert m["p_wait"] == pytest.approx(c, rel=1e-10)
    assert m["service_level"] == pytest.approx(1 - c * math.exp(-(n - a) / 300.0 * 20.0), rel=1e-10)


def birth_death(lam: float, mu: float, theta: float, n: int, cap: int = 400) -> np.ndarray:
    """Stationary distribution of M/M/n+M from its truncated generator (independent check)."""
    size = n + cap + 1
    q = np.zeros((size, size))
    for i in range(size):
        if i + 1 < size:
            q[i, i + 1] = lam
        if i > 0:
            q[i, i - 1] = min(i, n) * mu + max(0, i - n) * theta
        q[i, i] = -q[i].sum()
    a = np.vstack([q.T, np.ones(size)])
    b = np.zeros(size + 1)
    b[-1] = 1.0
    return np.linalg.lstsq(a, b, rcond=None)[0]


@pytest.mark.parametrize(
    ("n", "load", "patience_s"),
    [(5, 0.8, 200.0), (12, 1.0, 600.0), (30, 1.2, 300.0), (8, 0.9, None)],
)
def test_erlang_a_matches_an_independent_birth_death_chain(n, load, patience_s):
    aht = 180.0
    mu = 1 / aht
    lam = load * n * mu
    theta = 0.0 if patience_s is None else 1 / patience_s
    pi = birth_death(lam, mu, theta, n)
    queue = np.arange(len(pi)) - n
    waiting = np.clip(queue, 0, None)
    m = erlang_metrics(per_hour(lam), aht, n, patience_s)
    assert m["p_wait"] == pytest.approx(pi[n:].sum(), rel=1e-6)
    # Little's law on the queue: E[W] = E[Q] / lambda; abandonment = theta E[Q] / lambda.
    assert m["mean_wait_s"] == pytest.approx((pi * waiting).sum() / lam, rel=1e-6)
    assert m["abandonment_rate"] == pytest.approx(
        theta * (pi * waiting).sum() / lam, rel=1e-6, abs=1e-12
    )
    busy = (pi * np.minimum(np.arange(len(pi)), n)).sum()
    assert m["occupancy"] == pytest.approx(busy / n, rel=1e-6)


def test_erlang_a_service_level_matches_a_brute_force_tagged_customer():
    """P(answered within tau) from the tagged caller's own chain, solved by matrix exponential."""
    n, aht, patience, tau = 4, 120.0, 240.0, 30.0
    mu, theta = 1 / aht, 1 / patience
    lam = 1.1 * n * mu
    pi = birth_death(lam, mu, theta, n, cap=120)
    sl = pi[:n].sum()  # answered at once
    for k in range(0, 120):
        # States: j ahead (k..0), served (absorbing), abandoned (absorbing).
        size = k + 3
        q = np.zeros((size, size))
        served, gone = k + 1, k + 2
        for j in range(k + 1):
            row = k - j  # row index for "j ahead"
            forward = n * mu + j * theta
            q[row, row + 1 if j > 0 else served] += forward
            q[row, gone] += theta
            q[row, row] = -(forward + theta)
        p = expm(q * tau)[0]
        sl += pi[n + k] * p[served]
    assert erlang_metrics(per_hour(lam), aht, n, patience, tau)["service_level"] == pytest.approx(
        sl, rel=1e-6
    )


def test_long_patience_approaches_erlang_c():
    c = erlang_metrics(500, 300, 45)
    a = erlang_metrics(500, 300, 45, patience_s=1e9)
    for key in ("p_wait", "mean_wait_s", "service_level"):
        assert a[key] == pytest.approx(c[key], rel=1e-4)


def test_more_agents_mean_better_service():
    sls = [erlang_metrics(500, 300, n, patience_s=400)["service_level"] for n in range(40, 60)]
    waits = [erlang_metrics(500, 300, n, patience_s=400)["p_wait"] for n in range(40, 60)]
    assert all(np.diff(sls) > 0) and all(np.diff(waits) < 0)


def test_exact_and_stable_at_two_thousand_agents():
    m = erlang_metrics(per_hour(1980 / 300), 300, 2000, patience_s=600)
    assert all(math.isfinite(v) for v in m.values())
    assert 0 < m["p_wait"] < 1 and 0 < m["service_level"] <= 1
    c = erlang_metrics(per_hour(1980 / 300), 300, 2000)
    assert c["p_wait"] == pytest.approx(
        erlang_metrics(per_hour(1980 / 300), 300, 2000, patience_s=1e12)["p_wait"], rel=1e-6
    )


def test_an_unstable_erlang_c_queue_is_reported_not_crashed():
    m = erlang_metrics(per_hour(12 / 300), 300, 10)
    assert m["p_wait"] == 1.0 and math.isinf(m["mean_wait_s"]) and m["service_level"] == 0.0


def test_staffing_for_target_is_the_smallest_head_count():
    n = staffing_for_target(720, 300, patience_s=600, target_sl=0.8)
    assert erlang_metrics(720, 300, n, 600)["service_level"] >= 0.8
    assert erlang_metrics(720, 300, n - 1, 600)["service_level"] < 0.8
    m = staffing_for_target(720, 300, patience_s=600, target_abandonment=0.02)
    assert (
        erlang_metrics(720, 300, m, 600)["abandonment_rate"]
        <= 0.02
        < erlang_metrics(720, 300, m - 1, 600)["abandonment_rate"]
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(arrival_rate_per_h=0, aht_s=300, agents=5),
        dict(arrival_rate_per_h=100, aht_s=-1, agents=5),
        dict(arrival_rate_per_h=100, aht_s=300, agents=0),
        dict(arrival_rate_per_h=100, aht_s=300, agents=5, patience_s=0),
    ],
)
def test_invalid_input_is_refused(kwargs):
    with pytest.raises(ValueError):
        erlang_metrics(**kwargs)
