"""A table of the engine: named, typed fields with units and meanings, as a NumPy dtype."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Field:
    """One field of a table.

    Attributes:
        name: The field's name, as the engine reads it.
        kind: ``"f8"`` (float64) or ``"i8"`` (int64; flags are 0/1).
        unit: Unit of the value.
        meaning: What it holds.
    """

    name: str
    kind: str
    unit: str
    meaning: str


def f(name: str, unit: str, meaning: str) -> Field:
    """A float64 field."""
    return Field(name, "f8", unit, meaning)


def i(name: str, unit: str, meaning: str) -> Field:
    """An int64 field (counts, indices, and 0/1 flags)."""
    return Field(name, "i8", unit, meaning)


@dataclass(frozen=True)
class Table:
    """A table of the engine: a NumPy structured dtype with documented fields."""

    name: str
    meaning: str
    fields: tuple[Field, ...]

    @cached_property
    def dtype(self) -> np.dtype:
        """The structured dtype (aligned, as Numba prefers)."""
        return np.dtype([(x.name, x.kind) for x in self.fields], align=True)

    @property
    def names(self) -> tuple[str, ...]:
        """Field names in declaration order."""
        return tuple(x.name for x in self.fields)

    def allocate(self, n: int | tuple[int, ...], **fill: float) -> np.ndarray:
        """A zeroed array of ``n`` rows; ``fill`` sets whole fields (e.g. ``churned_s=nan``)."""
        out = np.zeros(n, dtype=self.dtype)
        for name, value in fill.items():
            out[name] = value
        return out

    def frame(self, rows: np.ndarray):
        """The rows as a pandas DataFrame, one column per field."""
        import pandas as pd

        return pd.DataFrame({name: rows[name] for name in self.names})


def grown(rows: np.ndarray, n: int) -> np.ndarray:
    """``rows`` with ``n`` rows along the first axis, zero-filled beyond the old ones."""
    out = np.zeros((n, *rows.shape[1:]), dtype=rows.dtype)
    out[: len(rows)] = rows
    return out
