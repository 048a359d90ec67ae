"""The model's parameters: one documented TOML file of defaults, validated overrides.

``defaults.toml`` beside this module declares every parameter as a small table::

    [customers.loss_aversion]
    value = 2.25
    unit = "ratio"
    min = 1.0
    meaning = "How much more a remembered loss weighs than a gain of the same size."
    source = "Tversky and Kahneman (1992)"

Users override values with ``--set key=value`` or a TOML file of plain values
(``[customers]`` / ``loss_aversion = 2.0``). Unknown keys and out-of-range values are
rejected naming the file, line and key, with the valid choices.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sim.errors import InputError

#: Largest magnitude of any numeric parameter: beyond it no quantity of a contact center
#: (seconds, customers, currency) means anything, and arithmetic on it overflows.
MAGNITUDE = 1e12
#: Deepest nesting of tables in a user's TOML file (ccsim's own files use 3).
MAX_DEPTH = 8


@dataclass(frozen=True)
class ParameterSpec:
    """The declaration of one parameter.

    Attributes:
        key: Dotted name, e.g. ``customers.loss_aversion``.
        default: The default value (its type is the parameter's type).
        unit: Unit of the value (``"s"``, ``"probability"``, ...).
        meaning: What the value does in the model.
        source: Where the default comes from (a section of docs/model.md or
            docs/domain.md, a study, or "assumption").
        min: Smallest valid value (inclusive), if any.
        max: Largest valid value (inclusive), if any.
        gt: Values must be strictly greater than this, if given.
        choices: The valid values of a text parameter.
    """

    key: str
    default: Any
    unit: str
    meaning: str
    source: str
    min: float | None = None
    max: float | None = None
    gt: float | None = None
    choices: tuple[str, ...] | None = None

    @property
    def valid(self) -> str:
        """The valid values in words."""
        if self.choices:
            return ", ".join(self.choices)
        if isinstance(self.default, bool):
            return "true, false"
        parts = []
        if self.gt is not None:
            parts.append(f"> {self.gt:g}")
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        kind = "a whole number" if isinstance(self.default, int) else "a number"
        return f"{kind} {' and '.join(parts)}".strip()

    def check(self, value: Any, *, source: str | None = None, line: int | None = None) -> Any:
        """Return ``value`` converted to this parameter's type, or raise InputError."""

        def fail(why: str) -> InputError:
            return InputError(why, source=source, line=line, field=self.key, valid=self.valid)

        default = self.default
        if isinstance(default, bool):
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered not in ("true", "false"):
                    raise fail(f"cannot read {value!r}")
                value = lowered == "true"
            if not isinstance(value, bool):
                raise fail(f"expected true or false, got {value!r}")
            return value
        if isinstance(default, str):
            value = str(value).strip()
            if self.choices and value not in self.choices:
                raise fail(f"unknown value {value!r}")
            return value
        if isinstance(value, str):
            try:
                value = int(value) if isinstance(default, int) else float(value)
            except ValueError:
                raise fail(f"cannot read {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(f"expected a number, got {value!r}")
        if isinstance(default, int) and not float(value).is_integer():
            raise fail(f"expected a whole number, got {value!r}")
        value = int(value) if isinstance(default, int) else float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise fail(f"must be finite, got {value}")
        if abs(value) > MAGNITUDE:
            raise fail(f"out of range: {value:g} (no parameter is larger than {MAGNITUDE:g})")
        if (
            (self.gt is not None and not value > self.gt)
            or (self.min is not None and value < self.min)
            or (self.max is not None and value > self.max)
        ):
            raise fail(f"out of range: {value}")
        return value


def _flatten(table: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            yield from _flatten(value, key + ".")
        else:
            yield key, value


def load_specs(text: str | None = None) -> dict[str, ParameterSpec]:
    """Read the parameter declarations (by default the packaged ``defaults.toml``)."""
    if text is None:
        text = resources.files("sim").joinpath("defaults.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    specs: dict[str, ParameterSpec] = {}

    def walk(table: Mapping[str, Any], prefix: str) -> None:
        columns = table.get("_columns")
        for name, value in table.items():
            key = f"{prefix}{name}"
            if name == "_columns":
                continue
            if columns is not None and isinstance(value, Mapping):
                # A row of a documented table: each column is a parameter whose unit and
                # meaning come from ``_columns`` and whose source is the row's.
                for column, doc in columns.items():
                    if column not in value:
                        raise ValueError(f"{key} lacks column {column!r}")
                    specs[f"{key}.{column}"] = ParameterSpec(
                        key=f"{key}.{column}",
                        default=value[column],
                        unit=doc.get("unit", ""),
                        meaning=f"{name}: {doc['meaning']}",
                        source=value.get("source", doc.get("source", "assumption")),
                        min=doc.get("min"),
                        max=doc.get("max"),
                        gt=doc.get("gt"),
                    )
            elif isinstance(value, Mapping) and "value" in value:
                choices = value.get("choices")
                specs[key] = ParameterSpec(
                    key=key,
                    default=value["value"],
                    unit=value.get("unit", ""),
                    meaning=value["meaning"],
                    source=value["source"],
                    min=value.get("min"),
                    max=value.get("max"),
                    gt=value.get("gt"),
                    choices=tuple(choices) if choices else None,
                )
            elif isinstance(value, Mapping):
                walk(value, key + ".")

    walk(data, "")
    return specs


_SPECS: dict[str, ParameterSpec] | None = None


def specs() -> dict[str, ParameterSpec]:
    """The packaged parameter declarations (read once)."""
    global _SPECS
    if _SPECS is None:
        _SPECS = load_specs()
    return _SPECS


class Parameters(Mapping[str, Any]):
    """A validated, immutable set of parameter values keyed by dotted name.

    Args:
        overrides: Values that replace the defaults (validated).
    """

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self._specs = specs()
        self._values = {key: spec.default for key, spec in self._specs.items()}
        self._given: set[str] = set()
        for key, value in (overrides or {}).items():
            self._values[key] = self.spec(key).check(value)
            self._given.add(key)

    def spec(
        self, key: str, *, source: str | None = None, line: int | None = None
    ) -> ParameterSpec:
        """The declaration of ``key``; an unknown key suggests the closest names."""
        try:
            return self._specs[key]
        except KeyError:
            close = difflib.get_close_matches(key, list(self._specs), n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}?" if close else "see `ccsim params`"
            raise InputError(
                f"unknown parameter ({hint})", source=source, line=line, field=key
            ) from None

    def given(self, key: str) -> bool:
        """Whether ``key`` was set by the user (not left at its default)."""
        return key in self._given

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def to_dict(self) -> dict[str, Any]:
        """Every value, by dotted key (for manifests)."""
        return dict(self._values)


def parse_set(items: list[str] | None) -> dict[str, Any]:
    """Parse ``--set key=value`` options into a dict of validated values."""
    out: dict[str, Any] = {}
    probe = Parameters()
    for item in items or []:
        if "=" not in item:
            raise InputError(f"expected key=value, got {item!r}", field="--set")
        key, value = (part.strip() for part in item.split("=", 1))
        out[key] = probe.spec(key, source="--set").check(value, source="--set")
    return out


def parse_toml(text: str, *, source: str | Path) -> dict[str, Any]:
    """Parse a user's TOML text; a syntax error names its line, deep nesting is refused.

    Raises:
        InputError: not valid TOML, or tables nested deeper than :data:`MAX_DEPTH`.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"line (\d+)", str(err))
        raise InputError(
            f"not valid TOML ({str(err)[:120]})",
            source=source,
            line=int(match.group(1)) if match else None,
        ) from None
    except RecursionError:
        raise InputError(
            f"tables or arrays nested too deeply (more than {MAX_DEPTH} levels)", source=source
        ) from None
    if _depth(data) > MAX_DEPTH:
        raise InputError(
            f"tables or arrays nested too deeply (more than {MAX_DEPTH} levels)", source=source
        )
    return data


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, Mapping):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def read_params_file(path: str | Path) -> dict[str, Any]:
    """Read a user's TOML file of parameter values (nested tables of plain values).

    The file must be UTF-8 text (with or without a byte-order mark).

    Raises:
        InputError: for a missing, unreadable or malformed file, an unknown key or a bad
            value, naming the file and the line of the key.
    """
    from sim.inputs import MAX_TOML_BYTES, read_text

    path = Path(path)
    text = read_text(path, max_bytes=MAX_TOML_BYTES).text
    data = parse_toml(text, source=path)
    probe = Parameters()
    out: dict[str, Any] = {}
    for key, value in _flatten(data):
        line = key_line(text, key)
        spec = probe.spec(key, source=str(path), line=line)
        out[key] = spec.check(value, source=str(path), line=line)
    return out


def key_line(text: str, key: str) -> int | None:
    """The 1-based line where ``key`` (dotted) is assigned in a TOML text, if found."""
    *tables, name = key.split(".")
    section = ".".join(tables)
    current = ""
    dotted = re.compile(rf"^\s*{re.escape(key)}\s*=")
    plain = re.compile(rf"^\s*{re.escape(name)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[([^\]]+)\]", line)
        if header:
            current = header.group(1).strip()
            continue
        if (current == section and plain.match(line)) or (not current and dotted.match(line)):
            return number
    return None
