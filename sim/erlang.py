"""The analytic Erlang C (M/M/n) and Erlang A (M/M/n+M) queues that planners know.

Steady state, per arrival (PASTA). The stationary distribution of the birth-death chain is
computed in log space, so that it stays exact and stable for thousands of agents:
``pi_j ∝ a^j / j!`` for ``j <= n`` and ``pi_{n+k} = pi_n prod_{i=1..k} lambda/(n mu + i
theta)`` for ``k`` callers waiting. A tagged arrival that finds ``k`` waiting advances at
rate ``n mu + j theta`` while ``j`` are ahead of it and hangs up at rate ``theta``, which
gives closed forms (the products telescope):

- P(served | k) = n mu / (n mu + (k+1) theta)
- E[W | k] = (k+1) / (n mu + (k+1) theta)
- E[W; served | k] = P(served | k) sum_{j=1..k+1} 1 / (n mu + j theta)
- P(served, W <= tau | k) = P(served | k) P(S_k <= tau), with S_k a sum of exponentials of
  rates n mu + j theta, j = 1..k+1 (multiplying a hypoexponential density by
  e^{-theta s} shifts each rate by theta). The mixture over k is the absorption
  probability by tau of a pure-death chain, computed by uniformization (a Poisson
  mixture of the embedded jump chain: every term is positive, so it is stable).

Only NumPy and the standard library are used: ``ccsim erlang`` answers as fast as a
calculator should (SciPy's special functions and sparse solvers cost more to import than
the rest of it). The results agree with the SciPy formulation used before (``gammaln``,
``logsumexp``, ``expm_multiply``) to 1e-12 (``tests/test_erlang_formulas.py``).
"""

from __future__ import annotations

import math

import numpy as np

_TAIL_EPS = 1e-18
#: Most waiting states the Erlang A chain is computed over: beyond it the queue is so
#: overloaded (or patience so long) that the answer is "everyone waits for ever".
MAX_QUEUE_STATES = 200_000


def _check(
    arrival_rate_per_h: float,
    aht_s: float,
    agents: int,
    patience_s: float | None,
    sl_threshold_s: float,
) -> None:
    for name, value in (("arrival_rate_per_h", arrival_rate_per_h), ("aht_s", aht_s)):
        if not (value > 0 and math.isfinite(value)):
            raise ValueError(f"{name} must be a finite number > 0, got {value}")
    if int(agents) != agents or agents < 1:
        raise ValueError(f"agents must be a whole number >= 1, got {agents}")
    if patience_s is not None and not (patience_s > 0 and math.isfinite(patience_s)):
        raise ValueError(f"patience_s must be a finite number > 0 (or None), got {patience_s}")
    if not (sl_threshold_s >= 0 and math.isfinite(sl_threshold_s)):
        raise ValueError(f"sl_threshold_s must be a finite number >= 0, got {sl_threshold_s}")


