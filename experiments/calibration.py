"""Calibration by the method of simulated moments: free parameters searched so that the
model's mean outcomes reach targets (:mod:`experiments.targets`).

The search knows nothing of the model: it calls an *evaluator* with a batch of candidate
parameter values and gets back, per candidate, the outcomes of each replication. The
command (``ccsim calibrate``) evaluates candidates as design points of the experiment
machinery (common random numbers: every candidate meets the same replication seeds;
finished replications saved and reused); the tests swap in a cheap function through the
same path.

The search, in the unit cube of the free ranges:

1. the start (the scenario's values) and a scrambled Sobol' design over the ranges, in
   one batch (they run in parallel);
2. Nelder-Mead (SciPy) from the best of them, one candidate at a time (its replications
   run in parallel), until it converges (to within the replication noise, see
   :data:`F_TOLERANCE`) or the budget is spent; with common random numbers the objective
   is a fixed function of the parameters, which Nelder-Mead, using no gradients, takes in
   its stride;
3. a central difference around the best candidate (one batch), for the Jacobian of the
   targeted outcomes, from which the fitted values' uncertainty follows by the delta
   method of simulated moments: ``V = A^-1 B A^-1`` with ``A = J'WJ``,
   ``B = J'W (S_sim + S_target) W J``, ``W`` the targets' weights over their scales
   squared, ``S_sim`` the covariance of the mean outcomes over the replications and
   ``S_target`` the targets' own variances (``sd``; a range counts as a value at its
   middle with the standard deviation of a uniform over it, an open range not at all).

Everything is deterministic given the evaluator's answers, so a resumed run proposes the
same candidates again and finds them finished.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from experiments.free_parameters import FreeParameter
from experiments.targets import OutcomeTarget
from sim.errors import InputError

#: Evaluator: candidates (parameter values by key) and what they are for (``start``,
#: ``explore``, ``search``, ``curvature``) -> per candidate, replication values by outcome.
Evaluator = Callable[[list[dict[str, Any]], str], list[dict[str, np.ndarray]]]
#: Step of the central differences, as a share of each free range.
STEP = 0.05
#: Nelder-Mead stops when the simplex is this small, as a share of each range.
X_TOLERANCE = 0.01
#: Nelder-Mead stops when the losses of its simplex differ by less than this (a gap of 1%
#: of the scale on one target), or than a quarter of the loss that replication noise alone
#: would give at the best first candidate, whichever is larger: closer than the noise, the
#: search would be chasing the replications' luck (see :func:`noise_loss`).
F_TOLERANCE = 1e-4
#: Size of Nelder-Mead's first simplex, as a share of each range.
SIMPLEX = 0.2
#: z of a two-sided 95% interval.
Z95 = 1.959963984540054


@dataclass
class Evaluation:
    """One candidate, evaluated.

    Attributes:
        number: Evaluation number, from 0 (the design point of its replications).
        kind: ``start``, ``explore``, ``search`` or ``curvature``.
        params: The free parameters' values.
        replications: The targeted outcomes per replication.
        means: Replication means of the targeted outcomes.
        loss: The objective (sum of the targets' losses).
    """

    number: int
    kind: str
    params: dict[str, Any]
    replications: dict[str, np.ndarray]
    means: dict[str, float]
    loss: float


@dataclass
class Calibration:
    """The result of a calibration.

    Attributes:
        free: The free parameters.
        targets: The targets.
        evaluations: Every candidate evaluated, in order.
        best: The candidate with the lowest loss (not a curvature point).
        se: Standard error of each fitted value (inf: the targets do not pin it down).
        jacobian: d(mean outcome)/d(parameter) at the best candidate, targets x free.
        converged: Whether Nelder-Mead stopped on its tolerance (not on the budget).
        message: How the search ended, in words.
    """

    free: list[FreeParameter]
    targets: list[OutcomeTarget]
    evaluations: list[Evaluation]
    best: Evaluation
    se: dict[str, float]
    jacobian: np.ndarray
    converged: bool
    message: str
    notes: list[str] = field(default_factory=list)

    def parameter_rows(self) -> list[dict[str, Any]]:
        """One row per free parameter: fitted value, start, range, SE and 95% interval."""
        rows = []
        for p in self.free:
            value, se = self.best.params[p.key], self.se[p.key]
            finite = math.isfinite(se)
            rows.append(
                {
                    "parameter": p.key,
                    "value": value,
                    "start": p.start,
                    "low": p.low,
                    "high": p.high,
                    "se": se if finite else None,
                    "ci_low": value - Z95 * se if finite else None,
                    "ci_high": value + Z95 * se if finite else None,
                    "identified": finite,
                }
            )
        return rows

    def target_rows(self) -> list[dict[str, Any]]:
        """One row per target: the target, the model's mean with a 95% CI, gap and loss."""
        from experiments.statistics import mean_ci

        rows = []
        for t in self.targets:
            mean, low, high = mean_ci(self.best.replications[t.outcome])
            rows.append(
                {
                    **t.to_dict(),
                    "model": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "gap": t.gap(mean),
                    "loss": t.loss(mean),
                    "met": t.met(mean),
                    "ci_meets": _ci_meets(t, low, high),
                }
            )
        return rows

    def evaluation_rows(self) -> list[dict[str, Any]]:
        """One row per evaluation: its number, kind, values, loss, the best loss so far
        and the mean of each targeted outcome."""
        rows, best = [], math.inf
        for e in self.evaluations:
            if e.kind != "curvature":
                best = min(best, e.loss)
            rows.append(
                {
                    "evaluation": e.number,
                    "kind": e.kind,
                    **{f"param:{k}": v for k, v in e.params.items()},
                    "loss": e.loss,
                    "best_loss": best,
                    **{f"mean:{k}": v for k, v in e.means.items()},
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data: ``params``, ``targets``, ``parameters`` and more."""
        return {
            "params": dict(self.best.params),
            "targets": self.target_rows(),
            "parameters": self.parameter_rows(),
            "loss": self.best.loss,
            "best_evaluation": self.best.number,
            "evaluations": len(self.evaluations),
            "converged": self.converged,
            "message": self.message,
            "notes": list(self.notes),
        }


def _ci_meets(t: OutcomeTarget, low: float, high: float) -> bool:
    """Whether the model's 95% CI reaches the target (overlaps the value or range)."""
    if low != low or high != high:
        return False
    return high >= t.low and low <= t.high


def total_loss(targets: Sequence[OutcomeTarget], means: dict[str, float]) -> float:
    """The objective: the sum of the targets' losses at these mean outcomes."""
    return float(sum(t.loss(means[t.outcome]) for t in targets))


def noise_loss(targets: Sequence[OutcomeTarget], e: Evaluation) -> float:
    """The loss expected from replication noise alone at a candidate: each target's
    weight times the squared standard error of the model's mean over its scale (a range
    target counts once its edge is near, so it is counted only when missed)."""
    total = 0.0
    for t in targets:
        values = e.replications[t.outcome]
        values = values[np.isfinite(values)]
        if len(values) < 2 or (not t.is_value and t.met(e.means[t.outcome])):
            continue
        se = float(values.std(ddof=1)) / math.sqrt(len(values))
        total += t.weight * (se / t.scale) ** 2
    return total


def budget_needed(free: Sequence[FreeParameter], explore: int) -> int:
    """The fewest evaluations a calibration needs: the start, the design, two Nelder-Mead
    steps per parameter and the central differences."""
    d = len(free)
    return 1 + explore + 2 * d + 2 * d


def calibrate(
    free: Sequence[FreeParameter],
    targets: Sequence[OutcomeTarget],
    evaluate: Evaluator,
    *,
    budget: int,
    explore: int,
    seed: int = 0,
) -> Calibration:
    """Search the free parameters for the lowest loss, then measure the uncertainty.

    Args:
        free: The free parameters.
        targets: The targets.
        evaluate: Runs a batch of candidates (see :data:`Evaluator`).
        budget: Most candidates evaluated, all stages together.
        explore: Candidates of the space-filling design (besides the start).
        seed: Seed of the design's scrambling.

    Returns:
        The calibration; its ``evaluations`` are in the order they were made.
    """
    from scipy.optimize import minimize
    from scipy.stats import qmc

    free, targets = list(free), list(targets)
    d = len(free)
    if budget < budget_needed(free, explore):
        raise InputError(
            f"{budget} evaluations cannot calibrate {d} parameters with a design of {explore}",
            field="--budget",
            valid=f">= {budget_needed(free, explore)}",
        )
    evaluations: list[Evaluation] = []
    seen: dict[tuple, Evaluation] = {}

    def run(units: list[np.ndarray], kind: str) -> list[Evaluation]:
        """Evaluate candidates (given in the unit cube) not seen before, in one batch."""
        candidates = [{p.key: p.value(u[i]) for i, p in enumerate(free)} for u in units]
        keys = [tuple(c[p.key] for p in free) for c in candidates]
        fresh: dict[tuple, dict[str, Any]] = {}
        for k, c in zip(keys, candidates, strict=True):
            if k not in seen and k not in fresh:
                fresh[k] = c
        if fresh:
            answers = evaluate(list(fresh.values()), kind)
            for k, c, reps in zip(fresh, fresh.values(), answers, strict=True):
                reps = {t.outcome: np.asarray(reps[t.outcome], dtype=float) for t in targets}
                means = {o: _mean(v) for o, v in reps.items()}
                e = Evaluation(len(evaluations), kind, c, reps, means, total_loss(targets, means))
                evaluations.append(e)
                seen[k] = e
        return [seen[k] for k in keys]

    search_budget = budget - 1 - explore - 2 * d
    start = np.array([p.unit(p.start) for p in free])
    units = [start]
    if explore:
        sampler = qmc.Sobol(d=d, scramble=True, seed=seed)
        # Sobol' is balanced at powers of 2; the first `explore` points are used.
        units += list(sampler.random(1 << max(0, (explore - 1).bit_length()))[:explore])
    run(units, "start" if not explore else "explore")
    evaluations[0].kind = "start"
    searchable = [e for e in evaluations if e.kind != "curvature"]
    first = min(searchable, key=_rank)
    fatol = max(F_TOLERANCE, noise_loss(targets, first) / 4)
    x0 = np.array([p.unit(first.params[p.key]) for p in free])
    spent = len(evaluations)

    def objective(u: np.ndarray) -> float:
        if len(evaluations) - spent >= search_budget:
            raise Exhausted
        e = run([np.clip(u, 0.0, 1.0)], "search")[0]
        if e.loss == 0.0:
            raise Done
        return e.loss

    converged, message = False, ""
    if min(e.loss for e in evaluations) == 0.0:
        converged, message = True, "every target met by the start or the design"
    else:
        simplex = [x0]
        for i in range(d):
            vertex = x0.copy()
            vertex[i] = x0[i] + SIMPLEX if x0[i] + SIMPLEX <= 1.0 else x0[i] - SIMPLEX
            simplex.append(vertex)
        try:
            result = minimize(
                objective,
                x0,
                method="Nelder-Mead",
                bounds=[(0.0, 1.0)] * d,
                options={
                    "initial_simplex": np.array(simplex),
                    "xatol": X_TOLERANCE,
                    "fatol": fatol,
                    "maxfev": 10 * search_budget + 100,  # the budget stops it, see above
                },
            )
            converged, message = bool(result.success), "Nelder-Mead converged"
            if not result.success:
                message = f"Nelder-Mead stopped: {result.message}"
        except Done:
            converged, message = True, "every target met"
        except Exhausted:
            message = f"the budget of {budget} evaluations was spent before Nelder-Mead converged"
    best = min((e for e in evaluations if e.kind != "curvature"), key=_rank)
    jacobian, se, notes = _uncertainty(free, targets, best, run)
    return Calibration(free, targets, evaluations, best, se, jacobian, converged, message, notes)


class Exhausted(Exception):
    """The search used its budget."""


class Done(Exception):
    """Every target is met: nothing left to improve."""


def _rank(e: Evaluation) -> tuple[float, int]:
    """Lowest loss first; among equals, the earliest (the start before the design)."""
    return (e.loss, e.number)


def _mean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else math.nan


def _uncertainty(
    free: list[FreeParameter],
    targets: list[OutcomeTarget],
    best: Evaluation,
    run: Callable[[list[np.ndarray], str], list[Evaluation]],
) -> tuple[np.ndarray, dict[str, float], list[str]]:
    """The Jacobian at the best candidate (central differences, one batch) and the delta
    method's standard errors of the fitted values (see the module's docstring)."""
    d, k = len(free), len(targets)
    x = np.array([p.unit(best.params[p.key]) for p in free])
    units = []
    for i in range(d):
        up, down = x.copy(), x.copy()
        up[i], down[i] = min(1.0, x[i] + STEP), max(0.0, x[i] - STEP)
        units += [up, down]
    points = run(units, "curvature")
    jacobian = np.zeros((k, d))
    for i, p in enumerate(free):
        up, down = points[2 * i], points[2 * i + 1]
        step = float(up.params[p.key]) - float(down.params[p.key])
        for j, t in enumerate(targets):
            jacobian[j, i] = (up.means[t.outcome] - down.means[t.outcome]) / step if step else 0.0
    # Weights, and the targets' own variances (a range: a uniform over it; open: none).
    weights, target_var = np.zeros(k), np.zeros(k)
    for j, t in enumerate(targets):
        if math.isinf(t.low) or math.isinf(t.high):
            continue
        weights[j] = t.weight / t.scale**2
        target_var[j] = t.sd**2 + (t.high - t.low) ** 2 / 12.0
    reps = np.array([best.replications[t.outcome] for t in targets], dtype=float)
    n = reps.shape[1]
    sim_cov = np.cov(reps) / n if n > 1 else np.zeros((k, k))
    sim_cov = np.nan_to_num(np.atleast_2d(sim_cov))
    notes: list[str] = []
    ok = np.isfinite(jacobian).all(axis=1)
    w = np.diag(weights * ok)
    jac = np.nan_to_num(jacobian)
    a = jac.T @ w @ jac
    b = jac.T @ w @ (sim_cov + np.diag(target_var)) @ w @ jac
    se: dict[str, float] = {}
    try:
        # A parameter the targets do not move (a zero column) cannot be pinned down.
        if np.linalg.cond(a) > 1e12:
            raise np.linalg.LinAlgError
        inverse = np.linalg.inv(a)
        variance = np.diag(inverse @ b @ inverse)
        for i, p in enumerate(free):
            se[p.key] = float(math.sqrt(max(variance[i], 0.0)))
            if 2 * Z95 * se[p.key] > p.high - p.low:
                notes.append(
                    f"{p.key}: weakly identified (its 95% interval is wider than the range "
                    "searched)"
                )
        scale = np.sqrt(np.clip(np.diag(inverse @ b @ inverse), 1e-300, None))
        correlation = (inverse @ b @ inverse) / np.outer(scale, scale)
        for i in range(d):
            for j in range(i + 1, d):
                if abs(correlation[i, j]) > 0.95:
                    notes.append(
                        f"{free[i].key} and {free[j].key} trade off against each other "
                        f"(correlation {correlation[i, j]:+.2f}): the targets pin down a "
                        "combination of them more than either"
                    )
    except np.linalg.LinAlgError:
        for i, p in enumerate(free):
            moved = bool(np.any(np.abs(jac[:, i] * weights) > 0))
            se[p.key] = math.inf
            notes.append(
                f"{p.key}: not identified"
                + ("" if moved else " (no closed target moves with it)")
                + " by the targets; its value is one of many that fit"
            )
    return jacobian, se, notes
