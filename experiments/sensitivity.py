"""Global sensitivity of an outcome to parameters: Morris screening and Sobol' indices.

The estimators are SALib's (the field's standard); this module only connects them to
ccsim. A :class:`Design` holds the factors (parameters with ranges), the method and its
size; it makes the SALib sample, turns it into the design points that ``ccsim sweep``'s
machinery runs (replications with common random numbers, jobs, Dask, resume), and turns
one outcome per point back into indices. Between the two sits an *evaluation*, any
function from the list of points to one number per point: :class:`ModelEvaluation` reads
the outcomes of the runs of the model, and a test passes an analytic function (Ishigami)
through exactly the same sampling, scaling and analysis::

    design = Design("sobol", factors, n=1024, seed=1)
    table = sensitivity_indices(design, evaluate)   # evaluate(points) -> outcomes

SALib samples the unit cube, and :meth:`Factor.values` maps each column onto the factor's
range (rounded for whole-number parameters), so Morris' elementary effects are changes
of the outcome over a whole range: ``mu_star`` is in the outcome's own unit, per range.

Imports NumPy, pandas and SALib; the command imports this module inside its function.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.errors import InputError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from experiments.contrast import Contrast
    from sim.parameters import ParameterSpec

METHODS = ("morris", "sobol")
#: Columns of ``indices.csv`` per method (``_ci``: half-width of the 95% CI).
COLUMNS = {
    "morris": ("parameter", "mu_star", "mu_star_ci", "sigma"),
    "sobol": ("parameter", "S1", "S1_ci", "ST", "ST_ci"),
}
#: Bootstrap resamples for the confidence intervals of the indices.
RESAMPLES = 1000
#: Unit of a ``--group`` parameter that is a switch (0 or 1), not a quantity.
SWITCH_UNITS = ("0/1", "choice")


def design_size(method: str, n: int, factors: int) -> int:
    """Points of a design: ``n (d + 1)`` for Morris (``n`` trajectories), ``n (d + 2)``
    for Sobol' first and total indices (Saltelli's scheme, ``n`` base samples)."""
    return n * (factors + 1) if method == "morris" else n * (factors + 2)


@dataclass(frozen=True)
class Factor:
    """One input varied over a range.

    Attributes:
        name: The parameter's dotted key (or any name, for a test function).
        low: Lower end of the range, in the parameter's unit.
        high: Upper end of the range.
        spec: The model parameter's declaration (values are checked and typed by it), or
            None for a plain number.
    """

    name: str
    low: float
    high: float
    spec: ParameterSpec | None = None

    def values(self, unit: np.ndarray) -> list[Any]:
        """Map points of [0, 1] onto the range (rounded for whole-number parameters)."""
        raw = self.low + np.asarray(unit, dtype=float) * (self.high - self.low)
        if self.spec is None:
            return [float(v) for v in raw]
        whole = isinstance(self.spec.default, int)
        return [
            self.spec.check(int(round(v)) if whole else float(v), source="--param") for v in raw
        ]


def parse_factor(text: str, spread: float = 0.5) -> Factor:
    """Read ``KEY=LO:HI`` into a factor (a numeric parameter, both ends valid); a bare
    ``KEY`` varies over its default plus or minus ``spread`` (see :func:`spread_factor`)."""
    from sim.parameters import Parameters

    key, _, rhs = (part.strip() for part in text.partition("="))
    spec = Parameters().spec(key, source="--param")
    if isinstance(spec.default, str | bool):
        raise InputError(
            "a text or true/false parameter has no range", field=f"--param {key}", valid="a number"
        )
    if "=" not in text:
        factor = spread_factor(spec, spread)
        if factor is None:
            raise InputError(
                f"{key} has no range to spread over (its default is 0 or it is a switch)",
                field=f"--param {key}",
                valid="KEY=LO:HI",
            )
        return factor
    parts = rhs.split(":")
    try:
        low, high = (float(p) for p in parts) if len(parts) == 2 else (math.nan, math.nan)
    except ValueError:
        low = high = math.nan
    if not (math.isfinite(low) and math.isfinite(high)):
        raise InputError(
            f"cannot read range {rhs!r}", field=f"--param {key}", valid="LO:HI, e.g. 1.5:3"
        )
    if not low < high:
        raise InputError(
            f"the range {rhs!r} is empty", field=f"--param {key}", valid="LO:HI with LO < HI"
        )
    for end in (low, high):
        spec.check(int(round(end)) if isinstance(spec.default, int) else end, source="--param")
    return Factor(key, low, high, spec)


def spread_factor(spec: ParameterSpec, spread: float = 0.5) -> Factor | None:
    """A parameter over its default plus or minus ``spread`` (a share of the default),
    clipped to its valid range; None for a switch, a choice, or a default of 0 without a
    bounded valid range (no scale to spread over; with one, the whole valid range)."""
    if isinstance(spec.default, str | bool) or spec.unit in SWITCH_UNITS:
        return None
    default = float(spec.default)
    if default == 0:
        if spec.min is None or spec.max is None:
            return None
        low, high = float(spec.min), float(spec.max)
    else:
        low, high = sorted((default * (1 - spread), default * (1 + spread)))
    if spec.min is not None:
        low = max(low, float(spec.min))
    if spec.max is not None:
        high = min(high, float(spec.max))
    if spec.gt is not None and low <= spec.gt:
        # Strictly above the bound: the smallest step that a check accepts.
        low = spec.gt + 1e-9 * max(1.0, abs(spec.gt))
    if isinstance(spec.default, int):
        low, high = math.ceil(low), math.floor(high)
    return Factor(spec.key, low, high, spec) if low < high else None


def group_factors(prefix: str, spread: float = 0.5) -> list[Factor]:
    """Every numeric parameter under a prefix, over its default plus or minus ``spread``
    within its valid range (:func:`spread_factor`; switches and choices left out)."""
    from sim.parameters import specs

    found = [s for k, s in specs().items() if k.startswith(prefix)]
    if not found:
        import difflib

        keys = sorted({k.rsplit(".", 1)[0] for k in specs()} | {k.split(".")[0] for k in specs()})
        close = difflib.get_close_matches(prefix, keys, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise InputError(
            f"no parameter starts with {prefix!r}{hint}",
            field="--group",
            valid=", ".join(sorted({k.split(".")[0] for k in specs()})),
        )
    out = [f for f in (spread_factor(s, spread) for s in found) if f is not None]
    if not out:
        raise InputError(
            f"no numeric parameter under {prefix!r} can vary",
            field="--group",
            valid="a prefix with numeric parameters, e.g. customers.",
        )
    return out


@dataclass(frozen=True)
class Design:
    """A sensitivity design: the factors, the method and its size.

    Attributes:
        method: ``morris`` (elementary effects, for screening) or ``sobol`` (first-order
            and total indices).
        factors: The inputs varied.
        n: Trajectories (Morris) or base samples (Sobol'; a power of 2 is balanced).
        seed: Seed of the sample and of the bootstrap of the confidence intervals.
        levels: Grid levels of Morris' trajectories.
    """

    method: str
    factors: tuple[Factor, ...]
    n: int
    seed: int = 0
    levels: int = 4

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InputError(f"unknown method {self.method!r}", field="--method", valid=METHODS)
        names = [f.name for f in self.factors]
        if len(set(names)) != len(names):
            raise InputError("a parameter is varied twice", field="--param", valid="each once")
        if len(names) < (2 if self.method == "morris" else 1):
            raise InputError(
                "a Morris screen compares at least 2 parameters",
                field="--param",
                valid="2 or more --param, or --group",
            )

    @property
    def size(self) -> int:
        """Points of the design."""
        return design_size(self.method, self.n, len(self.factors))

    def problem(self) -> dict[str, Any]:
        """SALib's problem: the unit cube (factors are scaled onto their ranges later)."""
        d = len(self.factors)
        return {"num_vars": d, "names": [f.name for f in self.factors], "bounds": [[0, 1]] * d}

    def unit_sample(self) -> np.ndarray:
        """SALib's sample of the unit cube, one row per point."""
        if self.method == "morris":
            from SALib.sample import morris

            return morris.sample(self.problem(), self.n, num_levels=self.levels, seed=self.seed)
        from SALib.sample import sobol

        # SALib warns when n is not a power of 2; the command says it in one line.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sobol.sample(self.problem(), self.n, calc_second_order=False, seed=self.seed)

    def points(self) -> list[dict[str, Any]]:
        """The design points as parameter overrides, one dict per row of the sample."""
        unit = self.unit_sample()
        columns = [f.values(unit[:, i]) for i, f in enumerate(self.factors)]
        names = [f.name for f in self.factors]
        return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]

    def analyse(self, outcomes: np.ndarray, level: float = 0.95) -> pd.DataFrame:
        """Indices from one outcome per point, most influential first.

        Returns:
            Morris: ``parameter, mu_star, mu_star_ci, sigma`` (mean absolute elementary
            effect over a whole range, in the outcome's unit; half-width of its bootstrap
            CI; standard deviation of the effects, a sign of interactions or curvature).
            Sobol': ``parameter, S1, S1_ci, ST, ST_ci`` (first-order and total shares of
            the outcome's variance, with CI half-widths).

        Raises:
            InputError: the outcome is missing at some points.
        """
        y = np.asarray(outcomes, dtype=float).ravel()
        if len(y) != self.size:
            raise InputError(f"{len(y)} outcomes for a design of {self.size} points")
        if not np.all(np.isfinite(y)):
            bad = int((~np.isfinite(y)).sum())
            raise InputError(
                f"the outcome is undefined at {bad} of {len(y)} points (e.g. a rate with "
                "nothing to count)",
                field="--metric",
                valid="a metric defined over the whole range",
            )
        names = [f.name for f in self.factors]
        if self.method == "morris":
            from SALib.analyze import morris

            si = morris.analyze(
                self.problem(),
                self.unit_sample(),
                y,
                num_resamples=RESAMPLES,
                conf_level=level,
                num_levels=self.levels,
                seed=self.seed,
            )
            table = pd.DataFrame(
                {
                    "parameter": names,
                    "mu_star": np.asarray(si["mu_star"], dtype=float),
                    "mu_star_ci": np.asarray(si["mu_star_conf"], dtype=float),
                    "sigma": np.asarray(si["sigma"], dtype=float),
                }
            )
            order = "mu_star"
        else:
            from SALib.analyze import sobol

            with np.errstate(invalid="ignore", divide="ignore"):
                si = sobol.analyze(
                    self.problem(),
                    y,
                    calc_second_order=False,
                    num_resamples=RESAMPLES,
                    conf_level=level,
                    seed=self.seed,
                )
            table = pd.DataFrame(
                {
                    "parameter": names,
                    "S1": si["S1"],
                    "S1_ci": si["S1_conf"],
                    "ST": si["ST"],
                    "ST_ci": si["ST_conf"],
                }
            )
            order = "ST"
        return table.sort_values(order, ascending=False, kind="stable", ignore_index=True)