def erlang_metrics(
    arrival_rate_per_h: float,
    aht_s: float,
    agents: int,
    patience_s: float | None = None,
    sl_threshold_s: float = 20.0,
) -> dict[str, float]:
    """Steady-state metrics with the same keys as a simulation summary.

    Args:
        arrival_rate_per_h: Arrival rate, contacts per hour.
        aht_s: Mean handle time, s (exponential).
        agents: Number of agents n.
        patience_s: Mean patience, s (exponential; Erlang A); None for Erlang C.
        sl_threshold_s: Service-level threshold tau, s.

    Returns:
        offered_load_erlangs, p_wait, abandonment_rate, asa_s, mean_wait_s,
        service_level (answered within tau / offered), occupancy, aht_s, agents.
    """
    _check(arrival_rate_per_h, aht_s, agents, patience_s, sl_threshold_s)
    n = int(agents)
    lam = arrival_rate_per_h / 3600.0
    mu = 1.0 / aht_s
    a = lam / mu
    theta = 0.0 if patience_s is None else 1.0 / patience_s
    base = {"offered_load_erlangs": a, "aht_s": float(aht_s), "agents": float(n)}
    if theta == 0.0 and (a >= n or n * mu <= lam):
        return {
            **base,
            "p_wait": 1.0,
            "abandonment_rate": 0.0,
            "asa_s": math.inf,
            "mean_wait_s": math.inf,
            "service_level": 0.0,
            "occupancy": 1.0,
        }
    j = np.arange(n + 1)
    log_low = j * math.log(a) - _log_factorials(n)  # log(a^j / j!), j = 0..n
    if theta == 0.0:
        return _erlang_c(base, log_low, n, lam, mu, a, sl_threshold_s)
    # Queue tail: log p_k = sum_{i=1..k} log(lam / (n mu + i theta)), until negligible.
    k_max = _tail_length(lam, n * mu, theta)
    i = np.arange(1, k_max + 1)
    log_tail = log_low[-1] + np.cumsum(np.log(lam) - np.log(n * mu + i * theta))
    log_all = np.concatenate([log_low, log_tail])
    log_norm = _logsumexp(log_all)
    pi_wait = np.exp(log_all[n:] - log_norm)  # pi_{n+k}, k = 0..k_max
    k = np.arange(len(pi_wait))
    rate = n * mu + (k + 1) * theta
    p_served = n * mu / rate
    p_wait = float(min(1.0, pi_wait.sum()))  # a probability, whatever the rounding
    p_ab = float(np.sum(pi_wait * (1.0 - p_served)))
    mean_wait = float(np.sum(pi_wait * (k + 1) / rate))
    inv = 1.0 / (n * mu + np.arange(1, len(k) + 1) * theta)
    wait_served = float(np.sum(pi_wait * p_served * np.cumsum(inv)))
    answered = 1.0 - p_ab
    sl = (1.0 - p_wait) + _served_within(pi_wait * p_served, n * mu, theta, sl_threshold_s)
    return {
        **base,
        "p_wait": p_wait,
        "abandonment_rate": p_ab,
        "asa_s": wait_served / answered if answered > 0 else math.nan,
        "mean_wait_s": mean_wait,
        "service_level": float(min(1.0, max(0.0, sl))),
        "occupancy": float(min(1.0, a * answered / n)),
    }


def _tail_length(lam: float, n_mu: float, theta: float) -> int:
    """How many waiting states carry probability above the cut-off."""
    # Terms grow while lam > n mu + k theta, then shrink faster than geometrically.
    k = max(1, int(math.ceil(max(0.0, lam - n_mu) / theta)))
    if k > MAX_QUEUE_STATES:
        raise ValueError(
            f"the queue would settle at about {k:,} waiting callers, too many to compute: "
            "the load is far beyond the agents (or patience is very long)"
        )
    log_term, total = 0.0, 0
    while True:
        k_next = total + 1
        log_term += math.log(lam) - math.log(n_mu + k_next * theta)
        total = k_next
        if total > k and log_term < math.log(_TAIL_EPS) - 50:
            return total
        if total > 4 * MAX_QUEUE_STATES:  # pragma: no cover - a safety bound
            return total


def _erlang_c(
    base: dict, log_low: np.ndarray, n: int, lam: float, mu: float, a: float, tau: float
) -> dict[str, float]:
    rho = a / n
    # Tail sum of pi_{n+k}, k >= 0, is pi_n / (1 - rho): the Erlang C formula in logs.
    log_wait = log_low[-1] - math.log1p(-rho)
    log_norm = np.logaddexp(_logsumexp(log_low[:-1]), log_wait)
    c = float(math.exp(log_wait - log_norm))
    asa = c / (n * mu - lam)
    return {
        **base,
        "p_wait": c,
        "abandonment_rate": 0.0,
        "asa_s": asa,
        "mean_wait_s": asa,
        "service_level": float(1.0 - c * math.exp(-(n * mu - lam) * tau)),
        "occupancy": rho,
    }


def _log_factorials(n: int) -> np.ndarray:
    """``log(j!)`` for ``j = 0..n`` (``math.lgamma``, accurate to about one ulp each)."""
    return np.fromiter((math.lgamma(j + 1.0) for j in range(n + 1)), dtype=float, count=n + 1)


