"""Outcome targets for ``ccsim calibrate``: what the model should reproduce, read from TOML.

A targets file names outcomes of the model (the keys of ``ccsim run --json``) and, for
each, a value or a range it should reach, with an optional weight::

    [targets.fcr_rate]
    value = 0.71          # or: low = 0.62, high = 0.80 (either end may be left open)
    weight = 1.0          # optional, > 0
    scale = 0.05          # optional, > 0: the gap that counts as one unit of loss
    sd = 0.01             # optional, >= 0: the uncertainty of the observed figure

A target's loss is ``weight * (gap / scale) ** 2``, where ``gap`` is the distance from
the model's mean to the value or range (zero inside the range): targets in different
units (seconds, shares) weigh alike, and a range already met costs nothing. The default
scale is the size of the target (the value, or the middle of the range), so that a gap
is read relative to it; 1 when the target is 0.

Every key and field is checked when the file is read; a problem is one line naming the
file, the line, the field and what is valid. The module imports only the standard
library (``ccsim --help`` reads nothing from here, but the test of start-up imports it).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sim.errors import InputError

#: The outcomes a target may name: the numeric keys of ``ccsim run --json`` with people
#: on (docs/model.md section 7.9); a test checks them against a run.
OUTCOMES = (
    "offered", "answered", "abandoned", "waiting_at_end", "abandonment_rate", "p_wait",
    "asa_s", "mean_wait_s", "service_level", "occupancy", "aht_s", "supervisor_asa_s",
    "supervisor_abandonment_rate", "retention_rate", "annualized_churn",
    "annualized_service_churn", "service_churned_customers", "contacts_per_customer_year",
    "silent_issues", "silent_share", "retention_rate_contacted", "churned_customers",
    "lost_value", "issues", "contacts", "escalation_rate", "complaint_rate", "fcr_rate",
    "repeat_contacts_per_issue", "aht_first_contact_s", "concession_cost",
    "concession_per_contact", "invalid_concessions", "mean_csr_stress", "csat",
    "labor_cost", "net_value", "callbacks", "retention_after_resolved",
    "retention_after_unresolved", "kept_silent", "satisfied_silent", "kept_unresolved",
    "satisfied_unresolved", "kept_resolved_later", "satisfied_resolved_later",
    "kept_resolved_first", "satisfied_resolved_first",
)  # fmt: skip
#: Outcomes that may be negative (everything else is a count, a duration, a share or money
#: spent, all >= 0).
SIGNED = ("net_value",)
#: Fields of a target table.
FIELDS = ("value", "low", "high", "weight", "scale", "sd")
#: Targets files shipped with ccsim, by name (``--targets default``).
SHIPPED = {"default": "default_targets.toml"}


def outcome_bounds(outcome: str) -> tuple[float, float]:
    """The values an outcome can take: shares in [0, 1], most others >= 0."""
    from experiments.display import is_share

    if outcome in SIGNED:
        return -math.inf, math.inf
    if is_share(outcome) or outcome == "mean_csr_stress":
        return 0.0, 1.0
    return 0.0, math.inf


@dataclass(frozen=True)
class OutcomeTarget:
    """What one outcome should reach.

    Attributes:
        outcome: The outcome's name (a key of ``ccsim run --json``).
        low: Lowest value that meets the target (``-inf``: open), in the outcome's unit.
        high: Highest value that meets the target (``inf``: open).
        weight: Relative weight of the target in the loss (> 0).
        scale: The gap counted as one unit of loss, in the outcome's unit (> 0).
        sd: Standard deviation of the observed figure, in the outcome's unit (0: exact);
            it widens the fitted values' uncertainty, not the loss.
        line: Line of the target's table in its file, if known.
    """

    outcome: str
    low: float
    high: float
    weight: float = 1.0
    scale: float = 1.0
    sd: float = 0.0
    line: int | None = None

    @property
    def is_value(self) -> bool:
        """Whether the target is a single value (not a range)."""
        return self.low == self.high

    @property
    def centre(self) -> float:
        """The value, or the middle of a range (its finite end if one end is open)."""
        if math.isinf(self.low):
            return self.high
        if math.isinf(self.high):
            return self.low
        return (self.low + self.high) / 2

    def gap(self, model: float) -> float:
        """Distance from a model value to the target (0 inside a range), outcome units."""
        if model != model:  # NaN: the outcome could not be computed at all
            return math.inf
        if model < self.low:
            return self.low - model
        if model > self.high:
            return model - self.high
        return 0.0

    def loss(self, model: float) -> float:
        """This target's share of the objective: ``weight * (gap / scale) ** 2``."""
        gap = self.gap(model)
        return math.inf if math.isinf(gap) else self.weight * (gap / self.scale) ** 2

    def met(self, model: float) -> bool:
        """Whether a model value meets the target (inside the range, or at the value)."""
        return self.gap(model) == 0.0

    def describe(self) -> str:
        """The target in words, e.g. ``0.71`` or ``0.62 to 0.80`` or ``<= 0.1``."""
        if self.is_value:
            return f"{self.low:g}"
        if math.isinf(self.low):
            return f"<= {self.high:g}"
        if math.isinf(self.high):
            return f">= {self.low:g}"
        return f"{self.low:g} to {self.high:g}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data (open ends as None) for manifests and JSON."""
        return {
            "outcome": self.outcome,
            "target": self.describe(),
            "value": self.low if self.is_value else None,
            "low": None if math.isinf(self.low) else self.low,
            "high": None if math.isinf(self.high) else self.high,
            "weight": self.weight,
            "scale": self.scale,
            "sd": self.sd,
        }


