"""Who is on duty when: a fixed head count or a per-interval schedule.

A schedule is a step function of head count over the day. CSR ``k`` (0-based) is on duty
whenever the head count exceeds ``k``: the first CSRs form the core shift, the later ones
cover the peaks. A CSR whose shift ends during a call finishes it (overtime) but takes no
new call until on duty again.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.arrivals import SECONDS_PER_DAY, _parse_clock
from sim.errors import InputError
from sim.inputs import read_csv

INFINITY = float("inf")
COLUMNS = ("interval_start", "csrs")


@dataclass(frozen=True)
class Staffing:
    """Head count over time.

    Attributes:
        breaks_s: Times (s from the horizon start) at which the head count changes; the
            first is 0.
        counts: Head count from each break until the next (the last holds for ever).
        source: ``"fixed"`` or the schedule file.
        sha256: SHA-256 of the schedule file's bytes, if read from one.
    """

    breaks_s: np.ndarray
    counts: np.ndarray
    source: str
    sha256: str | None = None

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


def read_schedule(path: str | Path, days: int = 1, *, sha256: str | None = None) -> Staffing:
    """Read a staffing schedule CSV with columns ``interval_start`` (HH:MM[:SS]) and ``csrs``.

    Each row's head count holds from its start until the next row's start; the day's
    pattern repeats for ``days`` days and the last count of the last day holds after it
    (so calls still waiting at the end are served by the late shift). Head counts may be 0
    (closed). The file must be UTF-8 text; its separator may be a comma, semicolon, tab or
    bar.

    Args:
        path: The schedule file.
        days: Days to repeat the pattern over.
        sha256: The SHA-256 the file had when the run was planned, if known: a file whose
            contents changed since is refused rather than silently read.

    Raises:
        InputError: naming the file, line and field of the first problem found.
    """
    table = read_csv(path, COLUMNS)
    if sha256 is not None and table.sha256 != sha256:
        raise InputError("changed while ccsim was running; rerun the command", source=path)
    i_start, i_csrs = table.column("interval_start"), table.column("csrs")
    rows: list[tuple[float, int]] = []
    for line_no, row in table.rows:
        try:
            start = _parse_clock(row[i_start])
        except ValueError:
            raise InputError(
                f"cannot read {row[i_start][:40]!r}",
                source=path,
                line=line_no,
                field="interval_start",
                valid="HH:MM or HH:MM:SS, 00:00 to 23:59:59",
            ) from None
        text = row[i_csrs].strip()
        csrs = int(text) if text.isdigit() else -1
        if csrs < 0:
            raise InputError(
                f"cannot read {row[i_csrs][:40]!r}",
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
    counts = np.tile(np.asarray(day_counts, dtype=np.int64), days)
    return Staffing(breaks, counts, str(path), table.sha256)


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
