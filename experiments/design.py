"""Experimental designs: parameter ranges, grids and space-filling samples (scipy.stats.qmc),
and targets for the staffing search.

The size of a design is known before its points are made (:func:`design_size`), so that a
sweep of a million points is refused by the size guard in a moment instead of being built.
NumPy and SciPy are imported only when points are made: ``ccsim --help`` reads
:data:`DESIGNS` from here.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.errors import InputError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np

    from sim.parameters import ParameterSpec

DESIGNS = ("grid", "lhs", "sobol")
#: Most steps of one swept range (a bound on the input, not on the machine).
MAX_STEPS = 1_000_000


@dataclass(frozen=True)
class ParamRange:
    """One swept parameter: explicit values, or a range ``start:stop:steps``.

    Attributes:
        key: Dotted parameter name.
        values: The grid values (validated).
        low: Lower end of the range (for space-filling designs), if a range was given.
        high: Upper end of the range, if a range was given.
        spec: The parameter's declaration.
    """

    key: str
    values: tuple[Any, ...]
    low: float | None
    high: float | None
    spec: ParameterSpec

    def scale(self, unit: np.ndarray) -> list[Any]:
        """Map points of [0, 1] onto the range (rounded for whole-number parameters)."""
        import numpy as np

        if self.low is None or self.high is None:
            idx = np.minimum((unit * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in idx]
        raw = self.low + unit * (self.high - self.low)
        return [self.spec.check(_typed(self.spec, v), source="--param") for v in raw]


def _typed(spec: ParameterSpec, value: float) -> Any:
    if isinstance(spec.default, bool):
        return bool(round(value))
    if isinstance(spec.default, int):
        return int(round(value))
    return float(value)


def parse_param(text: str) -> ParamRange:
    """Parse ``key=start:stop:steps`` or ``key=a,b,c`` (values validated)."""
    if "=" not in text:
        raise InputError(
            f"expected key=start:stop:steps or key=a,b,c, got {text!r}", field="--param"
        )
    from sim.parameters import Parameters

    key, rhs = (part.strip() for part in text.split("=", 1))
    spec = Parameters().spec(key, source="--param")
    if ":" in rhs:
        parts = rhs.split(":")
        if len(parts) != 3:
            raise InputError(f"range {rhs!r} needs start:stop:steps", field=f"--param {key}")
        try:
            start, stop, steps = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise InputError(
                f"cannot read range {rhs!r}",
                field=f"--param {key}",
                valid="start:stop:steps, e.g. 30:60:7",
            ) from None
        if not (math.isfinite(start) and math.isfinite(stop)):
            raise InputError(f"range {rhs!r} is not finite", field=f"--param {key}")
        if not 1 <= steps <= MAX_STEPS:
            raise InputError(
                f"steps must be >= 1, got {steps}"
                if steps < 1
                else f"{steps:,} steps is more than any machine can sweep",
                field=f"--param {key}",
                valid=f"1 to {MAX_STEPS:,} steps",
            )
        if isinstance(spec.default, str | bool):
            raise InputError(
                "a text or true/false parameter takes a list, not a range",
                field=f"--param {key}",
                valid="key=a,b,c",
            )
        import numpy as np

        grid = np.linspace(start, stop, steps) if steps > 1 else np.array([start])
        values = tuple(dict.fromkeys(spec.check(_typed(spec, v), source="--param") for v in grid))
        spec.check(_typed(spec, stop), source="--param")
        return ParamRange(key, values, min(start, stop), max(start, stop), spec)
    items = [v.strip() for v in rhs.split(",") if v.strip()]
    if not items:
        raise InputError("no values", field=f"--param {key}")
    if len(items) > MAX_STEPS:
        raise InputError(
            f"{len(items):,} values is more than any machine can sweep",
            field=f"--param {key}",
            valid=f"at most {MAX_STEPS:,} values",
        )
    values = tuple(dict.fromkeys(spec.check(v, source="--param") for v in items))
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    low = float(min(values)) if numeric else None
    high = float(max(values)) if numeric else None
    return ParamRange(key, values, low, high, spec)


def design_size(ranges: list[ParamRange], design: str = "grid", samples: int | None = None) -> int:
    """How many points a design has, without making them."""
    if not ranges:
        return 1
    if design == "grid":
        return math.prod(len(r.values) for r in ranges)
    return int(samples or 0)


def largest_values(ranges: list[ParamRange]) -> dict[str, Any]:
    """The largest value each swept number takes (what the size guard plans for)."""
    out: dict[str, Any] = {}
    for r in ranges:
        numbers = [v for v in r.values if isinstance(v, int | float) and not isinstance(v, bool)]
        if r.high is not None:
            numbers.append(r.high)
        if numbers:
            out[r.key] = max(numbers)
    return out


def design_points(
    ranges: list[ParamRange], design: str = "grid", samples: int | None = None, seed: int = 0
) -> list[dict[str, Any]]:
    """The design's points as override dicts.

    ``grid``: every combination of the values. ``lhs`` / ``sobol``: ``samples`` points
    of a Latin hypercube or a scrambled Sobol' sequence over the ranges (scipy.stats.qmc).
    """
    if not ranges:
        return [{}]
    keys = [r.key for r in ranges]
    if len(set(keys)) != len(keys):
        raise InputError("a parameter is swept twice", field="--param", valid="each key once")
    if design == "grid":
        return [
            dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(r.values for r in ranges))
        ]
    if design not in DESIGNS:
        raise InputError(f"unknown design {design!r}", field="--design", valid=DESIGNS)
    if not samples or samples < 1:
        raise InputError("needs --samples N (N >= 1)", field="--samples")
    from scipy.stats import qmc

    d = len(ranges)
    if design == "lhs":
        unit = qmc.LatinHypercube(d=d, seed=seed).random(samples)
    else:
        # SciPy warns when n is not a power of 2; the sweep command says it in one line.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            unit = qmc.Sobol(d=d, scramble=True, seed=seed).random(samples)
    columns = [r.scale(unit[:, i]) for i, r in enumerate(ranges)]
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


_TARGET = re.compile(
    r"^\s*([a-z_]+)\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)
TARGET_METRICS = {
    "service_level": (0.0, 1.0),
    "abandonment_rate": (0.0, 1.0),
    "p_wait": (0.0, 1.0),
    "occupancy": (0.0, 1.0),
    "retention_rate": (0.0, 1.0),
    "escalation_rate": (0.0, 1.0),
    "fcr_rate": (0.0, 1.0),
    "csat": (0.0, 1.0),
    "asa_s": (0.0, None),
    "mean_wait_s": (0.0, None),
    "repeat_contacts_per_issue": (0.0, None),
    "mean_csr_stress": (0.0, 1.0),
}


@dataclass(frozen=True)
class Target:
    """A condition on a metric's replication mean, e.g. ``service_level>=0.8``."""

    metric: str
    op: str
    value: float

    def met(self, observed: float) -> bool:
        """Whether an observed value meets the target."""
        return {
            ">=": observed >= self.value,
            "<=": observed <= self.value,
            ">": observed > self.value,
            "<": observed < self.value,
        }[self.op]

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


def parse_target(text: str) -> Target:
    """Parse and check a target (known metric, possible value)."""
    match = _TARGET.match(text)
    if not match:
        raise InputError(
            f"cannot read target {text!r}",
            field="--target",
            valid="metric>=value, e.g. service_level>=0.8",
        )
    metric, op, value = match.group(1), match.group(2), float(match.group(3))
    if metric not in TARGET_METRICS:
        close = difflib.get_close_matches(metric, list(TARGET_METRICS), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise InputError(
            f"unknown metric {metric!r}{hint}", field="--target", valid=list(TARGET_METRICS)
        )
    low, high = TARGET_METRICS[metric]
    impossible = (
        (high is not None and ((op in (">=",) and value > high) or (op == ">" and value >= high)))
        or (op in ("<=",) and value < low)
        or (op == "<" and value <= low)
    )
    if impossible or value < low - 1e-12 or (high is not None and value > high + 1e-12):
        span = f"[{low:g}, {high:g}]" if high is not None else f">= {low:g}"
        raise InputError(
            f"impossible target {text!r}", field="--target", valid=f"{metric} in {span}"
        )
    return Target(metric, op, value)