def _logsumexp(x: np.ndarray) -> float:
    """``log(sum(exp(x)))`` without overflow."""
    top = float(np.max(x))
    return top + math.log(float(np.sum(np.exp(x - top))))


#: Poisson mass left out of the uniformization sum (and mass left in the chain when the
#: sum stops early): far below the printed precision.
_UNIFORM_EPS = 1e-17


def _served_within(weights: np.ndarray, n_mu: float, theta: float, tau: float) -> float:
    """sum_k weights_k P(S_k <= tau), S_k = sum_{j=1..k+1} Exp(n mu + j theta).

    States 1..m are the stages left; state s dies at rate ``n mu + s theta`` into s - 1,
    and 0 absorbs. Uniformized at the largest rate L, the chain jumps at the events of a
    Poisson process of rate L, moving down with probability ``rate_s / L`` and staying
    otherwise; the mass still alive at tau is the Poisson(L tau) mixture of the jump
    chain's alive mass after N jumps.
    """
    if tau <= 0:
        return 0.0
    # Reaching state 0 from state s takes s jumps; within tau the uniformized chain makes
    # more than x + 12 sqrt(x) + 40 jumps with negligible probability (x = L tau), so the
    # states above that count are never served in time and are left out. Fewer states
    # lower L, which lowers the count: repeat until it holds.
    m = len(weights)
    while True:
        x = (n_mu + m * theta) * tau
        limit = int(x + 12.0 * math.sqrt(x) + 40.0)
        if limit >= m:
            break
        m = limit
    rates = n_mu + np.arange(1, m + 1) * theta
    top = float(rates[-1])
    x = top * tau
    down = rates / top
    stay = 1.0 - down
    v = np.asarray(weights[:m], dtype=float).copy()
    total = float(v.sum())
    alive, used, log_p = 0.0, 0.0, -x  # log Poisson(x) pmf at N = 0
    for n in range(int(x + 12.0 * math.sqrt(x) + 40.0)):
        if n:
            log_p += math.log(x) - math.log(n)
        p = math.exp(log_p)
        mass = float(v.sum())
        alive += p * mass
        used += p
        if mass < _UNIFORM_EPS * total or (n > x and 1.0 - used < _UNIFORM_EPS):
            break
        moved = v * down
        v *= stay
        v[:-1] += moved[1:]
    return float(total - alive)


def staffing_for_target(
    arrival_rate_per_h: float,
    aht_s: float,
    patience_s: float | None = None,
    sl_threshold_s: float = 20.0,
    target_sl: float | None = None,
    target_abandonment: float | None = None,
    max_agents: int = 5000,
) -> int:
    """The smallest head count meeting the service-level and/or abandonment targets."""
    if target_sl is None and target_abandonment is None:
        raise ValueError("give target_sl or target_abandonment")
    for name, value in (("target_sl", target_sl), ("target_abandonment", target_abandonment)):
        if value is not None and not 0.0 < value < 1.0:
            raise ValueError(f"{name} must be in (0, 1), got {value}")
    _check(arrival_rate_per_h, aht_s, 1, patience_s, sl_threshold_s)

    def ok(n: int) -> bool:
        m = erlang_metrics(arrival_rate_per_h, aht_s, n, patience_s, sl_threshold_s)
        return (target_sl is None or m["service_level"] >= target_sl) and (
            target_abandonment is None or m["abandonment_rate"] <= target_abandonment
        )

    a = arrival_rate_per_h * aht_s / 3600.0
    low = max(1, int(math.floor(a)) if patience_s is None else 1)
    if not ok(max_agents):
        raise ValueError(f"no head count up to {max_agents} meets the target")
    # Metrics improve monotonically with n: bisection between a failing and a passing n.
    if ok(low):
        return low
    hi = max(low + 1, int(a + 10 * math.sqrt(a) + 10))
    while not ok(hi):
        low, hi = hi, min(max_agents, hi * 2)
    while hi - low > 1:
        mid = (low + hi) // 2
        if ok(mid):
            hi = mid
        else:
            low = mid
    return hi