def shipped_targets(name: str) -> Path | None:
    """The path of a targets file shipped with ccsim, by name, if there is one."""
    if name not in SHIPPED:
        return None
    with resources.as_file(resources.files("sim.data").joinpath(SHIPPED[name])) as path:
        return Path(path)


def read_targets(path: str | Path) -> list[OutcomeTarget]:
    """Read and check a targets file (a shipped name such as ``default`` works too).

    Raises:
        InputError: a missing or malformed file, an unknown outcome (with the closest
            names), an unknown field, a value that is not a finite number, a range whose
            low end is above its high end, an impossible value for the outcome, or no
            target at all; naming the file, the line and the field.
    """
    from sim.inputs import MAX_TOML_BYTES, read_text
    from sim.parameters import parse_toml

    path = Path(path)
    if not path.exists() and str(path) in SHIPPED:
        path = shipped_targets(str(path)) or path
    text = read_text(path, max_bytes=MAX_TOML_BYTES).text
    data = parse_toml(text, source=path)
    src = str(path)
    for key in data:
        if key != "targets":
            raise InputError(
                "unknown table (targets go in [targets.OUTCOME] tables)",
                source=src,
                line=_line(text, None, key) or _header_line(text, key),
                field=key,
                valid="targets",
            )
    table = data.get("targets")
    if not isinstance(table, dict) or not table:
        raise InputError(
            "no targets (give at least one [targets.OUTCOME] table, e.g. [targets.fcr_rate] "
            "with value = 0.71)",
            source=src,
            field="targets",
        )
    return [_target(name, spec, text, src) for name, spec in table.items()]


def _target(name: str, spec: Any, text: str, src: str) -> OutcomeTarget:
    line = _line(text, f"targets.{name}", None) or _line(text, "targets", name)
    field = f"targets.{name}"
    if name not in OUTCOMES:
        close = difflib.get_close_matches(name, OUTCOMES, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "see docs/model.md section 7.9"
        raise InputError(
            f"the model has no outcome {name!r} ({hint})",
            source=src,
            line=line,
            field=field,
            valid="the keys of ccsim run --json",
        )
    if not isinstance(spec, dict):
        raise InputError(
            "expected a table of value or low/high (and weight, scale, sd)",
            source=src,
            line=line,
            field=field,
            valid=f"[{field}] with value = ...",
        )
    numbers: dict[str, float] = {}
    for key, raw in spec.items():
        where = _line(text, field, key) or _line(text, "targets", name) or line
        if key not in FIELDS:
            close = difflib.get_close_matches(key, FIELDS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise InputError(
                f"unknown field{hint}", source=src, line=where, field=f"{field}.{key}", valid=FIELDS
            )
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise InputError(
                f"expected a finite number, got {raw!r}",
                source=src,
                line=where,
                field=f"{field}.{key}",
                valid="a number",
            )
        numbers[key] = float(raw)
    lowest, highest = outcome_bounds(name)
    span = f"{lowest:g} to {highest:g}" if math.isfinite(highest) else f">= {lowest:g}"
    if math.isinf(lowest):
        span = "any number"

    def fail(key: str, why: str, valid: str) -> InputError:
        return InputError(
            why,
            source=src,
            line=_line(text, field, key) or line,
            field=f"{field}.{key}",
            valid=valid,
        )

    if "value" in numbers:
        extra = [k for k in ("low", "high") if k in numbers]
        if extra:
            raise fail(extra[0], "give either value or low/high, not both", "value, or low/high")
        low = high = numbers["value"]
    elif "low" in numbers or "high" in numbers:
        low, high = numbers.get("low", -math.inf), numbers.get("high", math.inf)
        if low > high:
            raise fail("low", f"low {low:g} is above high {high:g}", "low <= high")
    else:
        raise InputError(
            "no value (give value = X, or low = X and/or high = Y)",
            source=src,
            line=line,
            field=field,
            valid="value, low, high",
        )
    for key in ("value", "low", "high"):
        if key in numbers and not lowest <= numbers[key] <= highest:
            raise fail(key, f"{name} cannot be {numbers[key]:g}", span)
    for key in ("weight", "scale"):
        if key in numbers and not numbers[key] > 0:
            raise fail(key, f"must be > 0, got {numbers[key]:g}", "a number > 0")
    if numbers.get("sd", 0.0) < 0:
        raise fail("sd", f"must be >= 0, got {numbers['sd']:g}", "a number >= 0")
    target = OutcomeTarget(name, low, high, line=line)
    size = abs(target.centre)
    return OutcomeTarget(
        name,
        low,
        high,
        weight=numbers.get("weight", 1.0),
        scale=numbers.get("scale", size if size > 0 else 1.0),
        sd=numbers.get("sd", 0.0),
        line=line,
    )


def _header_line(text: str, root: str) -> int | None:
    """The 1-based line of the first table header under ``root`` (``[root]``,
    ``[root.x]``), if any."""
    for number, row in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", row)
        if header and header.group(1).replace(" ", "").split(".")[0] == root:
            return number
    return None


def _line(text: str, table: str | None, key: str | None) -> int | None:
    """The 1-based line of ``[table]`` (key None) or of ``key = ...`` inside ``[table]``
    (table None: at the top level), if it can be found."""
    current: str | None = None
    for number, row in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", row)
        if header:
            current = header.group(1).replace(" ", "")
            if key is None and current == table:
                return number
            continue
        if (
            key is not None
            and current == table
            and re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", row)
        ):
            return number
    return None
