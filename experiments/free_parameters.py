"""The free parameters of a calibration: ``--free KEY=LO:HI``, checked against each
parameter's valid values, and mapped to and from the unit cube the search works in."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.errors import InputError
from sim.parameters import Parameters, ParameterSpec

#: Significant digits of a candidate's values (readable tables, stable task ids).
DIGITS = 6


@dataclass(frozen=True)
class FreeParameter:
    """A parameter the calibration may move, within ``[low, high]``.

    Attributes:
        key: Dotted parameter name.
        low: Lower end of the search range, in the parameter's unit.
        high: Upper end of the search range.
        start: Where the search starts (the scenario's value, kept within the range).
        spec: The parameter's declaration.
    """

    key: str
    low: float
    high: float
    start: float
    spec: ParameterSpec

    @property
    def whole(self) -> bool:
        """Whether the parameter takes whole numbers."""
        return isinstance(self.spec.default, int)

    def value(self, unit: float) -> float | int:
        """The parameter value at a point of [0, 1] (rounded, within the valid range)."""
        raw = self.low + min(max(float(unit), 0.0), 1.0) * (self.high - self.low)
        if self.whole:
            return int(round(raw))
        return float(f"{raw:.{DIGITS}g}")

    def unit(self, value: float) -> float:
        """Where a value lies in the range, 0 to 1."""
        return (float(value) - self.low) / (self.high - self.low)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for manifests."""
        return {"key": self.key, "low": self.low, "high": self.high, "start": self.start}


def parse_free(text: str, base: Parameters | None = None) -> FreeParameter:
    """Parse ``KEY=LO:HI`` (a numeric parameter and a range inside its valid values).

    Args:
        text: The option's value.
        base: The scenario's parameters (where the search starts); the defaults if None.

    Raises:
        InputError: not ``KEY=LO:HI``, an unknown key (with the closest names), a text or
            true/false parameter, an empty range, or ends outside the valid values.
    """
    if "=" not in text:
        raise InputError(
            f"expected KEY=LO:HI, got {text!r}",
            field="--free",
            valid="e.g. customers.mean_patience_s=60:600",
        )
    key, rhs = (part.strip() for part in text.split("=", 1))
    base = base or Parameters()
    spec = base.spec(key, source="--free")
    where = f"--free {key}"
    if isinstance(spec.default, bool | str):
        raise InputError(
            "a text or true/false parameter cannot be calibrated",
            field=where,
            valid="a numeric parameter (see ccsim params)",
        )
    parts = rhs.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise InputError(
            f"cannot read range {rhs!r}", field=where, valid="LO:HI, e.g. 60:600"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise InputError(f"range {rhs!r} is empty or not finite", field=where, valid="LO < HI")
    for end in (low, high):
        value = int(round(end)) if isinstance(spec.default, int) else end
        try:
            spec.check(value)
        except InputError:
            raise InputError(
                f"{end:g} is outside the parameter's valid values", field=where, valid=spec.valid
            ) from None
    if isinstance(spec.default, int) and int(round(high)) - int(round(low)) < 1:
        raise InputError(f"range {rhs!r} holds one whole number", field=where, valid="LO < HI")
    start = min(max(float(base[key]), low), high)
    return FreeParameter(key, low, high, start, spec)