def sensitivity_indices(
    design: Design, evaluate: Callable[[list[dict[str, Any]]], Sequence[float]]
) -> pd.DataFrame:
    """Evaluate the design's points and analyse the outcomes (see :meth:`Design.analyse`).

    Args:
        design: The design.
        evaluate: One outcome per point, in the order of the points: the model's runs
            (:class:`ModelEvaluation`) or any function of the parameters.
    """
    return design.analyse(np.asarray(evaluate(design.points()), dtype=float))


class ModelEvaluation:
    """The outcome of the model's runs at each design point (mean over replications).

    Args:
        reps: The replications table of the runs of the design's points.
        metric: The metric.
        contrast: A paired contrast of two policies, or None for the metric of the
            (only) policy.
    """

    def __init__(self, reps: pd.DataFrame, metric: str, contrast: Contrast | None = None):
        from experiments.contrast import outcome_by_point

        self.reps = reps
        self.table = outcome_by_point(reps, metric, contrast=contrast)

    def __call__(self, points: list[dict[str, Any]]) -> np.ndarray:
        """The outcomes at ``points``, which must be the points that were run, in order.

        Raises:
            InputError: the runs are of other points (another design or seed).
        """
        table = self.table
        if len(table) != len(points):
            raise InputError(f"runs of {len(table)} points for a design of {len(points)}")
        for i, point in enumerate(points):
            for key, value in point.items():
                ran = table[f"param:{key}"].iat[i] if f"param:{key}" in table else None
                if ran is None or not np.isclose(float(ran), float(value)):
                    raise InputError(
                        f"point {i} ran {key}={ran}, the design has {value}", field="--out"
                    )
        return table["mean"].to_numpy(dtype=float)


def finding(indices: pd.DataFrame, outcome: str) -> str:
    """The result in one sentence, e.g. for the chart's title and the report's headline."""
    if "mu_star" in indices.columns:
        score, ci = indices["mu_star"], indices["mu_star_ci"]
    else:
        score, ci = indices["ST"], indices["ST_ci"]
    first = indices.iloc[0]["parameter"]
    # Distinguishable from zero: the CI's lower end is above 0.
    movers = indices[(score - ci) > 0]["parameter"].tolist()
    if not movers:
        return f"No parameter moves {outcome} distinguishably from noise"
    if movers[0] == first:
        head = f"{first} moves {outcome} most"
    else:
        head = (
            f"{movers[0]} moves {outcome} most beyond noise ({first} ranks first, "
            "but its CI reaches zero)"
        )
    if len(indices) > 1:
        head += f"; {len(movers)} of {len(indices)} parameters move it beyond noise"
    return head
