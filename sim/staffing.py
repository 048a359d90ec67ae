"""Who is on duty when: a fixed head count or a per-interval schedule.

A schedule is a step function of head count over the day. CSR ``k`` (0-based) is on duty
whenever the head count exceeds ``k``: the first CSRs form the core shift, the later ones
cover the peaks. A CSR whose shift ends during a call finishes it (overtime) but takes no
new call until on duty again.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.arrivals import SECONDS_PER_DAY, _parse_clock
from sim.errors import InputError

INFINITY = float("inf")


@dataclass(frozen=True)
class Staffing:
    """Head count over time.

    Attributes:
        breaks_s: Times (s from the horizon start) at which the head count changes; the
            first is 0.
        counts: Head count from each break until the next (the last holds for ever).
        source: ``"fixed"`` or the schedule file.
    """

    breaks_s: np.ndarray
    counts: np.ndarray
    source: str

    @classmethod
    def fixed(cls, csrs: int) -> Staffing:
        """A constant head count of ``csrs``."""
        if int(csrs) != csrs or csrs < 1:
            raise InputError(f"must be a whole number >= 1, got {csrs}", field="csrs")
        return cls(np.array([0.0]), np.array([int(csrs)]), "fixed")

    @property
    def max_csrs(self) -> int:
        """The largest head count ever on duty: how many CSR agents the model needs."""
        return int(self.counts.max())

    @property
    def is_fixed(self) -> bool:
        """True when the head count never changes."""
        return len(self.counts) == 1 or bool(np.all(self.counts == self.counts[0]))

    def next_on_duty(self, csr: int, t: float) -> float:
        """Earliest time >= ``t`` (s) at which CSR ``csr`` is on duty; inf if never."""
        i = int(np.searchsorted(self.breaks_s, t, side="right")) - 1
        if self.counts[i] > csr:
            return t
        later = np.nonzero(self.counts[i + 1 :] > csr)[0]
        if len(later) == 0:
            return INFINITY
        return float(self.breaks_s[i + 1 + later[0]])

    def staffed_seconds(self, starts_s: np.ndarray, widths_s: np.ndarray) -> np.ndarray:
        """CSR-seconds on duty within each interval ``[start, start + width)``."""
        edges = np.concatenate([self.breaks_s, [INFINITY]])
        out = np.zeros(len(starts_s))
        for j in range(len(self.counts)):
            lo = np.maximum(starts_s, edges[j])
            hi = np.minimum(starts_s + widths_s, edges[j + 1])
            out += self.counts[j] * np.clip(hi - lo, 0.0, None)
        return out


def read_schedule(path: str | Path, days: int = 1) -> Staffing:
    """Read a staffing schedule CSV with columns ``interval_start`` (HH:MM) and ``csrs``.

    Each row's head count holds from its start until the next row's start; the day's
    pattern repeats for ``days`` days and the last count of the last day holds after it
    (so calls still waiting at the end are served by the late shift). Head counts may be 0
    (closed).

    Raises:
        InputError: naming the file, line and field of the first problem found.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", source=path)
    rows: list[tuple[float, int]] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader, [])]
        for col in ("interval_start", "csrs"):
            if col not in header:
                raise InputError(
                    f"missing column {col!r}",
                    source=path,
                    line=1,
                    valid=("interval_start", "csrs"),
                )
        i_start, i_csrs = header.index("interval_start"), header.index("csrs")
        for line_no, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            try:
                start = _parse_clock(row[i_start])
            except (ValueError, IndexError):
                raise InputError(
                    f"cannot read {row[i_start] if len(row) > i_start else ''!r}",
                    source=path,
                    line=line_no,
                    field="interval_start",
                    valid="HH:MM",
                ) from None
            try:
                csrs = int(row[i_csrs])
            except (ValueError, IndexError):
                csrs = -1
            if csrs < 0:
                raise InputError(
                    f"cannot read {row[i_csrs] if len(row) > i_csrs else ''!r}",
                    source=path,
                    line=line_no,
                    field="csrs",
                    valid="a whole number >= 0",
                )
            if rows and start <= rows[-1][0]:
                raise InputError(
                    "interval starts must increase",
                    source=path,
                    line=line_no,
                    field="interval_start",
                )
            rows.append((start, csrs))
    if not rows:
        raise InputError("no data rows", source=path, line=2)
    if max(c for _, c in rows) < 1:
        raise InputError(
            "nobody is ever on duty", source=path, field="csrs", valid=">= 1 somewhere"
        )
    day_breaks = [s for s, _ in rows]
    day_counts = [c for _, c in rows]
    if day_breaks[0] > 0:
        # Before the first row of the day the previous day's last shift is still on.
        day_breaks.insert(0, 0.0)
        day_counts.insert(0, day_counts[-1])
    breaks = np.concatenate([np.asarray(day_breaks) + d * SECONDS_PER_DAY for d in range(days)])
    counts = np.tile(np.asarray(day_counts, dtype=int), days)
    return Staffing(breaks, counts, str(path))


def planned_staffing(
    starts_s: np.ndarray,
    widths_s: np.ndarray,
    expected: np.ndarray,
    *,
    aht_s: float,
    patience_s: float,
    sl_threshold_s: float,
    target_sl: float,
    min_csrs: int,
) -> Staffing:
    """The head count a planner would roster for a forecast: per interval, the smallest
    Erlang A head count meeting ``target_sl`` within ``sl_threshold_s``, and at least
    ``min_csrs``.

    Args:
        starts_s, widths_s: The forecast's intervals, s from the start of the horizon.
        expected: Expected contacts in each interval.
        aht_s: Planned handle time, s.
        patience_s: Planned mean patience, s.
        sl_threshold_s: Service-level threshold, s.
        target_sl: Service level to plan for, 0..1.
        min_csrs: Least head count on duty at any time.
    """
    rates = np.round(expected / widths_s * 3600.0, 9)
    counts = np.array(
        [
            max(min_csrs, _head_count(r, aht_s, patience_s, sl_threshold_s, target_sl))
            for r in rates.tolist()
        ],
        dtype=int,
    )
    changes = np.concatenate([[True], counts[1:] != counts[:-1]])  # a break per change
    return Staffing(np.asarray(starts_s, dtype=float)[changes], counts[changes], "planned")


@functools.lru_cache(maxsize=4096)
def _head_count(
    rate_per_h: float, aht_s: float, patience_s: float, sl_threshold_s: float, target_sl: float
) -> int:
    """Erlang A head count for one interval (remembered: the days of a forecast repeat,
    and a worker plans the same scenario for every replication it runs)."""
    from sim.erlang import staffing_for_target

    if rate_per_h <= 0:
        return 0
    return staffing_for_target(
        rate_per_h, aht_s, patience_s=patience_s, sl_threshold_s=sl_threshold_s, target_sl=target_sl
    )
